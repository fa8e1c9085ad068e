import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { deadLetter } from '../../shared/lambda/dead-letter';
import { drainAdapters } from '../../shared/drain/ports';
import { parseDrainConfig, type DrainConfig } from '../../shared/drain/config';
import type { DrainReport } from '../../shared/drain/report';
import { drainEc2Instance, emitDrainMetrics } from '../../shared/drain/workflow';
import { EventValidationError } from '../../shared/lambda/errors';
import { parseEvent, spotInterruptionEvent } from '../../shared/drain/messages';
import { QueueAdapter } from '../../shared/aws/sqs-queues';
import { lambdaRuntime, type HandlerDeps } from '../../shared/lambda/runtime';
import { wrap } from '../../shared/lambda/wrap';

/** AWS reclaims a Spot instance two minutes after the interruption notice. */
export const SPOT_NOTICE_MS = 120_000;

export type Deps = HandlerDeps<DrainConfig, 'ecs' | 'elbv2' | 'sns' | 'sqs'>;

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

const runtime = lambdaRuntime('spotInterruption', parseDrainConfig, { ecs: ECSClient, elbv2: ElasticLoadBalancingV2Client, sns: SNSClient, sqs: SQSClient });

export const handler = wrap(makeHandler(runtime.deps), runtime.logger, runtime.metrics);
