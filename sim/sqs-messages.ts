import { createHash } from 'node:crypto';
import type { Message, MessageAttributeValue, ReceiveMessageCommandInput } from '@aws-sdk/client-sqs';
import type { SimulatedAccount } from './account';
import { simError } from './errors';
import { SQS_BATCH_MAX, SQS_DELAY_SECONDS_MAX, SQS_VISIBILITY_TIMEOUT_MAX, SQS_WAIT_TIME_SECONDS_MAX } from './limits';
import { acceptFifo, receivableFifo, rememberFifo, type FifoState } from './sqs-fifo';
import { byteLength, hexId, uuid } from './util';

/**
 * The messages of one simulated SQS queue: sending (size and delay checks), receiving
 * (visibility timeouts, long polling in simulated time) and the approximate counts
 * GetQueueAttributes answers. The queues themselves and the API are sim/sqs.ts's.
 */

export interface MessageRecord {
  messageId: string;
  body: string;
  messageAttributes: Record<string, MessageAttributeValue>;
  sentAt: number;
  delaySeconds: number;
  /** Not receivable before this (send delay, then visibility timeouts). */
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  receiptHandle?: string;
  deletedAt?: number;
  /** FIFO queues only (sim/sqs-fifo.ts). */
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber?: string;
}

export interface QueueRecord {
  name: string;
  url: string;
  arn: string;
  attributes: Record<string, string>;
  messages: MessageRecord[];
  /** Present on FIFO queues: sequence numbers and the deduplication IDs of the last 5 minutes. */
  fifo?: FifoState;
}

/** SendMessage's FIFO parameters. */
export interface FifoInput {
  groupId?: string;
  deduplicationId?: string;
}

export const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
export const invalidValue = (name: string, value: unknown, reason: string) =>
  simError('InvalidParameterValue', `Value ${value} for parameter ${name} is invalid. Reason: ${reason}`);

export function sendMessage(
  account: SimulatedAccount,
  q: QueueRecord,
  body: string | undefined,
  delay: number | undefined,
  attrs: Record<string, MessageAttributeValue> | undefined,
  fifoInput: FifoInput = {},
): MessageRecord {
  if (body === undefined || body === '') throw simError('MissingParameter', 'The request must contain the parameter MessageBody.');
  if (byteLength(body) > Number(q.attributes.MaximumMessageSize)) {
    throw invalidValue('MessageBody', '(omitted)', `Message must be shorter than ${q.attributes.MaximumMessageSize} bytes.`);
  }
  if (q.fifo) {
    const f = acceptFifo(account, q.fifo, q.attributes, { body, ...fifoInput, ...(delay !== undefined ? { delaySeconds: delay } : {}) });
    const original = f.duplicateOf && q.messages.find((m) => m.messageId === f.duplicateOf);
    // A duplicate within the deduplication interval is accepted and not delivered (its answer names the first).
    if (original) return original;
    const { duplicateOf: _d, ...fields } = f;
    const m = newRecord(account, body, Number(q.attributes.DelaySeconds), attrs);
    Object.assign(m, fields);
    rememberFifo(account, q.fifo, fields.deduplicationId, m.messageId);
    q.messages.push(m);
    return m;
  }
  const delaySeconds = delay ?? Number(q.attributes.DelaySeconds);
  if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > SQS_DELAY_SECONDS_MAX) {
    throw invalidValue('DelaySeconds', delaySeconds, `DelaySeconds must be >= 0 and <= ${SQS_DELAY_SECONDS_MAX}.`);
  }
  const m = newRecord(account, body, delaySeconds, attrs);
  q.messages.push(m);
  return m;
}

function newRecord(
  account: SimulatedAccount,
  body: string,
  delaySeconds: number,
  attrs?: Record<string, MessageAttributeValue>,
): MessageRecord {
  const now = account.clock.now();
  return {
    messageId: uuid(account),
    body,
    messageAttributes: attrs ?? {},
    sentAt: now,
    delaySeconds,
    visibleAt: now + delaySeconds * 1000,
    receiveCount: 0,
  };
}

