import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { makeClients, type AwsClients } from '../../shared/clients';
import { systemClock, type Clock } from '../../shared/clock';
import { deadLetter } from '../../shared/dead-letter';
import { drainAdapters } from '../../shared/drain/adapters';
import { parseDrainConfig, type DrainConfig } from '../../shared/drain/config';
import type { DrainReport } from '../../shared/drain/report';
import { drainEc2Instance, emitDrainMetrics } from '../../shared/drain/workflow';
import { EventValidationError } from '../../shared/errors';
import { parseEvent, spotInterruptionEvent } from '../../shared/events';
import { lazy } from '../../shared/lazy';
import { makeLogger, makeMetrics, type Log, type MetricSink } from '../../shared/observability';
import { QueueAdapter } from '../../shared/queues';
import { wrap } from '../../shared/wrap';

/** AWS reclaims a Spot instance two minutes after the interruption notice. */
export const SPOT_NOTICE_MS = 120_000;

export interface Deps {
  clients: Pick<AwsClients, 'ecs' | 'elbv2' | 'sns' | 'sqs'>;
  config: DrainConfig;
  clock: Clock;
  logger: Log;
  metrics: MetricSink;
}

export type Result = DrainReport | { outcome: 'rejected'; error: string; deadLetterMessageId?: string };

/**
 * EventBridge `EC2 Spot Instance Interruption Warning` → drain the instance before the
 * reclaim. Returns ⇒ done (or a malformed event rejected to the dead-letter queue);
 * throws ⇒ Lambda retries once, then the failure destination keeps the event.
 */
export function makeHandler(deps: () => Deps) {
  return async (event: unknown): Promise<Result> => {
    const d = deps();
    let notice;
    try {
      notice = parseEvent(spotInterruptionEvent, event, 'Spot interruption event');
    } catch (err) {
      if (!(err instanceof EventValidationError)) throw err;
      const id = await deadLetter(new QueueAdapter(d.clients.sqs), d.config.deadLetterQueueName, d.logger, event, err, 'spotInterruption');
      return { outcome: 'rejected', error: err.message, ...(id ? { deadLetterMessageId: id } : {}) };
    }
    const noticeAt = Date.parse(notice.time);
    const report = await drainEc2Instance(
      { adapters: drainAdapters(d.clients), clock: d.clock, log: d.logger },
      d.config,
      { ec2InstanceId: notice.detail['instance-id'], noticeAt, deadline: noticeAt + SPOT_NOTICE_MS, startedAt: d.clock.now() },
    );
    d.logger.info('drain report', { report });
    emitDrainMetrics(d.metrics, report);
    return report;
  };
}

const logger = makeLogger('spotInterruption');
const metrics = makeMetrics('spotInterruption');
const realDeps = lazy((): Deps => {
  const config = parseDrainConfig();
  logger.info('effective config', { config });
  return { clients: makeClients({ ecs: ECSClient, elbv2: ElasticLoadBalancingV2Client, sns: SNSClient, sqs: SQSClient }), config, clock: systemClock, logger, metrics };
});

export const handler = wrap(makeHandler(realDeps), logger, metrics);
