import { makeHandler, type Deps, type Result } from '../../functions/spot-interruption/handler';
import type { SimulatedAccount } from '../../sim/account';
import { DRAIN_DEFAULTS } from './drain-checks';
import { recordingLogger, recordingMetrics } from './recorders';
import { sqsRecord } from './sqs-records';

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
  const { handleBatch, handler } = spotHandlers(() => deps);
  return { handler, handleBatch, logger, metrics, dlqUrl, topicArn, clients };
}

/**
 * The real handler fed as Lambda's SQS event source feeds it: `handleBatch` sends notices as
 * one batch (a wave) and answers the batch response and every result; `handler` sends one
 * notice alone and answers its result.
 */
export function spotHandlers(deps: () => Deps) {
  let n = 0;
  const handleBatch = async (events: readonly unknown[]) => {
    const results: Result[] = [];
    const Records = events.map((e) => sqsRecord(`notice-${++n}`, JSON.stringify(e)));
    const response = await makeHandler(deps, (r) => results.push(r))({ Records });
    return { response, results };
  };
  const handler = async (event: unknown): Promise<Result> => {
    const { results } = await handleBatch([event]);
    if (results.length !== 1) throw new Error(`expected one result, got ${JSON.stringify(results)}`);
    return results[0]!;
  };
  return { handleBatch, handler };
}

export type DrainResult = Extract<Result, { dryRun: boolean }>;

export const asReport = (r: Result): DrainResult => {
  if (!('dryRun' in r)) throw new Error(`expected a drain report, got ${JSON.stringify(r)}`);
  return r;
};
