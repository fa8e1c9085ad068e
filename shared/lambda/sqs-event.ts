import type { SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { EventValidationError } from './errors';

/**
 * An SQS event as Lambda's event source mapping delivers it ("Using Lambda with Amazon SQS",
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html): the fields we rely on. Written
 * here rather than taken from Powertools Parser: its schemas import zod's whole namespace, which
 * esbuild cannot tree-shake (its locales alone are 267 kB minified), and took the queue-fed
 * functions' zips from ~380 kB to 466 kB, past the 400 kB budget.
 */
const sqsEvent = z.object({
  Records: z.array(
    z.object({
      messageId: z.string().min(1),
      receiptHandle: z.string().min(1),
      body: z.string(),
      attributes: z.record(z.string(), z.string().optional()),
      eventSource: z.literal('aws:sqs'),
      eventSourceARN: z.string().min(1),
      awsRegion: z.string().min(1),
    }),
  ),
});

/**
 * The records of an SQS event. Anything else — an
 * EventBridge event or a sample sent by hand to a queue-fed function — throws an
 * EventValidationError that says what was expected, instead of a silent empty batch.
 * (processSqsBatch then reads each body, rather than Parser's SqsEnvelope: it dead-letters a
 * malformed record with its origin and keeps the rest of the batch, where the envelope rejects
 * the whole batch at its first bad record.)
 */
export function sqsRecords(event: unknown, functionName: string): SQSRecord[] {
  const parsed = sqsEvent.safeParse(event);
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
