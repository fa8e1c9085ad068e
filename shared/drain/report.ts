import type { StepResult } from './execute';
import { targetKey } from '../aws/elbv2-targets';

export type DrainOutcome =
  | 'drained' // nothing left running on the instance
  | 'deadline-reached' // the safety deadline came first: whatever remained was stopped
  | 'handed-on' // this invocation's time is up; the drain goes on in the next one (ASG)
  | 'not-in-cluster' // the EC2 instance is in none of the clusters: a no-op
  | 'dry-run'; // planned and logged, nothing changed

export interface DrainReport {
  ec2InstanceId: string;
  cluster?: string;
  containerInstanceArn?: string;
  outcome: DrainOutcome;
  dryRun: boolean;
  noticeAt: string;
  deadline: string;
  startedAt: string;
  finishedAt: string;
  /** Seconds between the end of the drain and the deadline (negative: overran). */
  secondsToSpare: number;
  phases: {
    drainingAt?: string;
    firstDeregistrationAt?: string;
    lastDeregistrationAt?: string;
    lastStopAt?: string;
  };
  tasksStopped: { standalone: number; service: number };
  targetsDeregistered: number;
  interruptedTasksPublished: number;
  /** Steps the plan would take (dry run) or took, by kind. */
  steps: Record<string, number>;
  /** One entry per step, subject and error; `times` counts the looks on which it failed. */
  failures: Array<{ step: string; subject: string; error: string; at: string; lastAt: string; times: number }>;
  warnings: string[];
  iterations: number;
}

/** A report that fills in as the drain goes. */
export class DrainReportBuilder {
  private readonly deregistered = new Set<string>();
  private readonly stopped = new Map<string, 'standalone' | 'service'>();
  private readonly warnings = new Set<string>();
  readonly report: DrainReport;

  constructor(init: { ec2InstanceId: string; noticeAt: number; deadline: number; startedAt: number; dryRun: boolean }) {
    this.report = {
      ec2InstanceId: init.ec2InstanceId,
      outcome: 'drained',
      dryRun: init.dryRun,
      noticeAt: iso(init.noticeAt),
      deadline: iso(init.deadline),
      startedAt: iso(init.startedAt),
      finishedAt: iso(init.startedAt),
      secondsToSpare: 0,
      phases: {},
      tasksStopped: { standalone: 0, service: 0 },
      targetsDeregistered: 0,
      interruptedTasksPublished: 0,
      steps: {},
      failures: [],
      warnings: [],
      iterations: 0,
    };
  }

  warn(messages: readonly string[]): void {
    for (const m of messages) this.warnings.add(m);
    this.report.warnings = [...this.warnings];
  }

  record(results: readonly StepResult[]): void {
    const r = this.report;
    for (const { step, ok, error, at } of results) {
      r.steps[step.kind] = (r.steps[step.kind] ?? 0) + 1;
      if (!ok) {
        const failure = { step: step.kind, subject: subjectOf(step), error: error ?? 'unknown' };
        const seen = r.failures.find((f) => f.step === failure.step && f.subject === failure.subject && f.error === failure.error);
        if (seen) {
          seen.times += 1;
          seen.lastAt = iso(at);
        } else r.failures.push({ ...failure, at: iso(at), lastAt: iso(at), times: 1 });
        continue;
      }
      switch (step.kind) {
        case 'setDraining':
          r.phases.drainingAt ??= iso(at);
          break;
        case 'deregisterTargets':
          for (const t of step.targets) this.deregistered.add(`${step.targetGroupArn}|${targetKey(t)}`);
          r.targetsDeregistered = this.deregistered.size;
          r.phases.firstDeregistrationAt ??= iso(at);
          r.phases.lastDeregistrationAt = iso(at);
          break;
        case 'stopTask':
          this.stopped.set(step.taskArn, step.task.kind);
          r.tasksStopped = {
            standalone: [...this.stopped.values()].filter((k) => k === 'standalone').length,
            service: [...this.stopped.values()].filter((k) => k === 'service').length,
          };
          r.phases.lastStopAt = iso(at);
          break;
        case 'notifyInterrupted':
          r.interruptedTasksPublished += 1;
          break;
      }
    }
  }

  planned(steps: readonly { kind: string }[]): void {
    for (const s of steps) this.report.steps[s.kind] = (this.report.steps[s.kind] ?? 0) + 1;
  }

  finish(outcome: DrainOutcome, at: number, deadline: number): DrainReport {
    this.report.outcome = outcome;
    this.report.finishedAt = iso(at);
    this.report.secondsToSpare = Math.round((deadline - at) / 100) / 10;
    return this.report;
  }
}

function subjectOf(step: StepResult['step']): string {
  switch (step.kind) {
    case 'setDraining':
      return step.containerInstanceArn;
    case 'deregisterTargets':
      return step.targetGroupArn;
    default:
      return step.task.taskArn;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
