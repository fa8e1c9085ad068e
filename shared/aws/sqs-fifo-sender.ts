import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { chunk, SQS_SEND_BATCH_MAX } from './limits';
import type { QueueAdapter } from './sqs-queues';

export interface FifoEntry {
  body: unknown;
  groupId: string;
  deduplicationId: string;
}

/**
 * Sends to a FIFO queue, 10 a call (SendMessageBatch), each entry with its group and
 * deduplication id. Its own module: the capacity writer, which never sends here, does not bundle it.
 */
export class FifoSender {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queues: Pick<QueueAdapter, 'url'>,
  ) {}

  /**
   * Throws when SQS refused any entry (naming them): the caller keeps its own message and
   * retries, and the deduplication ids make the entries already taken harmless to send again.
   */
  async send(queueName: string, entries: readonly FifoEntry[]): Promise<void> {
    const url = await this.queues.url(queueName);
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
