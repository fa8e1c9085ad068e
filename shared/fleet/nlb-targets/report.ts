import { MetricUnit, type Log, type MetricSink } from '../../lambda/observability';
import type { StepResult } from './execute';
import type { NlbPlan, TargetDecision, TargetView } from './plan';

export type BindingOutcome = 'in-sync' | 'synced' | 'partial' | 'dry-run' | 'not-member' | 'failed';

/** One cluster's target group after one sync, counted from what ELBv2 answered at the end. */
export interface BindingReport {
  cluster: string;
  targetGroupArn: string;
  port: number;
  scope: 'cluster' | 'instances';
  outcome: BindingOutcome;
  decisions: TargetDecision[];
  /** Targets registered / deregistered by this sync that ELBv2 shows so at the end. */
  registered: number;
  deregistered: number;
  leftAlone: number;
  /** IPs that should be in the group and are not (or are draining) at the end. */
  missing: string[];
  failures: string[];
}

/**
 * Count from the group as read after the steps: a registration counts when the target is in
 * the group and not draining, a deregistration when it is draining or gone. Without steps (or
 * in dry-run) the read before is the truth.
 */
export function bindingReport(
  base: Pick<BindingReport, 'cluster' | 'targetGroupArn' | 'port' | 'scope'>,
  plan: NlbPlan,
  results: readonly StepResult[],
  end: readonly TargetView[],
  dryRun: boolean,
  /** Reads that failed per item (ECS's DescribeContainerInstances failures): named, and the outcome is at best partial. */
  readFailures: readonly string[] = [],
): BindingReport {
  const at = new Map(end.filter((t) => t.port === base.port).map((t) => [t.ip, t.state]));
  const live = (ip: string) => at.has(ip) && !at.get(ip)!.includes('draining');
  const applied = results.some((r) => r.applied);
  const of = (action: TargetDecision['action']) => plan.decisions.filter((d) => d.action === action);
  const wanted = plan.decisions.filter((d) => d.wanted);
  const failures = [
    ...readFailures,
    ...results.flatMap((r) => r.failures.map((f) => `${r.step.kind} ${f.targets.map((t) => t.ip).join(' ')}: ${f.reason}`)),
  ];
  const registered = applied ? of('register').filter((d) => live(d.ip)).length : 0;
  const deregistered = applied ? of('deregister').filter((d) => !live(d.ip)).length : 0;
  const outcome: BindingOutcome =
    plan.steps.length === 0
      ? readFailures.length > 0
        ? 'partial'
        : 'in-sync'
      : dryRun
        ? 'dry-run'
        : failures.length > 0 || registered + deregistered < of('register').length + of('deregister').length
          ? 'partial'
          : 'synced';
  return {
    ...base,
    outcome,
    decisions: plan.decisions,
    registered,
    deregistered,
    leftAlone: of('leave-alone').length,
    missing: dryRun ? [] : wanted.filter((d) => !live(d.ip)).map((d) => d.ip),
    failures,
  };
}

export function failedReport(base: Pick<BindingReport, 'cluster' | 'targetGroupArn' | 'port' | 'scope'>, error: string): BindingReport {
  return { ...base, outcome: 'failed', decisions: [], registered: 0, deregistered: 0, leftAlone: 0, missing: [], failures: [error] };
}

/** Log every binding's report and emit the metrics (all of them, zeros included, on every path). */
export function publishNlbReports(log: Log, metrics: MetricSink, reports: readonly BindingReport[]): void {
  for (const r of reports) log.info('nlb target sync', { report: r });
  const sum = (f: (r: BindingReport) => number) => reports.reduce((s, r) => s + f(r), 0);
  metrics.addMetric(
    'targetsRegistered',
    MetricUnit.Count,
    sum((r) => r.registered),
  );
  metrics.addMetric(
    'targetsDeregistered',
    MetricUnit.Count,
    sum((r) => r.deregistered),
  );
  metrics.addMetric(
    'targetsLeftAlone',
    MetricUnit.Count,
    sum((r) => r.leftAlone),
  );
  metrics.addMetric(
    'targetsMissing',
    MetricUnit.Count,
    sum((r) => r.missing.length),
  );
  metrics.addMetric(
    'targetSyncFailures',
    MetricUnit.Count,
    sum((r) => r.failures.length),
  );
}
