import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * ChangeMessageVisibility on a received message, by queue name (the URL looked up once per
 * container). Only this: the capacity writer bundles nothing else of SQS (its zip stays under the
 * 400 kB the contract tests allow).
 */
export class VisibilityAdapter {
  private readonly urls = new Map<string, Promise<string>>();
  constructor(private readonly sqs: SQSClient) {}

  /** Make the message visible again after `seconds` (0–43,200) instead of the queue's visibility timeout. */
  async retryAfter(queueName: string, receiptHandle: string, seconds: number): Promise<void> {
    let url = this.urls.get(queueName);
    if (!url) {
      url = this.sqs.send(new GetQueueUrlCommand({ QueueName: queueName })).then((o) => o.QueueUrl ?? '');
      url.catch(() => this.urls.delete(queueName));
      this.urls.set(queueName, url);
    }
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: await url,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: Math.max(0, Math.round(seconds)),
      }),
    );
  }
}
