import {
  InvalidParameterException,
  NotFoundException,
  type CreateTopicCommandInput,
  type ListTopicsCommandInput,
  type MessageAttributeValue,
  type PublishCommandInput,
} from '@aws-sdk/client-sns';
import type { OperationTable, SimService, SimulatedAccount } from './account';
import { simError } from './errors';
import { SNS_MAX_MESSAGE_BYTES } from './limits';
import { byteLength, page, uuid } from './util';

export interface PublishedRecord {
  messageId: string;
  message: string;
  subject?: string;
  messageAttributes: Record<string, MessageAttributeValue>;
  at: number;
}

interface TopicRecord {
  name: string;
  arn: string;
  published: PublishedRecord[];
  queueSubscriptions: Array<{ queueUrl: string; raw: boolean }>;
  failedDeliveries: Array<{ messageId: string; queueUrl: string; error: string }>;
}

const LIST_TOPICS_PAGE = 100;
const meta = () => ({ httpStatusCode: 400, requestId: 'sim', attempts: 1, totalRetryDelay: 0 });
const invalid = (message: string) => new InvalidParameterException({ message, $metadata: meta() });

/** SNS standard topics, optionally fanned out to SQS queues. */
export class SimSns implements SimService {
  private readonly topics = new Map<string, TopicRecord>();

  constructor(readonly account: SimulatedAccount) {}

  operations(): OperationTable {
    return {
      CreateTopic: (input: CreateTopicCommandInput) => ({ TopicArn: this.createTopic(input.Name ?? '') }),
      ListTopics: (input: ListTopicsCommandInput) => {
        const { items, nextToken } = page([...this.topics.keys()], input.NextToken, LIST_TOPICS_PAGE, () =>
          invalid('Invalid parameter: NextToken'),
        );
        return { Topics: items.map((TopicArn) => ({ TopicArn })), NextToken: nextToken };
      },
      Publish: (input: PublishCommandInput) => {
        if (!input.TopicArn) throw invalid('Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
        const topic = this.topics.get(input.TopicArn);
        if (!topic) throw new NotFoundException({ message: 'Topic does not exist', $metadata: { ...meta(), httpStatusCode: 404 } });
        const message = input.Message ?? '';
        if (message === '') throw invalid('Invalid parameter: Empty message');
        if (byteLength(message) > SNS_MAX_MESSAGE_BYTES) throw invalid('Invalid parameter: Message too long');
        if (input.Subject !== undefined && (input.Subject.length === 0 || input.Subject.length > 100)) {
          throw invalid('Invalid parameter: Subject');
        }
        const record: PublishedRecord = {
          messageId: uuid(this.account),
          message,
          subject: input.Subject,
          messageAttributes: input.MessageAttributes ?? {},
          at: this.account.clock.now(),
        };
        topic.published.push(record);
        for (const sub of topic.queueSubscriptions) {
          // A delivery SQS refuses (e.g. the envelope exceeds its size limit) is lost, not a Publish error.
          try {
            this.deliver(topic, record, sub);
          } catch (err) {
            topic.failedDeliveries.push({ messageId: record.messageId, queueUrl: sub.queueUrl, error: (err as Error).name });
          }
        }
        return { MessageId: record.messageId };
      },
    };
  }

  // ---- seeding and observing --------------------------------------------------------

  /** CreateTopic (idempotent); answers the topic ARN. */
  createTopic(name: string): string {
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(name)) throw invalid('Invalid parameter: Topic Name');
    const arn = this.account.arn('sns', name);
    if (!this.topics.has(arn)) this.topics.set(arn, { name, arn, published: [], queueSubscriptions: [], failedDeliveries: [] });
    return arn;
  }

  /**
   * Subscribe an SQS queue: each publish lands in it as the SNS notification envelope, or
   * as the bare message with raw message delivery.
   */
  subscribeQueue(topicArn: string, queueUrl: string, options: { raw?: boolean } = {}): void {
    const topic = this.topics.get(topicArn);
    if (!topic) throw simError('NotFound', `subscribeQueue: unknown topic ${topicArn}`);
    this.account.sqs.queueArn(queueUrl); // must exist
    topic.queueSubscriptions.push({ queueUrl, raw: options.raw ?? false });
  }

  published(topicArn: string): PublishedRecord[] {
    return (this.topics.get(topicArn)?.published ?? []).map((p) => structuredClone(p));
  }

  /** Deliveries to subscribed queues that SQS refused. */
  failedDeliveries(topicArn: string): Array<{ messageId: string; queueUrl: string; error: string }> {
    return [...(this.topics.get(topicArn)?.failedDeliveries ?? [])];
  }

  private deliver(topic: TopicRecord, p: PublishedRecord, sub: { queueUrl: string; raw: boolean }): void {
    if (sub.raw) {
      const attrs = Object.fromEntries(
        Object.entries(p.messageAttributes).map(([k, v]) => [k, { DataType: v.DataType, StringValue: v.StringValue }]),
      );
      this.account.sqs.deliver(sub.queueUrl, p.message, attrs);
      return;
    }
    const envelope = {
      Type: 'Notification',
      MessageId: p.messageId,
      TopicArn: topic.arn,
      ...(p.subject !== undefined ? { Subject: p.subject } : {}),
      Message: p.message,
      Timestamp: new Date(p.at).toISOString(),
      SignatureVersion: '1',
      Signature: 'SIMULATED',
      SigningCertURL: `https://sns.${this.account.region}.amazonaws.com/SimpleNotificationService-simulated.pem`,
      UnsubscribeURL: `https://sns.${this.account.region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topic.arn}:sim`,
      ...(Object.keys(p.messageAttributes).length
        ? {
            MessageAttributes: Object.fromEntries(
              Object.entries(p.messageAttributes).map(([k, v]) => [k, { Type: v.DataType, Value: v.StringValue }]),
            ),
          }
        : {}),
    };
    this.account.sqs.deliver(sub.queueUrl, JSON.stringify(envelope));
  }
}
