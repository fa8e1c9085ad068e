import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { QueueAdapter } from '../../shared/aws/sqs-queues';
import { parseDrainConfig, type DrainConfig } from '../../shared/drain/config';
import { parseSpotNotice } from '../../shared/drain/messages';
import { drainPorts } from '../../shared/drain/ports';
import { emitDrainError, emitDrainMetrics, type DrainReport } from '../../shared/drain/report';
import { runDrain } from '../../shared/drain/run';
import { deadLetter } from '../../shared/lambda/dead-letter';
import { EventValidationError } from '../../shared/lambda/errors';
import { lambdaRuntime, type HandlerDeps } from '../../shared/lambda/runtime';
import { wrap } from '../../shared/lambda/wrap';

export { SPOT_NOTICE_MS } from '../../shared/drain/messages';

export type Deps = HandlerDeps<DrainConfig, 'ecs' | 'elbv2' | 'sns' | 'sqs'>;

export type Result = DrainReport | { outcome: 'rejected'; error: string; deadLetterMessageId?: string };

/**
 * EventBridge `EC2 Spot Instance Interruption Warning` → drain the instance before the
 * reclaim. Returns ⇒ a report (AWS failures are inside it), or a malformed event rejected
 * to the dead-letter queue. Throws only for a bug; the drain metrics are emitted either way.
 */
export function makeHandler(deps: () => Deps) {
  return async (event: unknown, context?: Pick<Context, 'awsRequestId'>): Promise<Result> => {
    const d = deps();
    let notice;
    try {
      notice = parseSpotNotice(event);
    } catch (err) {
      if (!(err instanceof EventValidationError)) throw err;
      const id = await deadLetter(
        { queues: new QueueAdapter(d.clients.sqs), queueName: d.config.deadLetterQueueName, log: d.logger, clock: d.clock },
        { source: 'spotInterruption', kind: 'spot-interruption-warning', input: event, error: err },
      );
      return { outcome: 'rejected', error: err.message, ...(id ? { deadLetterMessageId: id } : {}) };
    }
    let report: DrainReport;
    try {
      report = await runDrain(
        { ports: drainPorts(d.clients), clock: d.clock, log: d.logger, ...(d.region ? { region: d.region } : {}) },
        d.config,
        { ...notice, startedAt: d.clock.now(), drainId: (context?.awsRequestId ?? randomUUID()).slice(0, 8) },
      );
    } catch (err) {
      emitDrainError(d.metrics);
      throw err;
    }
    d.logger.info('drain report', { report });
    emitDrainMetrics(d.metrics, report);
    return report;
  };
}

const runtime = lambdaRuntime('spotInterruption', parseDrainConfig, {
  ecs: ECSClient,
  elbv2: ElasticLoadBalancingV2Client,
  sns: SNSClient,
  sqs: SQSClient,
});

export const handler = wrap(makeHandler(runtime.deps), runtime.logger, runtime.metrics);
