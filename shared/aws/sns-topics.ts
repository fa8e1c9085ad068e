import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { sendOptions, type CallOptions } from './call';

/** SNS FIFO topics end in `.fifo` and require a group id; only they accept a deduplication id. */
export const isFifoTopic = (topicArn: string): boolean => topicArn.endsWith('.fifo');

/**
 * Publish one JSON record. `dedupId` goes into a message attribute (standard topics) and,
 * on a FIFO topic, into MessageDeduplicationId with `groupId` as MessageGroupId, so a
 * repeated publish of the same record is dropped by SNS itself. Returns the message id.
 */
export async function publishJson(
  sns: SNSClient,
  topicArn: string,
  record: unknown,
  options: { subject?: string; dedupId?: string; groupId?: string } & CallOptions = {},
): Promise<string> {
  const fifo = isFifoTopic(topicArn);
  const out = await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Message: JSON.stringify(record),
      ...(options.subject ? { Subject: options.subject } : {}),
      ...(options.dedupId ? { MessageAttributes: { dedupId: { DataType: 'String', StringValue: options.dedupId } } } : {}),
      ...(fifo
        ? { MessageGroupId: options.groupId ?? 'default', ...(options.dedupId ? { MessageDeduplicationId: options.dedupId } : {}) }
        : {}),
    }),
    sendOptions(options),
  );
  return out.MessageId ?? '';
}
