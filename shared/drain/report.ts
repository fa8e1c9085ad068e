import { targetKey } from '../aws/elbv2-targets';
import { MetricUnit, type MetricSink } from '../lambda/observability';
import type { DrainOutcome, DrainState, DrainStep, DrainTotals, StepResult } from './types';

export type { DrainOutcome };

export interface DrainReport {
  ec2InstanceId: string;
  cluster?: string;
  containerInstanceArn?: string;
  outcome: DrainOutcome;
  /** Why the drain ended with this outcome (the plan's words). */
  why: string;
  dryRun: boolean;
  noticeAt: string;
  deadline: string;
  startedAt: string;
  finishedAt: string;
  /** Seconds between the end of the drain and the deadline (negative: overran). */
  secondsToSpare: number;
  phases: { drainingAt?: string; firstDeregistrationAt?: string; lastDeregistrationAt?: string; lastStopAt?: string };
  /** Stops this drain caused (ECS kept our reason); a stop someone else asked for first is not counted. */
  tasksStopped: { standalone: number; service: number };
  /**
   * Tasks ECS still counted on the instance when the drain ended (0 when drained), or
   * `unknown` when that could not be read: the instance was never found, or ECS's counts
   * were not read after the last stop (throttled, an outage). Never a guess, never 0 for it.
   */
  tasksLeftRunning: number | 'unknown';
  /**
   * With `unknown`: the tasks this drain last saw ECS wanting running that none of its stops
   * reached in time. An upper bound, not a count (another drain of the instance may have stopped
   * them): what to look at, not what to alarm on.
   */
  tasksNotConfirmedStopped?: number;
  targetsDeregistered: number;
  interruptedTasksPublished: number;
  /** Per target group: held for keep-serving, and seconds it was seen with no healthy target. */
  targetGroups: Array<{ targetGroupArn: string; held: boolean; secondsWithoutHealthyTarget: number }>;
  /** Steps the plan would take (dry run) or took, by kind. */
  steps: Record<string, number>;
  /** One entry per step or read, subject and error; `times` counts how often it failed. */
  failures: Array<{ step: string; subject: string; error: string; at: string; lastAt: string; times: number }>;
  warnings: string[];
  iterations: number;
  /** The instance was already DRAINING and this drain changed nothing: a repeated notice. */
  duplicate: boolean;
  lifecycle?: { result: string; completed?: string; heartbeats: number };
  /** Totals over every invocation of a long (handed-on) drain, this one included. */
  totals?: DrainTotals;
}

/** A report that fills in as the drain goes; the outcome and the counts at the end come from the state, i.e. from what AWS said. */
export class DrainReportBuilder {
  private readonly deregistered = new Set<string>();
  private readonly warnings = new Set<string>();
  private heartbeats = 0;
  private changed = false;
  readonly report: DrainReport;

  constructor(init: { ec2InstanceId: string; noticeAt: number; deadline: number; startedAt: number; dryRun: boolean }) {
    this.report = {
      ec2InstanceId: init.ec2InstanceId,
      outcome: 'drained',
      why: '',
      dryRun: init.dryRun,
      noticeAt: iso(init.noticeAt),
      deadline: iso(init.deadline),
      startedAt: iso(init.startedAt),
      finishedAt: iso(init.startedAt),
      secondsToSpare: 0,
      phases: {},
      tasksStopped: { standalone: 0, service: 0 },
      tasksLeftRunning: 0,
      targetsDeregistered: 0,
      interruptedTasksPublished: 0,
      targetGroups: [],
      steps: {},
      failures: [],
      warnings: [],
      iterations: 0,
      duplicate: false,
    };
  }

  warn(message: string): void {
    this.warnings.add(message);
    this.report.warnings = [...this.warnings];
  }

  failure(step: string, subject: string, error: string, at: number): void {
    const seen = this.report.failures.find((f) => f.step === step && f.subject === subject && f.error === error);
    if (seen) {
      seen.times += 1;
      seen.lastAt = iso(at);
    } else this.report.failures.push({ step, subject, error, at: iso(at), lastAt: iso(at), times: 1 });
  }

