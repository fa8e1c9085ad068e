import { errorMessage } from './errors';
import type { Log } from './observability';
import type { QueueAdapter } from '../aws/sqs-queues';

/**
 * Report malformed input and park it in the dead-letter queue with the reason, so nothing
 * is lost and nothing is retried forever. Without a configured queue (e.g. `sls invoke
 * local`) the error is only logged. Throws when the queue cannot take it (the trigger
 * then retries, and its own failure destination keeps the event).
 */
export async function deadLetter(
  queues: QueueAdapter,
  queueName: string | undefined,
  log: Log,
  input: unknown,
  err: unknown,
  source: string,
): Promise<string | undefined> {
  const error = errorMessage(err);
  log.error('malformed input rejected', { source, error });
  if (!queueName) return undefined;
  return queues.send(queueName, { source, error, rejectedAt: new Date().toISOString(), input }, { attributes: { source, error } });
}
