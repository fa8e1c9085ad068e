import { randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AutoScalingGroupsAdapter } from '../../shared/aws/autoscaling-groups';
import { batchedDetaches } from '../../shared/aws/autoscaling-detaches';
import { batchedAsgLookups } from '../../shared/aws/autoscaling-lookups';
import { QueueAdapter } from '../../shared/aws/sqs-queues';

import { replaceAtNotice, type ReplacementReport, type ReplacePorts } from '../../shared/capacity/replace';
import { parseSpotDrainConfig, type SpotDrainConfig } from '../../shared/drain/config';
import { parseSpotNotice, type SpotDrainRequest } from '../../shared/drain/messages';
import { drainPorts } from '../../shared/drain/ports';
import { emitDrainError, emitDrainMetrics, type DrainReport } from '../../shared/drain/report';
import { errorMessage, EventValidationError } from '../../shared/lambda/errors';
import { MetricUnit } from '../../shared/lambda/observability';
import { lambdaRuntime, type HandlerDeps } from '../../shared/lambda/runtime';
import { retireOnSpotNotices, spotNoticeRequest } from '../../shared/retire/notices';
import { processSqsGroups } from '../../shared/lambda/sqs-batch';
import { sqsRecords } from '../../shared/lambda/sqs-event';
import { wrap } from '../../shared/lambda/wrap';

export { SPOT_NOTICE_MS } from '../../shared/drain/messages';

export type Deps = HandlerDeps<SpotDrainConfig, 'ecs' | 'elbv2' | 'sns' | 'sqs' | 'autoscaling'> & {
  /** Jitter for the drain's retry backoff (Math.random in Lambda; seeded in the simulator, so a run repeats for its seed). */
  random?: () => number;
};

export type Result =
  | (DrainReport & { replacement?: ReplacementReport })
  | { outcome: 'rejected'; error: string }
  | { outcome: 'failed'; ec2InstanceId: string; error: string };

/**
 * SQS batch of Spot interruption notices (EventBridge → queue, batched for ≤ 1 s), drained as
 * one wave: one lookup for every instance, one call per target group for all of them (see
 * shared/drain/wave.ts). A notice delivered twice in a batch is drained once. Per record:
 * malformed ⇒ dead-lettered with each bad field named, and acknowledged; a drain that threw
 * (a bug, not AWS: AWS failures are in its report) ⇒ retried soon. `observe` sees each result
 * (tests, the bench); the drain metrics are emitted either way.
 */
export function makeHandler(deps: () => Deps, observe: (result: Result) => void = () => undefined) {
  return async (event: unknown, context?: Pick<Context, 'awsRequestId'>): Promise<SQSBatchResponse> => {
    const d = deps();
    const drainId = (context?.awsRequestId ?? randomUUID()).slice(0, 8);
    const parse = (body: unknown) => {
      try {
        return parseSpotNotice(body);
      } catch (err) {
        if (err instanceof EventValidationError) observe({ outcome: 'rejected', error: err.message });
        throw err;
      }
    };
    return processSqsGroups(
      records(event),
      parse,
      (n) => n.ec2InstanceId,
      (groups) =>
        drainWave(
          d,
          [...groups.values()].map((g) => g[0]!.item),
          drainId,
          observe,
        ),
      {
        queues: new QueueAdapter(d.clients.sqs),
        queueName: d.config.noticeQueueName ?? '',
        deadLetterQueueName: d.config.deadLetterQueueName,
        retryAfterSeconds: 1,
        log: d.logger,
        source: 'spotInterruption',
        kind: 'spot-interruption-warning',
        clock: d.clock,
      },
    );
  };
}

const records = (event: unknown) => sqsRecords(event, 'spotInterruption');

/** Drain the notices as one wave, each replacement asked for at once beside its drain; answers the instances whose drain threw. */
async function drainWave(
  d: Deps,
  notices: SpotDrainRequest[],
  drainId: string,
  observe: (r: Result) => void,
): Promise<Map<string, string>> {
  const now = d.clock.now();
  const ports = replacePorts(d);
  // The replacement is asked for at once, beside the drain (not after it): the new instance boots while the old one drains.
  const replacements = new Map(
    notices
      .filter((n) => d.config.replaceOnNotice && n.deadline > now)
      .map((n) => [n.ec2InstanceId, replace(d, ports, n.ec2InstanceId, n.deadline)] as const),
  );
  // Each notice is a retirement (reason spot-notice, then none: Spot takes it); retire drains them as one wave.
  const results = await retireOnSpotNotices(
    {
      ports: drainPorts(d.clients),
      clock: d.clock,
      log: d.logger,
      ...(d.region ? { region: d.region } : {}),
      ...(d.random ? { random: d.random } : {}),
    },
    d.config,
    notices.map((n) => ({ ...spotNoticeRequest(n, now), noticeAt: n.noticeAt })),
    drainId,
  );
  const failed = new Map<string, string>();
  for (const r of results) {
    const id = r.request.ec2InstanceId;
    if ('error' in r) {
      emitDrainError(d.metrics);
      failed.set(id, errorMessage(r.error));
      observe({ outcome: 'failed', ec2InstanceId: id, error: errorMessage(r.error) });
      continue;
    }
    d.logger.info('drain report', { report: r.report });
    emitDrainMetrics(d.metrics, r.report);
    const replacement = await replacements.get(id);
    if (replacement) recordReplacement(d, r.report, replacement);
    observe(replacement ? { ...r.report, replacement } : r.report);
  }
  return failed;
}

function recordReplacement(d: Deps, report: DrainReport, r: ReplacementReport): void {
  d.logger.info('replacement at notice', { ec2InstanceId: report.ec2InstanceId, replacement: r });
  d.metrics.addMetric(
    r.outcome === 'requested' ? 'replacementsRequested' : r.outcome === 'failed' ? 'replacementFailures' : 'replacementsNotNeeded',
    MetricUnit.Count,
    1,
  );
  if (r.at !== undefined)
    d.metrics.addMetric('secondsToCapacityRequest', MetricUnit.Seconds, Math.max(0, (r.at - Date.parse(report.noticeAt)) / 1000));
}

/** The wave's replacement calls: what every victim asks at one moment goes out as a few batched calls per group, not one each. */
function replacePorts(d: Deps): ReplacePorts {
  const groups = new AutoScalingGroupsAdapter(d.clients.autoscaling);
  const lookups = batchedAsgLookups(groups, d.clock);
  const writes = batchedDetaches(groups, d.clock);
  return {
    groupOfInstance: lookups.groupOfInstance,
    group: lookups.group,
    detachKeepingCapacity: writes.detachKeepingCapacity,
    recordScaleOut: writes.recordScaleOut,
  };
}

/** Ask the instance's Auto Scaling group for its replacement now (ours, without Capacity Rebalancing); retried until the deadline. */
function replace(d: Deps, ports: ReplacePorts, instanceId: string, deadline: number): Promise<ReplacementReport> {
  return replaceAtNotice(ports, instanceId, {
    dryRun: d.config.dryRun,
    clusters: d.config.clusters,
    clock: d.clock,
    deadline,
    ...(d.random ? { random: d.random } : {}),
  });
}

const runtime = lambdaRuntime('spotInterruption', parseSpotDrainConfig, {
  ecs: ECSClient,
  elbv2: ElasticLoadBalancingV2Client,
  sns: SNSClient,
  sqs: SQSClient,
  autoscaling: AutoScalingClient,
});

export const handler = wrap(makeHandler(runtime.deps), runtime.logger, runtime.metrics, runtime.tracer);
