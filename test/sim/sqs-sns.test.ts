import { ListTopicsCommand, NotFoundException, paginateListTopics, PublishCommand } from '@aws-sdk/client-sns';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  TooManyEntriesInBatchRequest,
} from '@aws-sdk/client-sqs';
import { SimulatedAccount } from '../../sim/account';

function setup() {
  const account = new SimulatedAccount();
  const url = account.sqs.createQueue('drain-continue');
  const { sqs, sns } = account.clients();
  return { account, sqs, sns, url };
}

describe('simulated SQS', () => {
  it('holds a delayed message back until its delay has passed', async () => {
    const { account, sqs, url } = setup();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{"step":2}', DelaySeconds: 30 }));
    const attrs = async () =>
      (
        await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: url,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'],
          }),
        )
      ).Attributes;
    expect(await attrs()).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesDelayed: '1' });
    account.advance(29_999);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    account.advance(1);
    expect(await attrs()).toEqual({ ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesDelayed: '0' });
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(got.Messages![0]!.Body).toBe('{"step":2}');
  });

  it('rejects DelaySeconds above 900 with InvalidParameterValue', async () => {
    const { sqs, url } = setup();
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', DelaySeconds: 901 }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: expect.stringContaining('DelaySeconds must be >= 0 and <= 900'),
    });
  });

  it('hides a received message for the visibility timeout, shows it again, and forgets it once deleted', async () => {
    const { account, sqs, url } = setup();
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'job',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'drain' } },
      }),
    );
    const first = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 10, MessageAttributeNames: ['All'] })))
      .Messages![0]!;
    expect(first).toMatchObject({ MessageId: sent.MessageId, MessageAttributes: { kind: { DataType: 'String', StringValue: 'drain' } } });
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    account.advance(10_000);
    const second = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['ApproximateReceiveCount'] })))
      .Messages![0]!;
    expect(second.Attributes).toEqual({ ApproximateReceiveCount: '2' });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second.ReceiptHandle }));
    account.advance(60_000);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    expect(account.sqs.messages(url)[0]!.deletedAt).toBe(account.clock.now() - 60_000);
  });

  it('long-polls in simulated time up to the next message', async () => {
    const { account, sqs, url } = setup();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 5 }));
    const start = account.clock.now();
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    expect(got.Messages![0]!.Body).toBe('later');
    expect(account.clock.now() - start).toBe(5_000);
  });

  it('limits batches to 10 entries and receives at most 10', async () => {
    const { sqs, url } = setup();
    const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ Id: `m${i}`, MessageBody: `body ${i}` }));
    await expect(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries(11) }))).rejects.toBeInstanceOf(
      TooManyEntriesInBatchRequest,
    );
    const out = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: url, Entries: [...entries(9), { Id: 'bad', MessageBody: 'x', DelaySeconds: 1000 }] }),
    );
    expect(out.Successful).toHaveLength(9);
    expect(out.Failed).toEqual([expect.objectContaining({ Id: 'bad', SenderFault: true, Code: 'InvalidParameterValue' })]);
    await expect(sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }))).Messages).toHaveLength(9);
  });

  it('looks a queue up by name and answers QueueDoesNotExist for an unknown one', async () => {
    const { sqs, url } = setup();
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'drain-continue' }))).QueueUrl).toBe(url);
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toBeInstanceOf(QueueDoesNotExist);
  });
});

describe('simulated SNS', () => {
  it('publishes to a known topic, fans out to a subscribed queue, and refuses an unknown topic or an oversize message', async () => {
    const { account, sns, sqs, url } = setup();
    const topic = account.sns.createTopic('run-task-failures');
    account.sns.subscribeQueue(topic, url);
    const out = await sns.send(new PublishCommand({ TopicArn: topic, Message: '{"cluster":"web"}', Subject: 'RunTask failed' }));
    expect(account.sns.published(topic)).toEqual([
      { messageId: out.MessageId, message: '{"cluster":"web"}', subject: 'RunTask failed', messageAttributes: {}, at: account.clock.now() },
    ]);
    const delivered = JSON.parse((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages![0]!.Body!);
    expect(delivered).toMatchObject({ Type: 'Notification', TopicArn: topic, Message: '{"cluster":"web"}', MessageId: out.MessageId });

    await expect(sns.send(new PublishCommand({ TopicArn: `${topic}-gone`, Message: 'x' }))).rejects.toBeInstanceOf(NotFoundException);
    await expect(sns.send(new PublishCommand({ TopicArn: topic, Message: 'x'.repeat(262_145) }))).rejects.toThrow(
      'Invalid parameter: Message too long',
    );
    // The largest message is accepted; its envelope is too large for the queue, so that delivery is lost.
    const big = await sns.send(new PublishCommand({ TopicArn: topic, Message: 'x'.repeat(262_144) }));
    expect(account.sns.failedDeliveries(topic)).toEqual([{ messageId: big.MessageId, queueUrl: url, error: 'InvalidParameterValue' }]);
  });

  it('lists topics 100 per page', async () => {
    const { account, sns } = setup();
    for (let i = 0; i < 150; i++) account.sns.createTopic(`t${i}`);
    const first = await sns.send(new ListTopicsCommand({}));
    expect(first.Topics).toHaveLength(100);
    let n = 0;
    for await (const p of paginateListTopics({ client: sns }, {})) n += p.Topics!.length;
    expect(n).toBe(150);
  });
});
