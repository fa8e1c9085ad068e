import { LAST_SCALE_OUT_TAG } from '../../shared/tags';
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AutoScalingGroupsAdapter } from '../../shared/aws/autoscaling-groups';
import { QueueAdapter } from '../../shared/aws/sqs-queues';

import { replaceAtNotice, type ReplacementReport } from '../../shared/capacity/replace';
import { parseSpotDrainConfig, type SpotDrainConfig } from '../../shared/drain/config';
import { parseSpotNotice } from '../../shared/drain/messages';
import { drainPorts } from '../../shared/drain/ports';
import { emitDrainError, emitDrainMetrics, type DrainReport } from '../../shared/drain/report';
import { runDrain } from '../../shared/drain/run';
import { deadLetter } from '../../shared/lambda/dead-letter';
import { EventValidationError } from '../../shared/lambda/errors';
import { MetricUnit } from '../../shared/lambda/observability';
import { lambdaRuntime, type HandlerDeps } from '../../shared/lambda/runtime';
import { wrap } from '../../shared/lambda/wrap';

export { SPOT_NOTICE_MS } from '../../shared/drain/messages';

export type Deps = HandlerDeps<SpotDrainConfig, 'ecs' | 'elbv2' | 'sns' | 'sqs' | 'autoscaling'>;

export type Result =
  (DrainReport & { replacement?: ReplacementReport }) | { outcome: 'rejected'; error: string; deadLetterMessageId?: string };

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
    // The replacement is asked for at once, beside the drain (not after it): the new instance boots while the old one drains.
    const replacement =
      d.config.replaceOnNotice && notice.deadline > d.clock.now() ? replace(d, notice.ec2InstanceId, notice.deadline) : undefined;
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
    if (!replacement) return report;
    const r = await replacement;
    d.logger.info('replacement at notice', { ec2InstanceId: notice.ec2InstanceId, replacement: r });
    d.metrics.addMetric(
      r.outcome === 'requested' ? 'replacementsRequested' : r.outcome === 'failed' ? 'replacementFailures' : 'replacementsNotNeeded',
      MetricUnit.Count,
      1,
    );
    if (r.at !== undefined)
      d.metrics.addMetric('secondsToCapacityRequest', MetricUnit.Seconds, Math.max(0, (r.at - notice.noticeAt) / 1000));
    return { ...report, replacement: r };
  };
}

/** Ask the instance's Auto Scaling group for its replacement now (ours, without Capacity Rebalancing); retried until the deadline. */
function replace(d: Deps, instanceId: string, deadline: number): Promise<ReplacementReport> {
  const groups = new AutoScalingGroupsAdapter(d.clients.autoscaling);
  return replaceAtNotice(
    {
      groupOfInstance: (id, o) => groups.groupOfInstance(id, o),
      group: async (name, o) => (await groups.byNames([name], o))[0],
      detachKeepingCapacity: (name, id, o) => groups.detachKeepingCapacity(name, id, o),
      recordScaleOut: (name, at, o) => groups.tag(name, LAST_SCALE_OUT_TAG, new Date(at).toISOString(), o),
    },
    instanceId,
    { dryRun: d.config.dryRun, clusters: d.config.clusters, clock: d.clock, deadline },
  );
}

const runtime = lambdaRuntime('spotInterruption', parseSpotDrainConfig, {
  ecs: ECSClient,
  elbv2: ElasticLoadBalancingV2Client,
  sns: SNSClient,
  sqs: SQSClient,
  autoscaling: AutoScalingClient,
});

export const handler = wrap(makeHandler(runtime.deps), runtime.logger, runtime.metrics, runtime.tracer);