export async function receiveMessages(
  account: SimulatedAccount,
  q: QueueRecord,
  input: ReceiveMessageCommandInput,
): Promise<{ Messages?: Message[] }> {
  const max = input.MaxNumberOfMessages ?? 1;
  if (!Number.isInteger(max) || max < 1 || max > SQS_BATCH_MAX) {
    throw invalidValue('MaxNumberOfMessages', max, `Must be between 1 and ${SQS_BATCH_MAX}, if provided.`);
  }
  const visibility = input.VisibilityTimeout ?? Number(q.attributes.VisibilityTimeout);
  if (visibility < 0 || visibility > SQS_VISIBILITY_TIMEOUT_MAX)
    throw invalidValue('VisibilityTimeout', visibility, `Must be between 0 and ${SQS_VISIBILITY_TIMEOUT_MAX}, if provided.`);
  const wait = input.WaitTimeSeconds ?? Number(q.attributes.ReceiveMessageWaitTimeSeconds);
  if (wait < 0 || wait > SQS_WAIT_TIME_SECONDS_MAX)
    throw invalidValue('WaitTimeSeconds', wait, `Must be >= 0 and <= ${SQS_WAIT_TIME_SECONDS_MAX}, if provided.`);

  let ready = visible(account, q, max);
  if (ready.length === 0 && wait > 0) {
    // Long polling in simulated time: wait for the next message to become visible, at most `wait`.
    const now = account.clock.now();
    const next = Math.min(...q.messages.filter((m) => m.deletedAt === undefined).map((m) => m.visibleAt), Infinity);
    await account.clock.sleep(Math.min(wait * 1000, Math.max(0, next - now)));
    account.runDue();
    ready = visible(account, q, max);
  }
  const now = account.clock.now();
  const picked = ready.slice(0, max);
  const wantAttrs = [...(input.MessageSystemAttributeNames ?? []), ...((input as { AttributeNames?: string[] }).AttributeNames ?? [])];
  const wantMsgAttrs = input.MessageAttributeNames ?? [];
  const messages = picked.map((m): Message => {
    m.receiveCount += 1;
    m.firstReceivedAt ??= now;
    m.visibleAt = now + visibility * 1000;
    m.receiptHandle = `AQEB${hexId(account, 40)}`;
    const system: Record<string, string> = {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: String(m.sentAt),
      ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt),
      SenderId: 'AIDASIMULATEDSENDER',
      ...(m.groupId
        ? { MessageGroupId: m.groupId, MessageDeduplicationId: m.deduplicationId ?? '', SequenceNumber: m.sequenceNumber ?? '' }
        : {}),
    };
    const attrs = wantAttrs.includes('All') ? system : Object.fromEntries(Object.entries(system).filter(([k]) => wantAttrs.includes(k)));
    const msgAttrs = Object.fromEntries(
      Object.entries(m.messageAttributes).filter(
        ([k]) => wantMsgAttrs.includes('All') || wantMsgAttrs.includes('.*') || wantMsgAttrs.includes(k),
      ),
    );
    return {
      MessageId: m.messageId,
      ReceiptHandle: m.receiptHandle,
      MD5OfBody: md5(m.body),
      Body: m.body,
      ...(Object.keys(attrs).length ? { Attributes: attrs } : {}),
      ...(Object.keys(msgAttrs).length ? { MessageAttributes: msgAttrs } : {}),
    };
  });
  return messages.length ? { Messages: messages } : {};
}

function visible(account: SimulatedAccount, q: QueueRecord, max: number): MessageRecord[] {
  const now = account.clock.now();
  if (q.fifo) return receivableFifo(q.messages, now, max);
  return q.messages.filter((m) => m.deletedAt === undefined && m.visibleAt <= now);
}

export function queueAttributes(account: SimulatedAccount, q: QueueRecord): Record<string, string> {
  const now = account.clock.now();
  const live = q.messages.filter((m) => m.deletedAt === undefined);
  const delayed = live.filter((m) => m.receiveCount === 0 && m.visibleAt > now).length;
  const inFlight = live.filter((m) => m.receiveCount > 0 && m.visibleAt > now).length;
  return {
    ...q.attributes,
    QueueArn: q.arn,
    ApproximateNumberOfMessages: String(live.length - delayed - inFlight),
    ApproximateNumberOfMessagesNotVisible: String(inFlight),
    ApproximateNumberOfMessagesDelayed: String(delayed),
  };
}
