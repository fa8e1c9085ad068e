import { emitDrainMetrics, type DrainReport } from '../retire/drain-report';
import { MetricUnit, type Log, type MetricSink } from '../lambda/observability';
import type { BackendKind } from './ports';
import type { BackendCounts, CapacityDecisionKind, Resources, Unplaceable } from './types';

/** What one tick did for one cluster, from what AWS said. */
export interface ClusterTickReport {
  cluster: string;
  backend?: { kind: BackendKind; id: string };
  /** The cluster's fallback backend, and whether it took this tick's scale-out (or is taking them while the backend backs off). */
  fallback?: { kind: BackendKind; id: string; active: boolean };
  dryRun: boolean;
  startedAt: number;
  /** `error`: the cluster could not be planned this tick (named in `error`); the others went on. */
  decision: CapacityDecisionKind | 'error';
  error?: string;
  /** Backends found for the cluster and not used (a second one tagged for it): reported, never a stop. */
  conflict?: string;
  reasons: string[];
  /** CPU and memory reservation (%) over ACTIVE instances, as CloudWatch computes them. */
  reservation?: Resources;
  /** The backend's counts after the tick's steps (re-read when a step changed them). */
  counts?: BackendCounts;
  /** The re-read after the steps failed: counts are from before them. */
  countsStale?: boolean;
  plannedDesired?: number;
  instanceToDrain?: string;
  starved?: string[];
  /** Services deploying for longer than deploymentHoldMs: scale-in no longer waits for them (a warning is logged). */
  stuckDeployments?: string[];
  unplaceable?: Unplaceable[];
  /** Units asked for longer than the arrival timeout ago and still not registered in ECS. */
  notArrivedUnits?: number;
  /** A capacity write or its record was refused: the trigger must be kept and retried (the writer reports a batch item failure). */
  retry?: string;
  /** Event mode: what triggered the re-plan. */
  trigger?: string;
  /** Event mode: seconds from the trigger to the capacity request (the call that raised desired). */
  secondsToCapacityRequest?: number;
  /** Rebalance drains this tick called off (ACTIVE again), and those it kept (a reason in the step's detail). */
  rebalanceCallOffs?: number;
  rebalanceCallOffsKept?: number;
  steps: Array<{ kind: string; ec2InstanceId?: string; ok: boolean; skipped?: string; error?: string; detail?: string }>;
  drains?: DrainReport[];
}

/** One camelCase count per decision kind. */
const DECISION_METRIC: Record<ClusterTickReport['decision'], string> = {
  'scale-out': 'decisionsScaleOut',
  'scale-in': 'decisionsScaleIn',
  'remove-drained': 'decisionsRemoveDrained',
  fallback: 'decisionsFallback',
  none: 'decisionsNone',
  error: 'capacityTickErrors',
};

/**
 * One cluster's tick as metrics, on the sink for that cluster (dimension `cluster`): the
 * reservations, desired and in-service capacity, starved services, stuck deployments, unplaceable tasks, capacity
 * that never arrived, failed steps, rebalance drains called off and kept, and the decision by kind. Emitted on every path, errors too.
 */
export function emitCapacityMetrics(metrics: MetricSink, r: ClusterTickReport): void {
  metrics.addMetric(DECISION_METRIC[r.decision], MetricUnit.Count, 1);
  if (r.conflict) metrics.addMetric('capacityBackendConflicts', MetricUnit.Count, 1);
  // Every path, zero included (an error report ran no step): a missing point never reads as "none called off".
  metrics.addMetric('rebalanceCallOffs', MetricUnit.Count, r.rebalanceCallOffs ?? 0);
  metrics.addMetric('rebalanceCallOffsKept', MetricUnit.Count, r.rebalanceCallOffsKept ?? 0);
  if (r.decision === 'error') return;
  if (r.reservation) {
    metrics.addMetric('cpuReservation', MetricUnit.Percent, r.reservation.cpu);
    metrics.addMetric('memoryReservation', MetricUnit.Percent, r.reservation.memory);
  }
  if (r.counts) {
    metrics.addMetric('desiredCapacity', MetricUnit.Count, r.counts.desired);
    metrics.addMetric('inServiceCapacity', MetricUnit.Count, r.counts.inService);
  }
  metrics.addMetric('starvedServices', MetricUnit.Count, r.starved?.length ?? 0);
  metrics.addMetric('stuckDeployments', MetricUnit.Count, r.stuckDeployments?.length ?? 0);
  metrics.addMetric(
    'unplaceableTasks',
    MetricUnit.Count,
    (r.unplaceable ?? []).reduce((n, u) => n + u.count, 0),
  );
  metrics.addMetric('capacityNotArrived', MetricUnit.Count, r.notArrivedUnits ?? 0);
  metrics.addMetric('capacityStepFailures', MetricUnit.Count, r.steps.filter((s) => !s.ok).length);
  if (r.secondsToCapacityRequest !== undefined)
    metrics.addMetric('secondsToCapacityRequest', MetricUnit.Seconds, r.secondsToCapacityRequest);
}

/** Log each cluster's report and emit its metrics (and its drains') on that cluster's sink. */
export function publishReports(log: Log, sinkOf: (cluster: string) => MetricSink, reports: readonly ClusterTickReport[]): void {
  for (const r of reports) {
    const sink = sinkOf(r.cluster);
    emitCapacityMetrics(sink, r);
    for (const drain of r.drains ?? []) emitDrainMetrics(sink, drain);
    if (r.stuckDeployments?.length)
      log.warn('deployment stuck: scale-in no longer waits for it', { cluster: r.cluster, services: r.stuckDeployments });
    const { drains, ...rest } = r;
    log.info('capacity report', { ...rest, drains: drains?.map((x) => ({ ec2InstanceId: x.ec2InstanceId, outcome: x.outcome })) });
  }
}
