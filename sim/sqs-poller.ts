import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Message } from '@aws-sdk/client-sqs';
import type { SimulatedAccount } from './account';

/**
 * A small model of Lambda's SQS event source mapping running for a stretch of simulated time,
 * with several invocations at once — what scenario tests need to see a FIFO queue consumed as
 * AWS consumes it. The rules, from the AWS Lambda Developer Guide:
 * - "Using Lambda with Amazon SQS": Lambda polls the queue and invokes the function
 *   synchronously with a batch; for FIFO queues "Lambda sorts messages into groups and sends
 *   only one batch at a time for a group" (the queue's own rule, sim/sqs-fifo.ts: a group with a
 *   message in flight is not received from), so one group is served in order while other groups
 *   are served in parallel, up to the mapping's concurrency.
 * - "Lambda parameters for Amazon SQS event source mappings": BatchSize at most 10 for FIFO; the
 *   batching window "is not supported for FIFO queues" (a batch is handed over at once).
 * - "Handling errors for an SQS event source": with ReportBatchItemFailures the records not
 *   reported are deleted; reported ones (or every record, when the function throws) stay and are
 *   received again once visible; after maxReceiveCount receives the queue's redrive policy moves a
 *   message to its dead-letter queue (modelled here when it fails that often).
 * It calls the queue model directly, so fault knobs meant for the function's own calls do not
 * touch the poller.
 */
export interface SqsPollerOptions {
  batchSize?: number;
  /** Invocations at once at most (the mapping's MaximumConcurrency, 2–1,000). */
  concurrency?: number;
  /** The queue's visibility timeout (s), as Lambda's receive sets it. */
  visibilityTimeoutSeconds?: number;
  /** The function's timeout (ms): the invocation context counts down from it. */
  timeoutMs?: number;
  /** An idle poller looks again after this long (long polling answers as soon as a message arrives). */
  pollMs?: number;
  maxReceiveCount?: number;
  deadLetterUrl?: string;
}

type Handler = (event: SQSEvent, context: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>) => Promise<SQSBatchResponse | void>;

export class SqsPoller {
  invocations = 0;
  /** Records delivered per invocation, and the ones the function reported failed (or all, when it threw). */
  readonly batches: Array<{ at: number; messageIds: string[]; groups: string[]; failed: string[] }> = [];
  constructor(
    private readonly account: SimulatedAccount,
    private readonly queueUrl: string,
    private readonly handler: Handler,
    private readonly options: SqsPollerOptions = {},
  ) {}

  /**
   * Poll until simulated time `until` (and let the invocations under way finish), or — with
   * `untilIdle` — until the queue holds nothing and nothing runs (bounded by `until`).
   */
  async run(limits: { until: number; untilIdle?: boolean }): Promise<void> {
    const clock = this.account.clock;
    const running = new Set<Promise<void>>();
    const concurrency = this.options.concurrency ?? 5;
    for (;;) {
      while (clock.now() < limits.until && running.size < concurrency) {
        const messages = await this.receive();
        if (messages.length === 0) break;
        const p = this.invoke(messages).finally(() => running.delete(p));
        running.add(p);
      }
      const idle = running.size === 0 && this.account.sqs.pending(this.queueUrl).length === 0;
      if ((limits.untilIdle && idle) || (clock.now() >= limits.until && running.size === 0)) return;
      // Wait for an invocation to end or the next poll, whichever is first (the sleep is cancelled: no stray wake-up).
      const stop = new AbortController();
      const wait = Math.max(1, Math.min(this.options.pollMs ?? 1_000, Math.max(1, limits.until - clock.now())));
      await Promise.race([clock.sleep(wait, stop.signal).catch(() => undefined), ...running]);
      stop.abort();
    }
  }

  private async receive(): Promise<Message[]> {
    const ops = this.account.sqs.operations();
    const out = (await ops.ReceiveMessage!({
      QueueUrl: this.queueUrl,
      MaxNumberOfMessages: this.options.batchSize ?? 10,
      VisibilityTimeout: this.options.visibilityTimeoutSeconds ?? 360,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    })) as { Messages?: Message[] };
    return out.Messages ?? [];
  }

  private async invoke(messages: Message[]): Promise<void> {
    const clock = this.account.clock;
    const ops = this.account.sqs.operations();
    const startedAt = clock.now();
    const timeout = this.options.timeoutMs ?? 60_000;
    this.invocations += 1;
    const id = `poll-${this.invocations}`;
    let failed: Set<string>;
    try {
      const response = await this.handler(
        { Records: messages.map((m) => this.toRecord(m)) },
        { getRemainingTimeInMillis: () => timeout - (clock.now() - startedAt), awsRequestId: id },
      );
      failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch {
      failed = new Set(messages.map((m) => m.MessageId!));
    }
    this.batches.push({
      at: startedAt,
      messageIds: messages.map((m) => m.MessageId!),
      groups: [...new Set(messages.map((m) => m.Attributes?.MessageGroupId ?? ''))],
      failed: [...failed],
    });
    for (const m of messages) {
      const record = this.account.sqs.messages(this.queueUrl).find((r) => r.messageId === m.MessageId);
      if (!failed.has(m.MessageId!)) {
        await ops.DeleteMessage!({ QueueUrl: this.queueUrl, ReceiptHandle: m.ReceiptHandle });
      } else if (this.options.deadLetterUrl && record && record.receiveCount >= (this.options.maxReceiveCount ?? Infinity)) {
        this.account.sqs.deliver(
          this.options.deadLetterUrl,
          m.Body ?? '',
          {},
          {
            ...(record.groupId ? { groupId: record.groupId, deduplicationId: `${record.messageId}` } : {}),
          },
        );
        await ops.DeleteMessage!({ QueueUrl: this.queueUrl, ReceiptHandle: m.ReceiptHandle });
      }
    }
  }

  private toRecord(m: Message): SQSRecord {
    return {
      messageId: m.MessageId!,
      receiptHandle: m.ReceiptHandle!,
      body: m.Body ?? '',
      attributes: (m.Attributes ?? {}) as unknown as SQSRecord['attributes'],
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.account.sqs.queueArn(this.queueUrl),
      awsRegion: this.account.region,
    };
  }
}
