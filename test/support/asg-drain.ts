import { makeHandler, type Deps } from '../../functions/asg-lifecycle-drain/handler';
import type { SimulatedAccount } from '../../sim/account';
import { SqsEventSource } from '../../sim/event-source';
import { ASG_DEFAULTS, DRAIN_DEFAULTS } from './drain-checks';
import { recordingLogger, recordingMetrics } from './recorders';

const QUEUE = 'ecs-steady-test-asg-drain';
const DLQ = 'ecs-steady-test-dead-letter';

/** asgLifecycleDrain behind its queue (with a dead-letter queue) on the simulated account; `config` overrides the stage defaults. */
export function setupAsgDrain(account: SimulatedAccount, config: Partial<Deps['config']> = {}, options: { batchSize?: number } = {}) {
  const queueUrl = account.sqs.createQueue(QUEUE, { VisibilityTimeout: '360' });
  const dlqUrl = account.sqs.createQueue(DLQ);
  const logger = recordingLogger();
  const deps: Deps = {
    clients: account.clients(),
    config: {
      ...DRAIN_DEFAULTS,
      ...ASG_DEFAULTS,
      maxWaitMs: ASG_DEFAULTS.drainMaxMs,
      drainQueueName: QUEUE,
      deadLetterQueueName: DLQ,
      ...config,
    },
    clock: account.clock,
    logger,
    metrics: recordingMetrics(),
  };
  const handler = makeHandler(() => deps);
  const source = new SqsEventSource(account, queueUrl, (e) => handler(e), {
    maxReceiveCount: 5,
    deadLetterUrl: dlqUrl,
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
  });
  /** What the EventBridge rule does: put the event on the queue. */
  const publish = (event: unknown) => account.sqs.deliver(queueUrl, JSON.stringify(event));
  return { handler, source, publish, queueUrl, dlqUrl, logger };
}
