import type { Clock } from '../lambda/clock';
import type { ContainerInstanceRef } from '../aws/ecs-container-instances';
import type { Log } from '../lambda/observability';
import type { DrainAdapters } from './ports';
import { applyDrainPlan } from './execute';
import { planDrain } from './plan';
import { DrainReportBuilder, type DrainOutcome, type DrainReport } from './report';
import { loadDrainSnapshot } from './snapshot';
import type { DrainTimes } from './types';

export interface DrainSettings {
  dryRun: boolean;
  pollMs: number;
  safetyMarginMs: number;
  maxWaitMs: number;
  interruptedTasksTopicArn?: string;
}

export interface DrainRequest {
  ref: ContainerInstanceRef;
  noticeAt: number;
  deadline: number;
  /** When the drain began (a continuation keeps the first invocation's start). */
  startedAt: number;
  /** Give the drain back to the caller at this moment even if not done (Lambda time budget). */
  stepEndsAt?: number;
  /** Called once per look at the instance (the ASG drain records a heartbeat here). */
  onTick?: () => Promise<void>;
}

/** Safety against a snapshot that never changes while the clock stands still. */
const MAX_ITERATIONS = 2000;

/** The two moments that bound a drain: stop waiting for targets, and stop everything. */
export function drainTimes(deadline: number, startedAt: number, s: Pick<DrainSettings, 'safetyMarginMs' | 'maxWaitMs'>): DrainTimes {
  const forceAt = deadline - s.safetyMarginMs;
  return { forceAt, drainWaitEndsAt: Math.min(startedAt + s.maxWaitMs, forceAt) };
}

/**
 * Drain one container instance: look, plan, act, wait — until nothing runs on it, the
 * safety deadline forces the last stops, or this invocation's time is up. Every wait is
 * bounded by the deadline minus the margin, so a late notice shortens the waits rather
 * than overrunning them. Returns a report; throws only when the instance or its tasks
 * cannot be read at all (the trigger retries).
 */
export async function runDrain(
  deps: { adapters: DrainAdapters; clock: Clock; log: Log },
  settings: DrainSettings,
  req: DrainRequest,
): Promise<DrainReport> {
  const { adapters, clock, log } = deps;
  const times = drainTimes(req.deadline, req.startedAt, settings);
  const stepEndsAt = Math.min(req.stepEndsAt ?? Infinity, times.forceAt);
  const builder = new DrainReportBuilder({
    ec2InstanceId: req.ref.ec2InstanceId,
    noticeAt: req.noticeAt,
    deadline: req.deadline,
    startedAt: clock.now(),
    dryRun: settings.dryRun,
  });
  builder.report.cluster = req.ref.cluster;
  builder.report.containerInstanceArn = req.ref.containerInstanceArn;
  const finish = (outcome: DrainOutcome) => builder.finish(outcome, clock.now(), req.deadline);

  for (let i = 0; i < MAX_ITERATIONS; i++) {
    builder.report.iterations += 1;
    await req.onTick?.();
    const now = clock.now();
    const { snapshot, runningOrPending, warnings } = await loadDrainSnapshot(adapters, req.ref);
    builder.warn(warnings);
    const plan = planDrain(snapshot, times, now, { notifyInterrupted: !!settings.interruptedTasksTopicArn });

    if (settings.dryRun) {
      log.info('drain plan (dry run: nothing changed)', { steps: plan.steps.map((s) => s.kind), reasons: plan.reasons });
      builder.planned(plan.steps);
      return finish('dry-run');
    }
    if (plan.done && runningOrPending === 0) return finish('drained');
    if (now >= times.forceAt && plan.steps.length === 0) return finish('deadline-reached');

    let failed = false;
    if (plan.steps.length > 0) {
      log.info('drain step', { steps: plan.steps.map((s) => s.kind), reasons: plan.reasons });
      const results = await applyDrainPlan(plan.steps, adapters, clock, settings.interruptedTasksTopicArn);
      builder.record(results);
      failed = results.some((r) => !r.ok);
      for (const r of results) if (!r.ok) log.warn('drain step failed', { step: r.step.kind, error: r.error });
    }

    const after = clock.now();
    if (after >= req.deadline) return finish('deadline-reached');
    if (after >= stepEndsAt && after < times.forceAt) return finish('handed-on');
    if (plan.steps.length > 0 && !failed) continue; // look again at once: the steps changed things

    // Nothing to do but wait (targets draining, tasks stopping) or retry a failed step.
    const wakeAt = Math.min(after + settings.pollMs, plan.waitUntil ?? Infinity, stepEndsAt);
    await clock.sleep(Math.max(1, wakeAt - after));
  }
  builder.warn([`gave up after ${MAX_ITERATIONS} iterations`]);
  return finish(clock.now() >= times.forceAt ? 'deadline-reached' : 'handed-on');
}