  record(results: readonly StepResult[]): void {
    const r = this.report;
    for (const res of results) {
      const { step, ok, error, at } = res;
      r.steps[step.kind] = (r.steps[step.kind] ?? 0) + 1;
      if (!ok) {
        this.failure(step.kind, subjectOf(step), error ?? 'unknown', at);
        continue;
      }
      if (res.skipped) continue;
      switch (step.kind) {
        case 'setDraining':
          r.phases.drainingAt ??= iso(at);
          this.changed = true;
          break;
        case 'deregisterTargets':
          for (const t of step.targets) this.deregistered.add(`${step.targetGroupArn}|${targetKey(t)}`);
          r.targetsDeregistered = this.deregistered.size;
          r.phases.firstDeregistrationAt ??= iso(at);
          r.phases.lastDeregistrationAt = iso(at);
          break;
        case 'stopTask':
          if (res.stop?.ours) {
            r.tasksStopped[step.task.kind] += 1;
            this.changed = true;
          }
          r.phases.lastStopAt = iso(at);
          break;
        case 'notifyInterrupted':
          r.interruptedTasksPublished += 1;
          break;
        case 'heartbeat':
          this.heartbeats += 1;
          break;
        default:
          break;
      }
    }
  }

  /** Close the report from the final state: the outcome, what still ran, how each group fared. */
  finish(outcome: DrainOutcome, why: string, state: DrainState, at: number, deadline: number, carried?: DrainTotals): DrainReport {
    const r = this.report;
    r.outcome = outcome;
    r.why = why;
    r.finishedAt = iso(at);
    r.secondsToSpare = Math.round((deadline - at) / 100) / 10;
    if (state.instance) {
      r.cluster = state.instance.cluster;
      r.containerInstanceArn = state.instance.containerInstanceArn;
    }
    r.tasksLeftRunning = outcome === 'drained' || outcome === 'not-in-cluster' || outcome === 'expired' ? 0 : leftRunning(state, deadline);
    if (r.tasksLeftRunning === 'unknown') r.tasksNotConfirmedStopped = notConfirmedStopped(state, deadline);
    r.targetGroups = [...state.groups.values()].map((g) => ({
      targetGroupArn: g.targetGroupArn,
      held: g.hold,
      secondsWithoutHealthyTarget: Math.round((g.noHealthyMs + (g.noHealthySince !== undefined ? at - g.noHealthySince : 0)) / 100) / 10,
    }));
    // A repeat of a drain that went well: nothing to do, nothing failed. Anything else is counted in full.
    r.duplicate = !this.changed && !state.resumed && state.initialStatus === 'DRAINING' && outcome === 'drained' && r.failures.length === 0;
    if (state.lifecycle)
      r.lifecycle = {
        result: state.lifecycle.result,
        ...(state.lifecycle.completed ? { completed: state.lifecycle.completed } : {}),
        heartbeats: this.heartbeats,
      };
    if (carried) r.totals = addTotals(carried, r);
    return r;
  }
}

/**
 * What still ran when the drain ended: ECS's own counts, read after the last stop (at least
 * the tasks ECS wanted running at our last look that no stop reached in time). Without such a
 * read it is `unknown`: the instance was never found, or the counts could not be read after
 * the last stop. Counting what this drain did not stop instead would count, as running, tasks
 * another drain of the same instance (a repeated notice) stopped meanwhile — a false alarm.
 */
function leftRunning(state: DrainState, deadline: number): number | 'unknown' {
  const ci = state.instance;
  if (!ci) return 'unknown';
  const lastStop = Math.max(0, ...[...state.stopped.values()].map((x) => x.at));
  if (state.lastCountsAt === undefined || state.lastCountsAt < lastStop) return 'unknown';
  return Math.max(ci.runningTasksCount + ci.pendingTasksCount, notStoppedInTime(state, deadline));
}

/** Tasks ECS wanted running at this drain's last look that none of its stops reached before the deadline. */
function notStoppedInTime(state: DrainState, deadline: number): number {
  const stoppedInTime = (arn: string) => {
    const stop = state.stopped.get(arn);
    return stop !== undefined && (stop.ours || stop.at < deadline);
  };
  return [...state.tasks.values()].filter((t) => t.desiredStatus === 'RUNNING' && !stoppedInTime(t.taskArn ?? '')).length;
}

