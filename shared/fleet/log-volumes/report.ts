import { MetricUnit, type Log, type MetricSink } from '../../lambda/observability';
import type { StepResult } from './execute';
import type { LogVolumesPlan, Verdict, VolumeDecision } from './plan';
import type { VolumeView } from './ports';

export interface LogVolumesReport {
  dryRun: boolean;
  /** `done`: every step came out as planned; `partial`: some failed or were left for the deadline; `list-failed`: nothing was read. */
  outcome: 'done' | 'partial' | 'list-failed';
  /** Available volumes carrying our tag (in-use ones are read too, only to record their attachment). */
  seen: number;
  /** Deleted, as EC2 says at the end (gone or `deleting`). */
  deleted: string[];
  /** Dry run: what would have been deleted. */
  wouldDelete: string[];
  /** Due, but over the run's deletion bound: next run. */
  deferred: string[];
  withinGrace: string[];
  /** Unflushed volumes old enough to alert on: they still hold logs. */
  orphans: VolumeDecision[];
  offered: string[];
  stamped: string[];
  badFlushedTag: string[];
  /** Flushed, but never seen attached by us: ownership rests on a tag alone, so kept. */
  unobserved: string[];
  /** Attached again between the read and the delete: kept. */
  reattached: string[];
  /** Volumes carrying a stamp of ours that KMS did not verify (forged, copied, or not checkable this run): ignored, never proof. */
  unverifiedStamps: Array<{ volumeId: string; keys: string[] }>;
  failed: Array<{ volumeId: string; action: string; attempts: number; error: string }>;
  decisions: VolumeDecision[];
  error?: string;
}

const ids = (decisions: readonly VolumeDecision[], verdict: Verdict) =>
  decisions.filter((d) => d.verdict === verdict).map((d) => d.volumeId);

/**
 * The report from the plan, the step results and what EC2 listed at the end (`remaining`: the
 * deleted volumes it still lists, or undefined when that read failed — then no delete counts as done).
 */
export function buildReport(
  dryRun: boolean,
  seen: number,
  plan: LogVolumesPlan,
  results: readonly StepResult[],
  remaining: readonly VolumeView[] | undefined,
  confirmError?: string,
): LogVolumesReport {
  const byKind = (kind: string, outcome: StepResult['outcome']) =>
    results.filter((r) => r.step.kind === kind && r.outcome === outcome).map((r) => r.step.volumeId);
  const failed: LogVolumesReport['failed'] = results
    .filter((r) => r.outcome === 'failed' || r.outcome === 'not-attempted')
    .map((r) => ({
      volumeId: r.step.volumeId,
      action: r.step.kind,
      attempts: r.attempts,
      error: r.error ?? 'deadline reached before it was tried',
    }));
  const deleted: string[] = [];
  for (const id of [...byKind('delete', 'done'), ...byKind('delete', 'not-found')]) {
    const still = remaining?.find((v) => v.volumeId === id);
    if (remaining !== undefined && (still === undefined || still.state === 'deleting' || still.state === 'deleted')) deleted.push(id);
    else
      failed.push({
        volumeId: id,
        action: 'delete',
        attempts: 0,
        error: still ? `still listed as ${still.state}` : `unconfirmed: ${confirmError ?? ''}`,
      });
  }
  return {
    dryRun,
    outcome: failed.length > 0 ? 'partial' : 'done',
    seen,
    deleted,
    wouldDelete: byKind('delete', 'dry-run'),
    deferred: ids(plan.decisions, 'deferred'),
    withinGrace: ids(plan.decisions, 'within-grace'),
    orphans: plan.decisions.filter((d) => d.verdict === 'orphan'),
    offered: byKind('offer', 'done'),
    stamped: byKind('stamp', 'done'),
    badFlushedTag: ids(plan.decisions, 'bad-flushed-tag'),
    unobserved: ids(plan.decisions, 'unobserved'),
    reattached: byKind('delete', 'in-use'),
    unverifiedStamps: plan.decisions.filter((d) => d.unverifiedStamps).map((d) => ({ volumeId: d.volumeId, keys: d.unverifiedStamps! })),
    failed,
    decisions: plan.decisions,
  };
}

/** Nothing could be read: every count is zero and the error is named. */
export function listFailedReport(dryRun: boolean, error: string): LogVolumesReport {
  const empty = buildReport(dryRun, 0, { decisions: [], steps: [] }, [], []);
  return { ...empty, outcome: 'list-failed', error };
}

/** Every metric on every path (zeros included), so alarms on them never see missing data as good news. */
export function emitReport(log: Log, metrics: MetricSink, r: LogVolumesReport): void {
  emitCounts(metrics, r, 0);
  const { decisions, ...summary } = r;
  if (r.orphans.length > 0 || r.badFlushedTag.length > 0)
    log.warn('log volumes still holding logs', { orphans: r.orphans, badFlushedTag: r.badFlushedTag });
  if (r.unobserved.length > 0) log.warn('log volumes flushed but never seen attached: kept', { unobserved: r.unobserved });
  if (r.unverifiedStamps.length > 0)
    log.warn('log volume stamps not verified by KMS: ignored', {
      unverifiedStamps: r.unverifiedStamps,
      reasons: decisions.filter((d) => d.unverifiedStamps).map((d) => d.reason),
    });
  if (r.outcome === 'done') log.info('log volumes report', { report: summary, decisions: decisions.length });
  else log.error('log volumes report', { report: summary, decisions: decisions.length });
}

/** A malformed event: `malformedEvents` = 1 and every other metric 0 (nothing was read). */
export function emitMalformedEvent(metrics: MetricSink): void {
  emitCounts(metrics, listFailedReport(true, 'malformed event'), 1);
}

function emitCounts(metrics: MetricSink, r: LogVolumesReport, malformed: 0 | 1): void {
  const count = (name: string, value: number) => metrics.addMetric(name, MetricUnit.Count, value);
  count('volumesSeen', r.seen);
  count('volumesDeleted', r.deleted.length);
  count('volumesWouldDelete', r.wouldDelete.length);
  count('volumesDeferred', r.deferred.length);
  count('volumesWithinGrace', r.withinGrace.length);
  count('orphanVolumes', r.orphans.length);
  count('orphanVolumesOffered', r.offered.length);
  count('badFlushedTags', r.badFlushedTag.length);
  count('unobservedVolumes', r.unobserved.length);
  count('unverifiedStamps', r.unverifiedStamps.length);
  count('volumeDeleteFailures', r.failed.filter((f) => f.action === 'delete').length);
  count('volumeTagFailures', r.failed.filter((f) => f.action !== 'delete').length);
  count('listFailures', r.outcome === 'list-failed' && malformed === 0 ? 1 : 0);
  count('malformedEvents', malformed);
}
