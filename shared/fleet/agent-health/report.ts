import { emitDrainMetrics, type DrainReport } from '../../retire/drain-report';
import { MetricUnit, type Log, type MetricSink } from '../../lambda/observability';
import type { AgentStepResult } from './execute';
import type { AgentHealthPlan, AgentInstanceVerdict } from './plan';

/** What one run did for one cluster, from what AWS said. */
export interface AgentHealthClusterReport {
  cluster: string;
  reportOnly: boolean;
  startedAt: string;
  /** `breaker-open`: too much of the cluster disconnected at once, nothing done; `error`: the cluster could not be read. */
  outcome: 'checked' | 'breaker-open' | 'error' | 'not-managed';
  error?: string;
  /** Container instances ACTIVE or DRAINING, and those of them whose agent is disconnected. */
  instances: number;
  disconnected: number;
  breaker?: AgentHealthPlan['breaker'];
  verdicts: AgentInstanceVerdict[];
  steps: Array<{ kind: string; ec2InstanceId: string; ok: boolean; skipped?: string; error?: string; detail?: string }>;
  /** Instances the backend accepted to terminate for replacement (its answer). */
  replaced: string[];
  drains: DrainReport[];
  warnings: string[];
  reasons: string[];
}

/** The report of one cluster from its plan and what each step's call answered. */
export function clusterReport(
  base: Pick<AgentHealthClusterReport, 'cluster' | 'reportOnly' | 'startedAt' | 'instances' | 'disconnected' | 'warnings'>,
  plan: AgentHealthPlan,
  results: readonly AgentStepResult[],
): AgentHealthClusterReport {
  return {
    ...base,
    outcome: plan.breaker ? 'breaker-open' : 'checked',
    ...(plan.breaker ? { breaker: plan.breaker } : {}),
    verdicts: plan.instances,
    steps: results.map((r) => ({
      kind: r.step.kind,
      ec2InstanceId: r.step.ec2InstanceId,
      ok: r.ok,
      ...(r.skipped ? { skipped: r.skipped } : {}),
      ...(r.error ? { error: r.error } : {}),
      ...(r.detail ? { detail: r.detail } : {}),
    })),
    replaced: results.filter((r) => r.replaced).map((r) => r.step.ec2InstanceId),
    drains: results.flatMap((r) => (r.drain ? [r.drain] : [])),
    reasons: plan.reasons,
  };
}

const count = (r: AgentHealthClusterReport, ...verdicts: string[]) => r.verdicts.filter((v) => verdicts.includes(v.verdict)).length;

/**
 * One cluster's run as metrics on that cluster's sink (dimension `cluster`), on every path:
 * disconnected agents, those disconnected past the configured time, the breaker (1 when open: the
 * alert), instances of no backend of ours, drains started, instances replaced, failed steps, errors.
 */
export function emitAgentHealthMetrics(metrics: MetricSink, r: AgentHealthClusterReport): void {
  metrics.addMetric('agentHealthErrors', MetricUnit.Count, r.outcome === 'error' ? 1 : 0);
  if (r.outcome === 'error' || r.outcome === 'not-managed') return;
  metrics.addMetric('agentsDisconnected', MetricUnit.Count, r.disconnected);
  metrics.addMetric(
    'agentsDisconnectedTooLong',
    MetricUnit.Count,
    count(r, 'replace', 'held-by-breaker', 'over-limit', 'skipped', 'not-ours'),
  );
  metrics.addMetric('agentBreakerOpen', MetricUnit.Count, r.breaker ? 1 : 0);
  metrics.addMetric('agentInstancesNotOurs', MetricUnit.Count, count(r, 'not-ours'));
  metrics.addMetric('agentDrainsStarted', MetricUnit.Count, r.steps.filter((s) => s.kind === 'markReplace' && s.ok && !s.skipped).length);
  metrics.addMetric('agentInstancesReplaced', MetricUnit.Count, r.replaced.length);
  metrics.addMetric('agentStepFailures', MetricUnit.Count, r.steps.filter((s) => !s.ok).length);
}

/**
 * Log each cluster's report (an open breaker at error level: the alert beside the metric) and
 * emit its metrics and its drains' on that cluster's sink.
 */
export function publishAgentHealthReports(
  log: Log,
  sinkOf: (cluster: string) => MetricSink,
  reports: readonly AgentHealthClusterReport[],
): void {
  for (const r of reports) {
    const sink = sinkOf(r.cluster);
    emitAgentHealthMetrics(sink, r);
    for (const drain of r.drains) emitDrainMetrics(sink, drain);
    if (r.breaker)
      log.error('agent health circuit breaker open: nothing drained or replaced', {
        cluster: r.cluster,
        breaker: r.breaker,
        reasons: r.reasons,
      });
    const { drains, ...rest } = r;
    log.info('agent health report', { ...rest, drains: drains.map((x) => ({ ec2InstanceId: x.ec2InstanceId, outcome: x.outcome })) });
  }
}
