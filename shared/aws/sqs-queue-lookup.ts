import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { sendOptions, type CallOptions } from './call';
import { isNotFound } from './errors';

/** Whether SQS queues exist, by name. */
export class QueueLookupAdapter {
  constructor(private readonly sqs: SQSClient) {}

  /** True when the queue exists in this account and region (GetQueueUrl); QueueDoesNotExist ⇒ false; any other error throws. */
  async exists(queueName: string, o?: CallOptions): Promise<boolean> {
    try {
      await this.sqs.send(new GetQueueUrlCommand({ QueueName: queueName }), sendOptions(o));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }
}
