import type { SQSRecord } from 'aws-lambda';

/** One SQS record as Lambda's event source mapping delivers it (every field AWS sends). */
export function sqsRecord(
  messageId: string,
  body: string,
  queueArn = 'arn:aws:sqs:eu-west-1:123456789012:ecs-steady-dev-queue',
): SQSRecord {
  const now = String(Date.now());
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: now, SenderId: 'AIDAEXAMPLE', ApproximateFirstReceiveTimestamp: now },
    messageAttributes: {},
    md5OfBody: '0'.repeat(32),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3] ?? 'eu-west-1',
  };
}

/** An SNS notification as SNS delivers it to an SQS subscription without raw message delivery. */
export function snsNotification(message: unknown, topicArn = 'arn:aws:sns:eu-west-1:123456789012:ecs-steady-dev-run-task-results') {
  return {
    Type: 'Notification',
    MessageId: '5b3a7c1e-9d2f-5e4a-8b6c-0f1e2d3c4b5a',
    TopicArn: topicArn,
    Message: typeof message === 'string' ? message : JSON.stringify(message),
    Timestamp: new Date().toISOString(),
    SignatureVersion: '1',
    Signature: 'EXAMPLE',
    SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000.pem',
    UnsubscribeURL: `https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topicArn}:0000`,
  };
}
