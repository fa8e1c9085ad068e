import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { systemClock, type Clock } from './clock';
import { deadLetter } from './dead-letter';
import { errorMessage, EventValidationError } from './errors';
import type { Log } from './observability';
import type { QueueAdapter } from '../aws/sqs-queues';

export interface SqsBatchOptions {
  queues: QueueAdapter;
  /** The queue the records came from (to bring a failed one back early). */
  queueName: string;
  deadLetterQueueName?: string;
  /** A failed record becomes visible again after this many seconds, not the full visibility timeout. */
  retryAfterSeconds: number;
  log: Log;
  /** Named in logs and dead-letter messages. */
  source: string;
  /** The message kind named in dead-letter messages (default `sqs-message`). */
  kind?: string;
  /** Dates dead-letter messages (default: the system clock). */
  clock?: Clock;
}

/**
 * Handle an SQS batch one record at a time. Per record: `handle` returns ⇒ acknowledged;
 * malformed (not JSON, or `handle` throws EventValidationError) ⇒ dead-lettered with the
 * reason and acknowledged, never retried; anything else ⇒ a batch item failure (SQS
 * retries it, and its redrive policy dead-letters it in the end), made visible again
 * after `retryAfterSeconds`. One bad record never stops the rest of the batch.
 */
export async function processSqsBatch(
  records: readonly SQSRecord[],
  handle: (body: unknown, record: SQSRecord) => Promise<void>,
  o: SqsBatchOptions,
): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of records) {
    try {
      await handle(parseBody(record), record);
    } catch (err) {
      let failure = err;
      if (err instanceof EventValidationError) {
        try {
          await deadLetter(
            { queues: o.queues, queueName: o.deadLetterQueueName, log: o.log, clock: o.clock ?? systemClock },
            { source: o.source, kind: o.kind ?? 'sqs-message', input: record.body, error: err },
          );
          continue;
        } catch (dlqErr) {
          failure = dlqErr; // the dead-letter queue did not take it: keep the message in SQS instead
        }
      }
      o.log.error('record failed; it will be retried', { messageId: record.messageId, error: errorMessage(failure) });
      failures.push({ itemIdentifier: record.messageId });
      await o.queues.retryAfter(o.queueName, record.receiptHandle, o.retryAfterSeconds).catch((e: unknown) => {
        o.log.warn('could not shorten the retry delay; SQS retries after the visibility timeout', { error: errorMessage(e) });
      });
    }
  }
  return { batchItemFailures: failures };
}

/**
 * Handle an SQS batch in groups (e.g. every record of one cluster at once, so a burst makes one
 * decision). Per record: `parse` throws EventValidationError (or the body is not JSON) ⇒
 * dead-lettered with the reason and acknowledged. `handle` gets every group at once and answers
 * the groups that failed (with why): their records are batch item failures, retried after
 * `retryAfterSeconds` (the redrive policy dead-letters them in the end); the others are
 * acknowledged. A throw from `handle` fails every group. One bad record never stops the others.
 */
export async function processSqsGroups<T>(
  records: readonly SQSRecord[],
  parse: (body: unknown, record: SQSRecord) => T,
  keyOf: (item: T, record: SQSRecord) => string,
  handle: (groups: Map<string, Array<{ item: T; record: SQSRecord }>>) => Promise<Map<string, string>>,
  o: SqsBatchOptions,
): Promise<SQSBatchResponse> {
  const groups = new Map<string, Array<{ item: T; record: SQSRecord }>>();
  const parsed = await processSqsBatch(
    records,
    async (body, record) => {
      const item = parse(body, record);
      const key = keyOf(item, record);
      groups.set(key, [...(groups.get(key) ?? []), { item, record }]);
    },
    o,
  );
  const failures = [...parsed.batchItemFailures];
  let failed: Map<string, string>;
  try {
    failed = groups.size > 0 ? await handle(groups) : new Map();
  } catch (err) {
    failed = new Map([...groups.keys()].map((k) => [k, errorMessage(err)]));
  }
  for (const [key, error] of failed) {
    const items = groups.get(key) ?? [];
    o.log.error('group failed; its records will be retried', { key, records: items.length, error });
    for (const { record } of items) {
      failures.push({ itemIdentifier: record.messageId });
      await o.queues.retryAfter(o.queueName, record.receiptHandle, o.retryAfterSeconds).catch((e: unknown) => {
        o.log.warn('could not shorten the retry delay; SQS retries after the visibility timeout', { error: errorMessage(e) });
      });
    }
  }
  return { batchItemFailures: failures };
}

function parseBody(record: SQSRecord): unknown {
  try {
    return JSON.parse(record.body);
  } catch {
    throw new EventValidationError('message body is not JSON', [record.body.slice(0, 200)]);
  }
}
