import { AutoScalingGroupsAdapter } from '../../shared/aws/autoscaling-groups';
import { batchedDetaches } from '../../shared/aws/autoscaling-detaches';
import { batchedAsgLookups } from '../../shared/aws/autoscaling-lookups';
import { EcsAttributesAdapter } from '../../shared/aws/ecs-attributes';
import { ContainerInstancesAdapter } from '../../shared/aws/ecs-container-instances';
import { actOnRecommendation, type RebalanceResult } from '../../shared/capacity/rebalance';
import type { ReplacePorts } from '../../shared/capacity/replace';
import type { RebalanceSignal } from '../../shared/drain/messages';
import { drainPorts, type DrainPorts } from '../../shared/drain/ports';
import { lookupInstances } from '../../shared/drain/lookup';
import { MetricUnit } from '../../shared/lambda/observability';
import { takeOverRebalanceDrains, type RebalanceDrainPorts } from '../../shared/retire/rebalance';
import type { Deps } from './handler';

/** What the handler reports for one recommendation (`observe` sees it; tests and the bench read it). */
export type RebalanceOutcome = { outcome: 'rebalance' } & RebalanceResult;

/**
 * The rebalance recommendations of a batch, and the notices beside them (wiring only: the decisions
 * are shared/capacity/rebalance.ts and shared/retire/rebalance.ts). Off: each is logged and
 * acknowledged, nothing else. Answers the instances whose drain could not be begun (retried soon).
 * In every mode, a notice's instance carrying our `rebalance` mark (DRAINING, or ACTIVE outside its group
 * after `replace`) is re-marked as the notice's: the tick then leaves it to Spot (a failure counts in rebalanceFailures).
 */
export async function actOnRecommendations(
  d: Deps,
  recommendations: ReadonlyArray<RebalanceSignal>,
  notices: ReadonlyArray<{ ec2InstanceId: string; noticeAt: number; deadline: number }>,
  observe: (r: RebalanceOutcome) => void,
  ecs: DrainPorts = drainPorts(d.clients),
): Promise<Map<string, string>> {
  const mode = d.config.rebalance ?? 'off';
  const failed = new Map<string, string>();
  const ports = mode === 'off' ? undefined : rebalancePorts(d);
  // Whatever the mode now: a drain begun while it was replace-and-drain may still carry our mark.
  if (notices.length > 0 && !d.config.dryRun) {
    const putMark = (ports ?? rebalancePorts(d)).drain.putMark;
    const warnings = await takeOverRebalanceDrains({ ...ecs, putMark }, notices, d.config.clusters, {
      clock: d.clock,
      ...(d.random ? { random: d.random } : {}),
    });
    if (warnings.length > 0) {
      d.logger.warn('rebalance drains not handed to their notices', { warnings });
      d.metrics.addMetric('rebalanceFailures', MetricUnit.Count, 1);
    }
  }
  await Promise.all(
    recommendations.map(async (signal) => {
      const r = ports
        ? await actOnRecommendation(ports, signal, {
            mode,
            dryRun: d.config.dryRun,
            clusters: d.config.clusters,
            clock: d.clock,
            ...(d.random ? { random: d.random } : {}),
          })
        : { ec2InstanceId: signal.ec2InstanceId, mode, recommendedAt: signal.recommendedAt };
      d.logger.info('rebalance recommendation', { result: r });
      record(d, r);
      if (r.error) failed.set(signal.ec2InstanceId, r.error);
      observe({ outcome: 'rebalance', ...r });
    }),
  );
  return failed;
}

/** The same metrics as the replacement at the notice, and the drains begun (rebalanceDrains). */
function record(d: Deps, r: RebalanceResult): void {
  const rep = r.replacement;
  if (rep)
    d.metrics.addMetric(
      rep.outcome === 'requested' ? 'replacementsRequested' : rep.outcome === 'failed' ? 'replacementFailures' : 'replacementsNotNeeded',
      MetricUnit.Count,
      1,
    );
  if (rep?.at !== undefined)
    d.metrics.addMetric('secondsToCapacityRequest', MetricUnit.Seconds, Math.max(0, (rep.at - r.recommendedAt) / 1000));
  if (r.drain?.outcome === 'draining') d.metrics.addMetric('rebalanceDrains', MetricUnit.Count, 1);
  if (r.error) d.metrics.addMetric('rebalanceFailures', MetricUnit.Count, 1);
}

/**
 * The replacement's reads and writes (the notice's and the recommendation's): every victim's lookups
 * made at one moment go out as a few batched describes, not one each.
 */
export function replacePorts(d: Deps): ReplacePorts {
  const groups = new AutoScalingGroupsAdapter(d.clients.autoscaling);
  const lookups = batchedAsgLookups(groups, d.clock);
  // What every victim asks at one moment goes out as a few batched calls per group, not one each.
  const writes = batchedDetaches(groups, d.clock);
  return {
    groupOfInstance: lookups.groupOfInstance,
    group: lookups.group,
    detachKeepingCapacity: writes.detachKeepingCapacity,
    recordScaleOut: writes.recordScaleOut,
  };
}

/** The recommendation's ports: the replacement's, and the ECS calls that begin the drain that keeps serving. */
function rebalancePorts(d: Deps): { replace: ReplacePorts; drain: RebalanceDrainPorts } {
  const attributes = new EcsAttributesAdapter(d.clients.ecs);
  const instances = new ContainerInstancesAdapter(d.clients.ecs);
  const ecs = drainPorts(d.clients);
  return {
    replace: replacePorts(d),
    drain: {
      find: async (id, o) => (await lookupInstances(ecs, [id], d.config.clusters, o ?? {}, false)).get(id)?.instance,
      putMark: (cluster, arn, name, value, o) => attributes.put(cluster, arn, { [name]: value }, o),
      setDraining: (cluster, arn, o) => instances.setDraining(cluster, [arn], o),
    },
  };
}
