import { makeHandler, type Deps, type Result } from '../../functions/spot-interruption/handler';
import type { SimulatedAccount } from '../../sim/account';
import { DRAIN_DEFAULTS } from './drain-checks';
import { recordingLogger, recordingMetrics } from './recorders';

const DLQ = 'ecs-steady-test-dead-letter';

/** The real spotInterruption handler on a simulated account, with a dead-letter queue, a records topic, and recording logs and metrics. */
export function spotWorld(account: SimulatedAccount, config: Partial<Deps['config']> = {}, extra: Partial<Pick<Deps, 'region'>> = {}) {
  const dlqUrl = account.sqs.createQueue(DLQ);
  const topicArn = account.sns.createTopic('interrupted-tasks');
  const logger = recordingLogger();
  const metrics = recordingMetrics();
  const clients = account.clients();
  const deps: Deps = {
    clients,
    config: { ...DRAIN_DEFAULTS, deadLetterQueueName: DLQ, interruptedTasksTopicArn: topicArn, ...config },
    clock: account.clock,
    logger,
    metrics,
    ...extra,
  };
  return { handler: makeHandler(() => deps), logger, metrics, dlqUrl, topicArn, clients };
}

export const asReport = (r: Result): Exclude<Result, { outcome: 'rejected' }> => {
  if (!('ec2InstanceId' in r)) throw new Error(`expected a drain report, got ${JSON.stringify(r)}`);
  return r;
};
