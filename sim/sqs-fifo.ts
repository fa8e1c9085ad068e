import { createHash } from 'node:crypto';
import type { SimulatedAccount } from './account';
import { simError } from './errors';

/**
 * SQS FIFO queues, as the SQS Developer Guide documents them; each rule cites its page.
 *
 * - "FIFO queue delivery logic": every message needs a MessageGroupId; within a group messages
 *   are received in the order sent; "you can't receive additional messages from the same message
 *   group ID in subsequent requests unless the currently received messages are deleted or they
 *   become visible again"; one receive "attempts to return as many messages with the same message
 *   group ID as possible" and, with fewer than asked, may add messages of other groups.
 * - "Amazon SQS FIFO queue key terms" / SendMessage `MessageDeduplicationId`: a message sent with
 *   the deduplication ID of one sent in the last 5 minutes "is accepted successfully but isn't
 *   delivered"; with ContentBasedDeduplication the ID is the SHA-256 of the body; with neither,
 *   the send fails. The ID is tracked "even after the message has been received and deleted".
 * - SendMessage `DelaySeconds`: "FIFO queues don't support per-message delays, only per-queue delays."
 * - CreateQueue `QueueName`: "A FIFO queue name must end with the .fifo suffix."
 */

/** The deduplication interval (FIFO key terms: "a 5 minute deduplication interval"). */
export const FIFO_DEDUPLICATION_MS = 5 * 60_000;

export interface FifoState {
  sequence: bigint;
  /** Deduplication ID → when it was first accepted and the message it named. */
  seen: Map<string, { at: number; messageId: string }>;
}

export interface FifoFields {
  groupId: string;
  deduplicationId: string;
  sequenceNumber: string;
}

export const isFifoQueue = (attributes: Record<string, string>) => attributes.FifoQueue === 'true';

/** CreateQueue's name rule for either kind (the error texts are SQS's). */
export function checkQueueName(name: string, attributes: Record<string, string>): void {
  const fifo = isFifoQueue(attributes);
  const base = fifo ? name.replace(/\.fifo$/, '') : name;
  if (fifo && !name.endsWith('.fifo'))
    throw simError(
      'InvalidParameterValue',
      'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
    );
  if (!/^[A-Za-z0-9_-]+$/.test(base) || name.length > 80)
    throw simError('InvalidParameterValue', 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
}

/**
 * The FIFO fields of a message about to be sent, or `duplicateOf` (the message ID the same
 * deduplication ID was accepted with in the last 5 minutes: SQS answers success, delivers nothing).
 */
export function acceptFifo(
  account: SimulatedAccount,
  state: FifoState,
  attributes: Record<string, string>,
  input: { body: string; groupId?: string; deduplicationId?: string; delaySeconds?: number },
): FifoFields & { duplicateOf?: string } {
  if (!input.groupId) throw simError('MissingParameter', 'The request must contain the parameter MessageGroupId.');
  if (input.delaySeconds !== undefined && input.delaySeconds !== 0)
    throw simError(
      'InvalidParameterValue',
      `Value ${input.delaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
    );
  const deduplicationId =
    input.deduplicationId ??
    (attributes.ContentBasedDeduplication === 'true' ? createHash('sha256').update(input.body, 'utf8').digest('hex') : undefined);
  if (!deduplicationId)
    throw simError(
      'InvalidParameterValue',
      'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
    );
  const now = account.clock.now();
  for (const [id, s] of state.seen) if (now - s.at >= FIFO_DEDUPLICATION_MS) state.seen.delete(id);
  const seen = state.seen.get(deduplicationId);
  state.sequence += 1n;
  const fields = { groupId: input.groupId, deduplicationId, sequenceNumber: state.sequence.toString().padStart(20, '0') };
  return seen ? { ...fields, duplicateOf: seen.messageId } : fields;
}

/** Remember an accepted message's deduplication ID (from its send, for the next 5 minutes). */
export function rememberFifo(account: SimulatedAccount, state: FifoState, deduplicationId: string, messageId: string): void {
  state.seen.set(deduplicationId, { at: account.clock.now(), messageId });
}

interface Receivable {
  groupId?: string;
  visibleAt: number;
  receiveCount: number;
  deletedAt?: number;
}

/**
 * The messages one ReceiveMessage may return from a FIFO queue, in order: groups with a message
 * in flight are skipped whole; the oldest ready group first, as many of its messages as allowed,
 * then the next group's.
 */
export function receivableFifo<M extends Receivable>(messages: readonly M[], now: number, max: number): M[] {
  const groups = new Map<string, M[]>();
  for (const m of messages) {
    if (m.deletedAt !== undefined) continue;
    const g = groups.get(m.groupId ?? '') ?? [];
    g.push(m);
    groups.set(m.groupId ?? '', g);
  }
  const out: M[] = [];
  for (const group of groups.values()) {
    if (group.some((m) => m.receiveCount > 0 && m.visibleAt > now)) continue; // a message of this group is in flight
    for (const m of group) {
      if (out.length >= max || m.visibleAt > now) break;
      out.push(m);
    }
    if (out.length >= max) break;
  }
  return out;
}
