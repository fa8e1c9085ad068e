import { createHash } from 'node:crypto';
import {
  BatchEntryIdsNotDistinct,
  EmptyBatchRequest,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  TooManyEntriesInBatchRequest,
  type CreateQueueCommandInput,
  type DeleteMessageCommandInput,
  type GetQueueAttributesCommandInput,
  type GetQueueUrlCommandInput,
  type Message,
  type MessageAttributeValue,
  type ReceiveMessageCommandInput,
  type SendMessageBatchCommandInput,
  type SendMessageCommandInput,
} from '@aws-sdk/client-sqs';
import type { OperationTable, SimService, SimulatedAccount } from './account';
import { simError } from './errors';
import {
  SQS_BATCH_MAX,
  SQS_DEFAULT_MAX_MESSAGE_BYTES,
  SQS_DELAY_SECONDS_MAX,
  SQS_VISIBILITY_TIMEOUT_MAX,
  SQS_WAIT_TIME_SECONDS_MAX,
} from './limits';
import { byteLength, hexId, uuid } from './util';

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
}

interface QueueRecord {
  name: string;
  url: string;
  arn: string;
  attributes: Record<string, string>;
  messages: MessageRecord[];
}

const DEFAULT_ATTRIBUTES: Record<string, string> = {
  DelaySeconds: '0',
  VisibilityTimeout: '30',
  MessageRetentionPeriod: '345600',
  MaximumMessageSize: String(SQS_DEFAULT_MAX_MESSAGE_BYTES),
  ReceiveMessageWaitTimeSeconds: '0',
};

const meta = () => ({ httpStatusCode: 400, requestId: 'sim', attempts: 1, totalRetryDelay: 0 });
const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
const invalidValue = (name: string, value: unknown, reason: string) =>
  simError('InvalidParameterValue', `Value ${value} for parameter ${name} is invalid. Reason: ${reason}`);

/** SQS standard queues: delays, visibility timeouts and long polling in simulated time. */
export class SimSqs implements SimService {
  private readonly queues = new Map<string, QueueRecord>();

  constructor(readonly account: SimulatedAccount) {}

  operations(): OperationTable {
    return {
      CreateQueue: (input: CreateQueueCommandInput) => ({ QueueUrl: this.createQueue(input.QueueName ?? '', input.Attributes ?? {}) }),
      GetQueueUrl: (input: GetQueueUrlCommandInput) => ({ QueueUrl: this.byName(input.QueueName ?? '').url }),
      SendMessage: (input: SendMessageCommandInput) => {
        const m = this.send(this.byUrl(input.QueueUrl), input.MessageBody, input.DelaySeconds, input.MessageAttributes);
        return { MessageId: m.messageId, MD5OfMessageBody: md5(m.body) };
      },
      SendMessageBatch: (input: SendMessageBatchCommandInput) => {
        const q = this.byUrl(input.QueueUrl);
        const entries = input.Entries ?? [];
        if (entries.length === 0)
          throw new EmptyBatchRequest({
            message: 'There should be at least one SendMessageBatchRequestEntry in the request.',
            $metadata: meta(),
          });
        if (entries.length > SQS_BATCH_MAX) {
          throw new TooManyEntriesInBatchRequest({
            message: `Maximum number of entries per request are ${SQS_BATCH_MAX}. You have sent ${entries.length}.`,
            $metadata: meta(),
          });
        }
        if (new Set(entries.map((e) => e.Id)).size !== entries.length) {
          throw new BatchEntryIdsNotDistinct({ message: 'Two or more batch entries in the request have the same Id.', $metadata: meta() });
        }
        const Successful = [];
        const Failed = [];
        for (const e of entries) {
          try {
            const m = this.send(q, e.MessageBody, e.DelaySeconds, e.MessageAttributes);
            Successful.push({ Id: e.Id, MessageId: m.messageId, MD5OfMessageBody: md5(m.body) });
          } catch (err) {
            Failed.push({ Id: e.Id, SenderFault: true, Code: (err as Error).name, Message: (err as Error).message });
          }
        }
        return { Successful, Failed };
      },
      ReceiveMessage: (input: ReceiveMessageCommandInput) => this.receive(input),
      DeleteMessage: (input: DeleteMessageCommandInput) => {
        const q = this.byUrl(input.QueueUrl);
        const m = q.messages.find((x) => x.receiptHandle === input.ReceiptHandle);
        if (!m) {
          throw new ReceiptHandleIsInvalid({
            message: `The input receipt handle "${input.ReceiptHandle}" is not a valid receipt handle.`,
            $metadata: meta(),
          });
        }
        m.deletedAt ??= this.account.clock.now();
        return {};
      },
      ChangeMessageVisibility: (input: { QueueUrl: string; ReceiptHandle: string; VisibilityTimeout: number }) => {
        const q = this.byUrl(input.QueueUrl);
        const m = q.messages.find((x) => x.receiptHandle === input.ReceiptHandle && x.deletedAt === undefined);
        if (!m) {
          throw new ReceiptHandleIsInvalid({
            message: `The input receipt handle "${input.ReceiptHandle}" is not a valid receipt handle.`,
            $metadata: meta(),
          });
        }
        if (input.VisibilityTimeout < 0 || input.VisibilityTimeout > SQS_VISIBILITY_TIMEOUT_MAX) {
          throw invalidValue(
            'VisibilityTimeout',
            input.VisibilityTimeout,
            `Must be between 0 and ${SQS_VISIBILITY_TIMEOUT_MAX}, if provided.`,
          );
        }
        m.visibleAt = this.account.clock.now() + input.VisibilityTimeout * 1000;
        return {};
      },
      GetQueueAttributes: (input: GetQueueAttributesCommandInput) => {
        const q = this.byUrl(input.QueueUrl);
        const all = this.attributesOf(q);
        const names = input.AttributeNames ?? [];
        const Attributes = names.includes('All') ? all : Object.fromEntries(names.filter((n) => n in all).map((n) => [n, all[n]!]));
        return { Attributes };
      },
    };
  }

