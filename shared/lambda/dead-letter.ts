import { createHash } from 'node:crypto';
import type { Clock } from './clock';
import { errorMessage } from './errors';
import type { Log } from './observability';
import type { QueueAdapter } from '../aws/sqs-queues';

/**
 * SendMessage: "The minimum is 1 byte and the maximum is 262,144 bytes (256 KiB)", body and
 * message attributes together. The stack's dead-letter queue sets MaximumMessageSize to this
 * (serverless.yml), so an envelope that fits here fits there.
 */
export const DEAD_LETTER_MAX_BYTES = 262_144;
/** An error text longer than this is clipped (zod lists every issue; the log has them all). */
const ERROR_MAX_CHARS = 4_000;
/** A message attribute value is clipped to this (it is for filtering and the console, not the record). */
const ATTRIBUTE_MAX_CHARS = 256;

/** An input too big for the queue: enough to recognise it, check it against a copy, and read its start. */
export interface OversizedInput {
  oversized: true;
  /** Size of the whole input as JSON (a string input: its own UTF-8 bytes). */
  bytes: number;
  /** SHA-256 of those bytes, hex. */
  sha256: string;
  /** The first bytes of it, as many as fit. */
  head: string;
}

/** Every message our code dead-letters: where it came from, why, when, and what it was. */
export interface DeadLetterEnvelope {
  /** The function that rejected it (serverless.yml's name, e.g. `spotInterruption`). */
  source: string;
  /** The message kind it was taken for (e.g. `spot-interruption-warning`, `asg-drain-message`). */
  kind: string;
  error: string;
  /** ISO time from the function's clock. */
  rejectedAt: string;
  /** The input as received (an SQS record body stays the string it was), or an OversizedInput. */
  input: unknown;
}

export interface Rejected {
  source: string;
  kind: string;
  input: unknown;
  error: unknown;
}

export interface DeadLetterDeps {
  queues: Pick<QueueAdapter, 'send'>;
  /** Unset (e.g. `sls invoke local`): the rejection is only logged. */
  queueName: string | undefined;
  log: Log;
  clock: Clock;
}

/**
 * Report malformed input and park it in the dead-letter queue with the reason, so nothing is
 * lost and nothing is retried forever. Returns the message id (undefined without a queue).
 * Throws when the queue cannot take it: the trigger then retries, and its own failure
 * destination or redrive policy keeps the event.
 */
export async function deadLetter(d: DeadLetterDeps, rejected: Rejected): Promise<string | undefined> {
  const message = deadLetterMessage(rejected, d.clock.now());
  d.log.error('input rejected', {
    source: rejected.source,
    kind: rejected.kind,
    error: message.envelope.error,
    ...(isOversized(message.envelope.input) ? { oversizedBytes: message.envelope.input.bytes, sha256: message.envelope.input.sha256 } : {}),
  });
  if (!d.queueName) return undefined;
  return d.queues.send(d.queueName, message.body, { attributes: message.attributes });
}

/** The SQS message for a rejection: the envelope as JSON, and attributes to filter on. Pure. */
export function deadLetterMessage(
  r: Rejected,
  now: number,
): { envelope: DeadLetterEnvelope; body: string; attributes: Record<string, string> } {
  const error = clip(errorMessage(r.error), ERROR_MAX_CHARS);
  const attributes = { source: r.source, kind: r.kind, error: clip(error, ATTRIBUTE_MAX_CHARS) };
  // SQS counts each attribute's name, data type ("String") and value.
  const attributeBytes = Object.entries(attributes).reduce((n, [k, v]) => n + byteLength(k) + byteLength('String') + byteLength(v), 0);
  const budget = DEAD_LETTER_MAX_BYTES - attributeBytes;
  const envelope: DeadLetterEnvelope = { source: r.source, kind: r.kind, error, rejectedAt: new Date(now).toISOString(), input: r.input };
  let body = stringify(envelope);
  if (byteLength(body) <= budget) return { envelope, body, attributes };

  const whole = typeof r.input === 'string' ? r.input : stringify(r.input);
  const summary: OversizedInput = {
    oversized: true,
    bytes: byteLength(whole),
    sha256: createHash('sha256').update(whole, 'utf8').digest('hex'),
    head: '',
  };
  // JSON escaping can make the head longer than its bytes (a quote becomes \"): scale it down until the envelope fits.
  const room = budget - byteLength(stringify({ ...envelope, input: summary }));
  let headBytes = room;
  for (;;) {
    summary.head = utf8Prefix(whole, Math.max(0, headBytes));
    const escaped = byteLength(stringify(summary.head)) - 2;
    if (escaped <= room || headBytes <= 0) break;
    headBytes = Math.floor((headBytes * room) / escaped) - 1;
  }
  body = stringify({ ...envelope, input: summary });
  return { envelope: { ...envelope, input: summary }, body, attributes };
}

const isOversized = (input: unknown): input is OversizedInput =>
  !!input && typeof input === 'object' && (input as OversizedInput).oversized === true;
const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');
const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

function stringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The longest prefix of `s` that is at most `bytes` UTF-8 bytes, never splitting a character. */
function utf8Prefix(s: string, bytes: number): string {
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= bytes) return s;
  let end = bytes;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end -= 1; // back up to the start of a character
  return buf.subarray(0, end).toString('utf8');
}
