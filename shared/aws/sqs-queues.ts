import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SQS_MAX_DELAY_SECONDS } from './limits';

/**
 * SQS by queue *name*: the functions' environment holds names (plain strings that work
 * with `sls invoke local` offline) and the URL is looked up once per container.
 */
export class QueueAdapter {
  private readonly urls = new Map<string, Promise<string>>();
  constructor(private readonly sqs: SQSClient) {}

  /** The queue's URL, looked up once per container. */
  url(queueName: string): Promise<string> {
    let url = this.urls.get(queueName);
    if (!url) {
      url = this.sqs.send(new GetQueueUrlCommand({ QueueName: queueName })).then((o) => {
        if (!o.QueueUrl) throw new Error(`GetQueueUrl answered no URL for ${queueName}`);
        return o.QueueUrl;
      });
      url.catch(() => this.urls.delete(queueName));
      this.urls.set(queueName, url);
    }
    return url;
  }

  /**
   * Make a received message visible again after `seconds` (instead of the queue's full
   * visibility timeout), so a failed message is retried soon.
   */
  async retryAfter(queueName: string, receiptHandle: string, seconds: number): Promise<void> {
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: await this.url(queueName),
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: Math.max(0, Math.round(seconds)),
      }),
    );
  }

  /** Send one message; delay is clamped to what SQS allows (0–900 s). Returns the message id. */
  async send(
    queueName: string,
    body: unknown,
    options: { delaySeconds?: number; attributes?: Record<string, string> } = {},
  ): Promise<string> {
    const delay = Math.min(SQS_MAX_DELAY_SECONDS, Math.max(0, Math.round(options.delaySeconds ?? 0)));
    const out = await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: await this.url(queueName),
        MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
        DelaySeconds: delay,
        MessageAttributes: Object.fromEntries(
          Object.entries(options.attributes ?? {}).map(([k, v]) => [k, { DataType: 'String', StringValue: v.slice(0, 1024) }]),
        ),
      }),
    );
    return out.MessageId ?? '';
  }
}