  // ---- seeding and observing --------------------------------------------------------

  /** CreateQueue: idempotent for the same attributes; answers the queue URL. */
  createQueue(name: string, attributes: Record<string, string> = {}): string {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name))
      throw simError('InvalidParameterValue', `Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length`);
    const existing = this.queues.get(name);
    if (existing) {
      const differing = Object.keys(attributes).find((k) => existing.attributes[k] !== attributes[k]);
      if (differing) {
        throw new QueueNameExists({
          message: `A queue already exists with the same name and a different value for attribute ${differing}`,
          $metadata: meta(),
        });
      }
      return existing.url;
    }
    const q: QueueRecord = {
      name,
      url: `https://sqs.${this.account.region}.amazonaws.com/${this.account.accountId}/${name}`,
      arn: this.account.arn('sqs', name),
      attributes: { ...DEFAULT_ATTRIBUTES, ...attributes },
      messages: [],
    };
    this.queues.set(name, q);
    return q.url;
  }

  /** Every message ever sent to the queue (deleted ones keep `deletedAt`). */
  messages(url: string): MessageRecord[] {
    return this.byUrl(url).messages.map((m) => structuredClone(m));
  }

  /** Messages still in the queue (not deleted), visible or not. */
  pending(url: string): MessageRecord[] {
    return this.messages(url).filter((m) => m.deletedAt === undefined);
  }

  /** Used by SNS subscriptions: deliver a body to a queue as SQS would. */
  deliver(url: string, body: string, messageAttributes: Record<string, MessageAttributeValue> = {}): MessageRecord {
    return this.send(this.byUrl(url), body, undefined, messageAttributes);
  }

  queueArn(url: string): string {
    return this.byUrl(url).arn;
  }

  // ---- internals ----------------------------------------------------------------------------

  private send(
    q: QueueRecord,
    body: string | undefined,
    delay: number | undefined,
    attrs: Record<string, MessageAttributeValue> | undefined,
  ): MessageRecord {
    if (body === undefined || body === '') throw simError('MissingParameter', 'The request must contain the parameter MessageBody.');
    if (byteLength(body) > Number(q.attributes.MaximumMessageSize)) {
      throw invalidValue('MessageBody', '(omitted)', `Message must be shorter than ${q.attributes.MaximumMessageSize} bytes.`);
    }
    const delaySeconds = delay ?? Number(q.attributes.DelaySeconds);
    if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > SQS_DELAY_SECONDS_MAX) {
      throw invalidValue('DelaySeconds', delaySeconds, `DelaySeconds must be >= 0 and <= ${SQS_DELAY_SECONDS_MAX}.`);
    }
    const now = this.account.clock.now();
    const m: MessageRecord = {
      messageId: uuid(this.account),
      body,
      messageAttributes: attrs ?? {},
      sentAt: now,
      delaySeconds,
      visibleAt: now + delaySeconds * 1000,
      receiveCount: 0,
    };
    q.messages.push(m);
    return m;
  }

  private async receive(input: ReceiveMessageCommandInput): Promise<{ Messages?: Message[] }> {
    const q = this.byUrl(input.QueueUrl);
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

    let ready = this.visible(q);
    if (ready.length === 0 && wait > 0) {
      // Long polling in simulated time: wait for the next message to become visible, at most `wait`.
      const now = this.account.clock.now();
      const next = Math.min(...q.messages.filter((m) => m.deletedAt === undefined).map((m) => m.visibleAt), Infinity);
      await this.account.clock.sleep(Math.min(wait * 1000, Math.max(0, next - now)));
      this.account.runDue();
      ready = this.visible(q);
    }
    const now = this.account.clock.now();
    const picked = ready.slice(0, max);
    const wantAttrs = [...(input.MessageSystemAttributeNames ?? []), ...((input as { AttributeNames?: string[] }).AttributeNames ?? [])];
    const wantMsgAttrs = input.MessageAttributeNames ?? [];
    const messages = picked.map((m): Message => {
      m.receiveCount += 1;
      m.firstReceivedAt ??= now;
      m.visibleAt = now + visibility * 1000;
      m.receiptHandle = `AQEB${hexId(this.account, 40)}`;
      const system: Record<string, string> = {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt),
        SenderId: 'AIDASIMULATEDSENDER',
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

  private visible(q: QueueRecord): MessageRecord[] {
    const now = this.account.clock.now();
    return q.messages.filter((m) => m.deletedAt === undefined && m.visibleAt <= now);
  }

  private attributesOf(q: QueueRecord): Record<string, string> {
    const now = this.account.clock.now();
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

  private byName(name: string): QueueRecord {
    const q = this.queues.get(name);
    if (!q) throw new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: meta() });
    return q;
  }

  private byUrl(url: string | undefined): QueueRecord {
    return this.byName((url ?? '').slice((url ?? '').lastIndexOf('/') + 1));
  }
}
