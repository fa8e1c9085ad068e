import {
  ChangeMessageVisibilityCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  DeleteMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { SimulatedAccount } from '../../sim/account';
import { SqsPoller } from '../../sim/sqs-poller';

function fifo(attributes: Record<string, string> = {}) {
  const account = new SimulatedAccount();
  const url = account.sqs.createQueue('capacity.fifo', { FifoQueue: 'true', VisibilityTimeout: '30', ...attributes });
  const { sqs } = account.clients();
  const send = (body: string, group: string, dedup?: string) =>
    sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: body,
        MessageGroupId: group,
        ...(dedup ? { MessageDeduplicationId: dedup } : {}),
      }),
    );
  const receive = async (max = 10) =>
    (
      (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: max, MessageSystemAttributeNames: ['All'] })))
        .Messages ?? []
    ).map((m) => ({ body: m.Body!, group: m.Attributes?.MessageGroupId, handle: m.ReceiptHandle! }));
  const remove = (handle: string) => sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: handle }));
  return { account, url, sqs, send, receive, remove };
}

describe('simulated SQS FIFO queues', () => {
  it('refuses a FIFO queue name without .fifo, a message without a group, without a deduplication id, or with its own delay', async () => {
    const { account, sqs, url } = fifo();
    expect(() => account.sqs.createQueue('capacity', { FifoQueue: 'true' })).toThrow(/must end with \.fifo suffix/);
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'd' }))).rejects.toThrow(
      'The request must contain the parameter MessageGroupId.',
    );
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g' }))).rejects.toThrow(
      /either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly/,
    );
    await expect(
      sqs.send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 5 }),
      ),
    ).rejects.toThrow(/DelaySeconds is invalid/);
  });

  it('accepts a message with a deduplication id seen in the last 5 minutes and does not deliver it; after 5 minutes it does', async () => {
    const { account, send, receive, remove } = fifo();
    const first = await send('a', 'g', 'same');
    const again = await send('a-again', 'g', 'same');
    expect(again.MessageId).toBe(first.MessageId);
    const got = await receive();
    expect(got.map((m) => m.body)).toEqual(['a']);
    await remove(got[0]!.handle);
    account.advance(5 * 60_000);
    await send('a-later', 'g', 'same');
    expect((await receive()).map((m) => m.body)).toEqual(['a-later']);
  });

  it('deduplicates on the body with ContentBasedDeduplication (an explicit id overrides it)', async () => {
    const { send, receive } = fifo({ ContentBasedDeduplication: 'true' });
    await send('same body', 'g');
    await send('same body', 'g');
    await send('same body', 'g', 'explicit');
    expect((await receive()).map((m) => m.body)).toEqual(['same body', 'same body']);
  });

  it("delivers a group's messages in order, none while one of them is in flight, and other groups meanwhile", async () => {
    const { account, send, receive, remove } = fifo();
    await send('a1', 'A', '1');
    await send('a2', 'A', '2');
    await send('b1', 'B', '3');
    const first = await receive(1);
    expect(first.map((m) => m.body)).toEqual(['a1']);
    expect((await receive(1)).map((m) => m.body)).toEqual(['b1']); // A has a message in flight
    expect(await receive(1)).toEqual([]); // B too now
    account.advance(30_000); // both visibility timeouts end: a1 comes back first, before a2
    const back = await receive(10);
    expect(back.map((m) => m.body)).toEqual(['a1', 'a2', 'b1']);
    for (const m of back) await remove(m.handle);
    expect(await receive()).toEqual([]);
    void first;
  });

  it('holds a whole group back while any message received with it is in flight, even one made visible again', async () => {
    const { sqs, url, send, receive } = fifo();
    await send('a1', 'A', '1');
    await send('a2', 'A', '2');
    const got = await receive(2);
    expect(got.map((m) => m.body)).toEqual(['a1', 'a2']);
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: got[0]!.handle, VisibilityTimeout: 0 }));
    expect(await receive()).toEqual([]); // a2 is still in flight: nothing of A, not even a1
  });

  it('takes as many messages of one group as a receive allows, then other groups', async () => {
    const { sqs, url, receive } = fifo();
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: ['x1', 'y1', 'x2', 'x3'].map((b, i) => ({
          Id: String(i),
          MessageBody: b,
          MessageGroupId: b[0]!,
          MessageDeduplicationId: b,
        })),
      }),
    );
    expect((await receive(3)).map((m) => `${m.group}:${m.body}`)).toEqual(['x:x1', 'x:x2', 'x:x3']);
  });
});

describe("Lambda's SQS event source mapping on a FIFO queue (model)", () => {
  it('hands one batch per group at a time, groups in parallel, and redrives a message that keeps failing', async () => {
    const { account, url, send } = fifo();
    const dlq = account.sqs.createQueue('capacity-dead-letter.fifo', { FifoQueue: 'true' });
    for (let i = 0; i < 6; i++) for (const g of ['A', 'B', 'C']) await send(`${g}${i}`, g, `${g}${i}`);
    await send('poison', 'D', 'poison');
    const running = new Map<string, number>();
    let overlapInGroup = 0;
    let parallel = 0;
    const order: string[] = [];
    const handler = async (e: SQSEvent) => {
      const groups = [...new Set(e.Records.map((r) => (r.attributes as unknown as Record<string, string>).MessageGroupId!))];
      for (const g of groups) {
        if (running.get(g)) overlapInGroup++;
        running.set(g, 1);
      }
      parallel = Math.max(parallel, [...running.values()].filter(Boolean).length);
      order.push(...e.Records.map((r) => r.body));
      await account.clock.sleep(1_000);
      for (const g of groups) running.set(g, 0);
      return { batchItemFailures: e.Records.filter((r) => r.body === 'poison').map((r) => ({ itemIdentifier: r.messageId })) };
    };
    const poller = new SqsPoller(account, url, handler, {
      batchSize: 2,
      concurrency: 3,
      maxReceiveCount: 3,
      deadLetterUrl: dlq,
      visibilityTimeoutSeconds: 10,
    });
    await poller.run({ until: account.clock.now() + 5 * 60_000, untilIdle: true });
    expect(overlapInGroup).toBe(0);
    expect(parallel).toBeGreaterThan(1);
    for (const g of ['A', 'B', 'C']) expect(order.filter((b) => b.startsWith(g))).toEqual([0, 1, 2, 3, 4, 5].map((i) => `${g}${i}`));
    expect(order.filter((b) => b === 'poison')).toHaveLength(3);
    expect(account.sqs.pending(dlq).map((m) => m.body)).toEqual(['poison']);
    expect(account.sqs.pending(url)).toHaveLength(0);
  });
});
