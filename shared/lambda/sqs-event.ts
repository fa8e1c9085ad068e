import { SqsSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { EventValidationError } from './errors';

/**
 * The records of an SQS event, checked with Powertools Parser's SQS schema. Anything else — an
 * EventBridge event or a sample sent by hand to a queue-fed function — throws an
 * EventValidationError that says what was expected, instead of a silent empty batch.
 * (Our own processSqsBatch, not Parser's SqsEnvelope, then reads each body: it dead-letters a
 * malformed record with its origin and keeps the rest of the batch, where the envelope would
 * reject the whole batch at its first bad record.)
 */
export function sqsRecords(event: unknown, functionName: string): SQSRecord[] {
  const parsed = SqsSchema.safeParse(event);
  if (parsed.success) return (event as SQSEvent).Records;
  const kind = describe(event);
  throw new EventValidationError(
    `${functionName} is fed by an SQS queue and takes an SQS event ({"Records":[{"eventSource":"aws:sqs","body":"…",…}]}), got ${kind}` +
      ' (npm run invoke wraps a sample as SQS records)',
    parsed.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`),
  );
}

function describe(event: unknown): string {
  if (!event || typeof event !== 'object') return JSON.stringify(event) ?? String(event);
  const e = event as Record<string, unknown>;
  if (typeof e['detail-type'] === 'string') return `an EventBridge event ("${e['detail-type']}")`;
  if (e.Type === 'Notification') return 'an SNS notification';
  return `an object with keys ${Object.keys(e).slice(0, 8).join(', ') || '(none)'}`;
}
