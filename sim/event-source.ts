import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Message } from '@aws-sdk/client-sqs';
import type { SimulatedAccount } from './account';

export interface SqsEventSourceOptions {
  batchSize?: number;
  /** The queue's visibility timeout while a batch is being handled. */
  visibilityTimeoutSeconds?: number;
  /** Redrive: after this many receives a failed message moves to `deadLetterUrl`. */
  maxReceiveCount?: number;
  deadLetterUrl?: string;
}

type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

/**
 * What Lambda's SQS event source mapping does, in simulated time: wait until a message is
 * visible, hand a batch to the function, delete what it did not report as failed, and
 * redrive a message received too often. It calls the queue model directly, so the fault
 * knobs (meant for the function's own calls) do not touch it.
 */
export class SqsEventSource {
  invocations = 0;
  constructor(
    private readonly account: SimulatedAccount,
    private readonly queueUrl: string,
    private readonly handler: SqsHandler,
    private readonly options: SqsEventSourceOptions = {},
  ) {}

  /** Deliver until the queue is empty, `until` (simulated ms) is reached, or `maxInvocations`. */
  async run(limits: { maxInvocations?: number; until?: number } = {}): Promise<void> {
    const ops = this.account.sqs.operations();
    for (let i = 0; i < (limits.maxInvocations ?? 100); i++) {
      const pending = this.account.sqs.pending(this.queueUrl);
      if (pending.length === 0) return;
      const next = Math.min(...pending.map((m) => m.visibleAt));
      if (limits.until !== undefined && next > limits.until) return;
      if (next > this.account.clock.now()) this.account.advance(next - this.account.clock.now());

      const out = (await ops.ReceiveMessage!({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: this.options.batchSize ?? 1,
        VisibilityTimeout: this.options.visibilityTimeoutSeconds ?? 360,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      })) as { Messages?: Message[] };
      const messages = out.Messages ?? [];
      if (messages.length === 0) continue;

      this.invocations += 1;
      const response = await this.handler({ Records: messages.map((m) => sqsRecordOf(this.account, this.queueUrl, m)) });
      const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      for (const m of messages) {
        const record = this.account.sqs.messages(this.queueUrl).find((r) => r.messageId === m.MessageId);
        if (!failed.has(m.MessageId!)) {
          await ops.DeleteMessage!({ QueueUrl: this.queueUrl, ReceiptHandle: m.ReceiptHandle });
        } else if (this.options.deadLetterUrl && record && record.receiveCount >= (this.options.maxReceiveCount ?? Infinity)) {
          this.account.sqs.deliver(this.options.deadLetterUrl, m.Body ?? '');
          await ops.DeleteMessage!({ QueueUrl: this.queueUrl, ReceiptHandle: m.ReceiptHandle });
        }
      }
    }
  }
}

/** A received message as Lambda's event source mapping hands it to the function (one SQS record). */
export function sqsRecordOf(account: SimulatedAccount, queueUrl: string, m: Message): SQSRecord {
  return {
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body ?? '',
    attributes: (m.Attributes ?? {}) as unknown as SQSRecord['attributes'],
    messageAttributes: {},
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: account.sqs.queueArn(queueUrl),
    awsRegion: account.region,
  };
}
