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
  type MessageAttributeValue,
  type ReceiveMessageCommandInput,
  type SendMessageBatchCommandInput,
  type SendMessageCommandInput,
} from '@aws-sdk/client-sqs';
import type { OperationTable, SimService, SimulatedAccount } from './account';
import { SQS_BATCH_MAX, SQS_DEFAULT_MAX_MESSAGE_BYTES, SQS_VISIBILITY_TIMEOUT_MAX } from './limits';
import { checkQueueName, isFifoQueue } from './sqs-fifo';
import { invalidValue, md5, queueAttributes, receiveMessages, sendMessage, type MessageRecord, type QueueRecord } from './sqs-messages';

export type { MessageRecord } from './sqs-messages';

const DEFAULT_ATTRIBUTES: Record<string, string> = {
  DelaySeconds: '0',
  VisibilityTimeout: '30',
  MessageRetentionPeriod: '345600',
  MaximumMessageSize: String(SQS_DEFAULT_MAX_MESSAGE_BYTES),
  ReceiveMessageWaitTimeSeconds: '0',
};

const meta = () => ({ httpStatusCode: 400, requestId: 'sim', attempts: 1, totalRetryDelay: 0 });

/** SQS standard queues: delays, visibility timeouts and long polling in simulated time. */
export class SimSqs implements SimService {
  private readonly queues = new Map<string, QueueRecord>();

  constructor(readonly account: SimulatedAccount) {}

  operations(): OperationTable {
    return {
      CreateQueue: (input: CreateQueueCommandInput) => ({ QueueUrl: this.createQueue(input.QueueName ?? '', input.Attributes ?? {}) }),
      GetQueueUrl: (input: GetQueueUrlCommandInput) => ({ QueueUrl: this.byName(input.QueueName ?? '').url }),
      SendMessage: (input: SendMessageCommandInput) => {
        const m = sendMessage(this.account, this.byUrl(input.QueueUrl), input.MessageBody, input.DelaySeconds, input.MessageAttributes, {
          groupId: input.MessageGroupId,
          deduplicationId: input.MessageDeduplicationId,
        });
        // The digest is of the body sent (a FIFO duplicate answers the first message's id, not its body).
        return {
          MessageId: m.messageId,
          MD5OfMessageBody: md5(input.MessageBody ?? ''),
          ...(m.sequenceNumber ? { SequenceNumber: m.sequenceNumber } : {}),
        };
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
            const m = sendMessage(this.account, q, e.MessageBody, e.DelaySeconds, e.MessageAttributes, {
              groupId: e.MessageGroupId,
              deduplicationId: e.MessageDeduplicationId,
            });
            Successful.push({
              Id: e.Id,
              MessageId: m.messageId,
              MD5OfMessageBody: md5(e.MessageBody ?? ''),
              ...(m.sequenceNumber ? { SequenceNumber: m.sequenceNumber } : {}),
            });
          } catch (err) {
            Failed.push({ Id: e.Id, SenderFault: true, Code: (err as Error).name, Message: (err as Error).message });
          }
        }
        return { Successful, Failed };
      },
      ReceiveMessage: (input: ReceiveMessageCommandInput) => receiveMessages(this.account, this.byUrl(input.QueueUrl), input),
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
        const all = queueAttributes(this.account, q);
        const names = input.AttributeNames ?? [];
        const Attributes = names.includes('All') ? all : Object.fromEntries(names.filter((n) => n in all).map((n) => [n, all[n]!]));
        return { Attributes };
      },
    };
  }

  // ---- seeding and observing --------------------------------------------------------

  /** CreateQueue: idempotent for the same attributes; answers the queue URL. */
  createQueue(name: string, attributes: Record<string, string> = {}): string {
    checkQueueName(name, attributes);
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
      ...(isFifoQueue(attributes) ? { fifo: { sequence: 0n, seen: new Map() } } : {}),
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
  deliver(
    url: string,
    body: string,
    messageAttributes: Record<string, MessageAttributeValue> = {},
    fifo: { groupId?: string; deduplicationId?: string } = {},
  ): MessageRecord {
    return sendMessage(this.account, this.byUrl(url), body, undefined, messageAttributes, fifo);
  }

  queueArn(url: string): string {
    return this.byUrl(url).arn;
  }

  // ---- internals ----------------------------------------------------------------------------

  private byName(name: string): QueueRecord {
    const q = this.queues.get(name);
    if (!q) throw new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: meta() });
    return q;
  }

  private byUrl(url: string | undefined): QueueRecord {
    return this.byName((url ?? '').slice((url ?? '').lastIndexOf('/') + 1));
  }
}