/** notStoppedInTime, plus tasks listed and never described (or the lookup's counts when the tasks were never listed). */
function notConfirmedStopped(state: DrainState, deadline: number): number | undefined {
  const ci = state.instance;
  if (!ci) return undefined;
  const unlisted =
    state.listedArns === undefined
      ? ci.runningTasksCount + ci.pendingTasksCount
      : state.listedArns.filter((a) => !state.tasks.has(a) && !state.stopped.has(a)).length;
  return notStoppedInTime(state, deadline) + unlisted;
}

/** This report's counts added to what earlier steps of the same drain carried. */
export function addTotals(carried: DrainTotals, r: DrainReport): DrainTotals {
  return {
    tasksStopped: {
      standalone: carried.tasksStopped.standalone + r.tasksStopped.standalone,
      service: carried.tasksStopped.service + r.tasksStopped.service,
    },
    targetsDeregistered: carried.targetsDeregistered + r.targetsDeregistered,
    interruptedTasksPublished: carried.interruptedTasksPublished + r.interruptedTasksPublished,
    failures: carried.failures + r.failures.length,
  };
}

export const NO_TOTALS: DrainTotals = {
  tasksStopped: { standalone: 0, service: 0 },
  targetsDeregistered: 0,
  interruptedTasksPublished: 0,
  failures: 0,
};

export function subjectOf(step: DrainStep): string {
  switch (step.kind) {
    case 'setDraining':
      return step.containerInstanceArn;
    case 'deregisterTargets':
      return step.targetGroupArn;
    case 'stopTask':
    case 'notifyInterrupted':
      return step.task.taskArn;
    case 'heartbeat':
    case 'completeLifecycle':
      return `${step.ref.autoScalingGroupName}/${step.ref.lifecycleHookName}/${step.ref.instanceId}`;
    case 'handOn':
      return 'drain continuation';
  }
}

/**
 * Drain outcome as metrics: camelCase counts plus seconds to spare. A repeated notice that
 * changed nothing counts only as `drainsDuplicate`, so duplicates never double the figures.
 */
export function emitDrainMetrics(metrics: MetricSink, report: DrainReport): void {
  if (report.duplicate) {
    metrics.addMetric('drainsDuplicate', MetricUnit.Count, 1);
    return;
  }
  metrics.addMetric('tasksStopped', MetricUnit.Count, report.tasksStopped.service + report.tasksStopped.standalone);
  metrics.addMetric('standaloneTasksStopped', MetricUnit.Count, report.tasksStopped.standalone);
  // Only an ended drain leaves tasks running; a step handed on mid-drain naturally still has some.
  // What could not be read is counted as such, not as 0 (nor as a guess that could raise a false alarm).
  if (report.outcome !== 'handed-on') {
    if (report.tasksLeftRunning === 'unknown') metrics.addMetric('drainsEndUnknown', MetricUnit.Count, 1);
    else metrics.addMetric('tasksLeftRunning', MetricUnit.Count, report.tasksLeftRunning);
  }
  metrics.addMetric('targetsDeregistered', MetricUnit.Count, report.targetsDeregistered);
  metrics.addMetric('drainFailures', MetricUnit.Count, report.failures.length);
  metrics.addMetric('secondsToSpare', MetricUnit.Seconds, report.secondsToSpare);
  metrics.addMetric(OUTCOME_METRIC[report.outcome], MetricUnit.Count, 1);
}

/** A drain that could not even produce a report (a bug, not AWS): still counted, so an alarm sees it. */
export function emitDrainError(metrics: MetricSink): void {
  metrics.addMetric('drainErrors', MetricUnit.Count, 1);
}

/** One camelCase count per outcome, so each can be graphed and alarmed on its own. */
const OUTCOME_METRIC: Record<DrainOutcome, string> = {
  drained: 'drainsCompleted',
  'deadline-reached': 'drainsCutByDeadline',
  'handed-on': 'drainsHandedOn',
  'not-in-cluster': 'drainsNotInCluster',
  expired: 'drainsExpired',
  'dry-run': 'drainsDryRun',
};

const iso = (ms: number) => new Date(ms).toISOString();
