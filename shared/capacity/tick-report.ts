import { notArrivedUnits } from './demand';
import type { CapacityStepResult } from './execute';
import type { BackendView, CapacityBackend } from './ports';
import type { ClusterTickReport } from './report';
import type { WriteOutcome } from './tick-choices';
import type { CapacityDecision, CapacitySettings, CapacitySnapshot } from './types';

/**
 * What tickCluster reports on each of its paths, pure: the round's decision and the executor's
 * results in, one report out (the counts from the backend as re-read after a change).
 */

/** What every report of one cluster's tick carries. */
export type ReportBase = Pick<ClusterTickReport, 'cluster' | 'dryRun' | 'startedAt' | 'conflict'>;

export const refOf = (b: CapacityBackend | BackendView) => ({ kind: b.ref.kind, id: b.ref.id });

/** The cluster could not be planned: no backend, a bad configuration, or reads that failed all the invocation's time. */
export function errorReport(base: ReportBase, error: string, backend?: CapacityBackend): ClusterTickReport {
  return { ...base, ...(backend ? { backend: refOf(backend) } : {}), decision: 'error', error, reasons: [], steps: [] };
}

export interface RoundResult {
  primary: CapacityBackend;
  fallback?: CapacityBackend;
  onFallback: boolean;
  decision: CapacityDecision;
  reasons: string[];
  snapshot: CapacitySnapshot;
  settings: CapacitySettings;
  results: readonly CapacityStepResult[];
  outcome: WriteOutcome;
  /** The active backend as read before the steps. */
  before: BackendView;
  /** The active backend re-read after a change (undefined: the re-read failed, counts are from before). */
  after: BackendView | undefined;
  event?: { trigger: string; triggeredAt: number };
  now: number;
}

export function roundReport(base: ReportBase, r: RoundResult): ClusterTickReport {
  const { decision, outcome, event } = r;
  return {
    ...base,
    backend: refOf(r.primary),
    ...(r.fallback ? { fallback: { ...refOf(r.fallback), active: r.onFallback || decision.decision === 'fallback' } } : {}),
    decision: decision.decision,
    reasons: r.reasons,
    reservation: decision.reservation,
    counts: r.after?.counts ?? r.before.counts,
    ...(r.after ? {} : { countsStale: true }),
    starved: decision.starved,
    ...(decision.stuckDeployments ? { stuckDeployments: decision.stuckDeployments } : {}),
    unplaceable: decision.unplaceable,
    notArrivedUnits: notArrivedUnits(r.snapshot, r.settings, r.now),
    ...(decision.desired !== undefined ? { plannedDesired: decision.desired } : {}),
    ...(decision.instanceToDrain ? { instanceToDrain: decision.instanceToDrain } : {}),
    ...(event ? { trigger: event.trigger } : {}),
    ...(outcome.unwritten.length > 0
      ? { retry: `not written: ${outcome.unwritten.map((x) => `${x.step.kind} ${x.error ?? ''}`.trim()).join('; ')}` }
      : {}),
    ...(outcome.requested?.at !== undefined && event
      ? { secondsToCapacityRequest: Math.max(0, (outcome.requested.at - event.triggeredAt) / 1000) }
      : {}),
    ...rebalanceCallOffCounts(r.results),
    steps: r.results.map(stepLine),
    drains: r.results.flatMap((x) => (x.drain ? [x.drain] : [])),
  };
}

const stepLine = (r: CapacityStepResult) => ({
  kind: r.step.kind,
  ...('ec2InstanceId' in r.step ? { ec2InstanceId: r.step.ec2InstanceId } : {}),
  ...('on' in r.step && r.step.on === 'fallback' ? { on: 'fallback' } : {}),
  ok: r.ok,
  ...(r.skipped ? { skipped: r.skipped } : {}),
  ...(r.error ? { error: r.error } : {}),
  ...(r.detail ? { detail: r.detail } : {}),
});

/** The endRebalance steps that ran, by their answer (execute.ts writes `called off: …` or `kept: …`); a failed one is a step failure. */
function rebalanceCallOffCounts(
  results: readonly CapacityStepResult[],
): Pick<ClusterTickReport, 'rebalanceCallOffs' | 'rebalanceCallOffsKept'> {
  const ran = results.filter((x) => x.step.kind === 'endRebalance' && x.ok && !x.skipped);
  return {
    rebalanceCallOffs: ran.filter((x) => x.detail?.startsWith('called off')).length,
    rebalanceCallOffsKept: ran.filter((x) => x.detail?.startsWith('kept')).length,
  };
}
