import {
  ChangeMessageVisibilityCommand,
  GetQueueUrlCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { chunk, SQS_MAX_DELAY_SECONDS, SQS_SEND_BATCH_MAX } from './limits';

/**
 * SQS by queue *name*: the functions' environment holds names (plain strings that work
 * with `sls invoke local` offline) and the URL is looked up once per container.
 */
export class QueueAdapter {
  private readonly urls = new Map<string, Promise<string>>();
  constructor(private readonly sqs: SQSClient) {}

  private url(queueName: string): Promise<string> {
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

  /**
   * Send to a FIFO queue, 10 a call, each with its group and deduplication id. Throws when SQS
   * refused any entry (naming them): the caller keeps its own message and retries, and the
   * deduplication id makes the entries already taken harmless to send again.
   */
  async sendFifo(queueName: string, entries: ReadonlyArray<{ body: unknown; groupId: string; deduplicationId: string }>): Promise<void> {
    const url = await this.url(queueName);
    const refused: string[] = [];
    for (const part of chunk(entries, SQS_SEND_BATCH_MAX)) {
      const out = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: part.map((e, i) => ({
            Id: String(i),
            MessageBody: typeof e.body === 'string' ? e.body : JSON.stringify(e.body),
            MessageGroupId: e.groupId,
            MessageDeduplicationId: e.deduplicationId,
          })),
        }),
      );
      for (const f of out.Failed ?? []) refused.push(`${part[Number(f.Id)]?.deduplicationId}: ${f.Code} ${f.Message ?? ''}`.trim());
    }
    if (refused.length > 0) throw new Error(`SQS refused ${refused.length} message(s) for ${queueName}: ${refused.join('; ')}`);
  }
}
