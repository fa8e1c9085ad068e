import { backoffDelay, jitterOf, type Backoff } from '../aws/retry';
import { setTimer, type Clock } from '../lambda/clock';
import { errorMessage } from '../lambda/errors';
import type { Log } from '../lambda/observability';
import type { DrainSettings } from './config';
import { executeSteps, type StepResult } from './execute';
import { planDrain, type PlanSettings } from './plan';
import type { DrainPorts, DrainTotals } from './ports';
import { addTotals, DrainReportBuilder, NO_TOTALS, subjectOf, type DrainReport } from './report';
import { readInto, type ReadContext } from './snapshot';
import { applyStepResult, initialState, noteFailure, readKey, stepKey } from './state';
import type { DrainRead, DrainState, DrainStep, DrainTimes, LifecycleState } from './types';

/** One drain of one EC2 instance, whatever started it (a Spot notice, a lifecycle action, a scale-in). */
export interface DrainRequest {
  ec2InstanceId: string;
  noticeAt: number;
  /** The hard end: the reclaim (Spot) or the drain's bound (ASG). */
  deadline: number;
  /** A new notice arriving after this is `expired` (defaults to the deadline). */
  expiresAt?: number;
  /** When the drain began (a continuation keeps the first invocation's start). */
  startedAt: number;
  /** Give the drain back to the caller at this moment even if not done (Lambda time budget). */
  stepEndsAt?: number;
  lifecycle?: LifecycleState;
  /** A continuation of a drain begun earlier. */
  resumed?: boolean;
  /** Counts of the earlier steps of this drain. */
  carried?: DrainTotals;
  /** Goes into every StopTask reason, so a stop is counted only by the drain that caused it. */
  drainId: string;
}

export interface DrainDeps {
  ports: DrainPorts;
  clock: Clock;
  log: Log;
  /** Jitter for retry backoff (default the clock's: Math.random in Lambda, seeded by the simulated account). */
  random?: () => number;
  /** Named in the "not in any cluster" line (a forgotten --region shows there). */
  region?: string;
  /** A wave: how long before the force time its stops must begin (the wave's stop backlog, paced); 0 alone. */
  stopLeadMs?: () => number;
  /** A wave: this drain's tasks still to stop, after every look (the wave sums them into its lead). */
  onPendingStops?: (count: number) => void;
  /** A wave: a waiting drain looks at its lead again this often (it grows when the wave's share of the rate is read lower). */
  retimeEveryMs?: number;
}

/** Safety against a plan that never settles while the clock stands still. */
const MAX_LOOKS = 5000;
/** First retry after this long; doubling up to the poll interval, with equal jitter (a step is never retried at once). */
const RETRY_BASE_MS = 500;
/** A hand-on still failing this long after the step's end: the invocation gives the message back to SQS (it keeps 30 s in reserve). */
const HAND_ON_GRACE_MS = 15_000;
const LIFECYCLE_STEPS: ReadonlySet<DrainStep['kind']> = new Set(['heartbeat', 'completeLifecycle', 'handOn']);

/** The moments that bound a drain. */
export function drainTimes(
  req: Pick<DrainRequest, 'deadline' | 'startedAt' | 'stepEndsAt' | 'expiresAt'>,
  s: Pick<DrainSettings, 'safetyMarginMs' | 'maxWaitMs'>,
): DrainTimes {
  const forceAt = req.deadline - s.safetyMarginMs;
  return {
    forceAt,
    drainWaitEndsAt: Math.min(req.startedAt + s.maxWaitMs, forceAt),
    deadline: req.deadline,
    stepEndsAt: req.stepEndsAt ?? Infinity,
    expiresAt: req.expiresAt ?? req.deadline,
  };
}

/**
 * Drain one instance: plan, then read and act as the plan says, then wait for what it waits
 * for — until the plan names an outcome. Reads are made once and then only what can change
 * is watched; a failed or throttled call is retried with jittered backoff until the force
 * time; every call carries an abort signal tied to the deadline. Never throws for an AWS
 * failure: the report says what failed and what was left running.
 */
export async function runDrain(
  deps: DrainDeps,
  settings: DrainSettings & { clusters: readonly string[] },
  req: DrainRequest,
): Promise<DrainReport> {
  const { ports, clock, log } = deps;
  const random = deps.random ?? jitterOf(clock);
  const baseTimes = drainTimes(req, settings);
  let times = baseTimes;
  // A wave moves the force time (and the drain wait's end) earlier by its stop lead, never later again.
  const retime = () => {
    const lead = deps.stopLeadMs?.() ?? 0;
    if (lead <= 0) return;
    const forceAt = Math.max(req.startedAt, Math.min(times.forceAt, baseTimes.forceAt - lead));
    times = { ...times, forceAt, drainWaitEndsAt: Math.min(times.drainWaitEndsAt, forceAt) };
  };
  const state = initialState(req.ec2InstanceId, { resumed: req.resumed ?? false, ...(req.lifecycle ? { lifecycle: req.lifecycle } : {}) });
  const builder = new DrainReportBuilder({
    ec2InstanceId: req.ec2InstanceId,
    noticeAt: req.noticeAt,
    deadline: req.deadline,
    startedAt: clock.now(),
    dryRun: settings.dryRun,
  });
  const planSettings: PlanSettings = {
    dryRun: settings.dryRun,
    pollMs: settings.pollMs,
    keepServing: settings.keepServing,
    notifyInterrupted: !!settings.interruptedTasksTopicArn,
    expiredToleranceMs: settings.expiredToleranceMs,
    drainId: req.drainId,
    ...(settings.agentFamilies ? { agentFamilies: settings.agentFamilies } : {}),
    ...(settings.stopTimeoutMs !== undefined ? { stopTimeoutMs: settings.stopTimeoutMs } : {}),
  };
  const readCtx: ReadContext = { clusters: settings.clusters, keepServing: settings.keepServing, warn: (m) => builder.warn(m) };
  // Every call but a lifecycle one is aborted at the deadline, on the drain's own clock: a call
  // in flight or waiting in the SDK's retry backoff then is abandoned, and nothing is sent
  // after it. Lifecycle calls may go on (CONTINUE is still owed); the SDK's timeouts bound them.
  const atDeadline = new AbortController();
  const abortAtDeadline = () => atDeadline.abort(new Error('drain deadline reached'));
  const cancelDeadline = setTimer(clock, times.deadline, abortAtDeadline);
  // A lifecycle drain must heartbeat on time: a batch of calls still in flight when the next
  // heartbeat is overdue is aborted (its calls are retried), so the loop can send it.
  let batch = new AbortController();
  const signal = () => AbortSignal.any([atDeadline.signal, batch.signal]);
  const callOptions = (step?: DrainStep) => (step && LIFECYCLE_STEPS.has(step.kind) ? {} : { signal: signal() });
  const retry: Backoff = { baseMs: RETRY_BASE_MS, capMs: settings.pollMs, jitter: 'equal' };
  const backoff = (failures: number) => backoffDelay(failures, retry, random);
  const carry = () => ({
    ...(state.lifecycle ? { lastHeartbeatAt: state.lifecycle.lastHeartbeatAt } : {}),
    totals: addTotals(req.carried ?? NO_TOTALS, builder.report),
  });
  const onResult = (r: StepResult) => {
    if (r.ok) applyStepResult(state, r);
    else {
      noteFailure(state, stepKey(r.step), r.error ?? 'unknown', r.at, backoff);
      log.warn('drain step failed; retried after a backoff', { step: r.step.kind, subject: subjectOf(r.step), error: r.error });
    }
  };
  const act = async (steps: readonly DrainStep[]): Promise<StepResult[]> => {
    const results = await executeSteps(steps, ports, {
      now: () => clock.now(),
      dryRun: settings.dryRun,
      ...(settings.interruptedTasksTopicArn ? { topicArn: settings.interruptedTasksTopicArn } : {}),
      callOptions,
      onResult,
      carry,
    });
    builder.record(results);
    return results;
  };
  const inBatch = async <T>(work: () => Promise<T>): Promise<T> => {
    const lc = state.lifecycle;
    batch = new AbortController();
    const overdue = lc && !lc.completed ? lc.lastHeartbeatAt + lc.heartbeatTimeoutMs / 2 : Infinity;
    const cancel = Number.isFinite(overdue)
      ? setTimer(clock, overdue, () => batch.abort(new Error('a lifecycle heartbeat is due')))
      : () => undefined;
    try {
      return await work();
    } finally {
      cancel();
    }
  };
  const look = async (read: DrainRead): Promise<void> => {
    try {
      await readInto(state, read, ports, readCtx, clock.now(), callOptions());
      state.retries.delete(readKey(read));
      if (read.kind === 'lookup' && state.instance) state.initialStatus ??= state.instance.status;
    } catch (err) {
      const error = errorMessage(err);
      noteFailure(state, readKey(read), error, clock.now(), backoff);
      builder.failure(read.kind, readKey(read), error, clock.now());
      log.warn('drain read failed; retried after a backoff', { read: read.kind, error });
    }
  };

  try {
    return await loop();
  } finally {
    cancelDeadline(); // the deadline timer must not outlive the drain
  }

  async function loop(): Promise<DrainReport> {
    let reportLogged = false;
    for (let i = 0; i < MAX_LOOKS; i++) {
      builder.report.iterations += 1;
      deps.onPendingStops?.(pendingStops(state));
      retime();
      const now = clock.now();
      const plan = planDrain(state, times, now, planSettings);
      if (plan.steps.length > 0)
        log.info(settings.dryRun ? 'drain plan (dry run: nothing changed)' : 'drain step', {
          steps: plan.steps.map((s) => s.kind),
          reasons: plan.reasons,
        });

      if (plan.outcome) {
        if (plan.outcome === 'not-in-cluster')
          log.info('instance not in any cluster: nothing to drain', {
            ec2InstanceId: req.ec2InstanceId,
            region: deps.region ?? 'unknown (AWS_REGION not set)',
            clusters: settings.clusters.length ? settings.clusters : `all clusters in region ${deps.region ?? '?'}`,
          });
        // Logged once, before the first attempt: a completion that keeps failing is retried in
        // this loop and must not repeat the whole report with every try.
        if (!reportLogged && plan.steps.some((s) => s.kind === 'completeLifecycle') && (reportLogged = true))
          log.info('drain report', { report: builder.finish(plan.outcome, plan.why ?? '', state, now, req.deadline, req.carried) }); // before the action is completed
        const results = plan.steps.length ? await inBatch(() => act(plan.steps)) : [];
        if (results.every((r) => r.ok)) return builder.finish(plan.outcome, plan.why ?? '', state, clock.now(), req.deadline, req.carried);
        // A drain that cannot even be handed on is given back to SQS, which delivers its message again.
        const handOn = results.find((r) => r.step.kind === 'handOn' && !r.ok);
        if (handOn && clock.now() >= times.stepEndsAt + HAND_ON_GRACE_MS)
          throw new Error(`the drain could not be handed on: ${handOn.error}`);
        continue;
      }
      if (plan.steps.length === 0 && plan.reads.length === 0) {
        const retimeAt = deps.retimeEveryMs ? now + deps.retimeEveryMs : Infinity;
        const wakeAt = Math.min(
          plan.wakeAt ?? now + settings.pollMs,
          retimeAt,
          ...[times.deadline, times.stepEndsAt].filter((t) => t > now),
        );
        await clock.sleep(Math.max(1, wakeAt - now));
        continue;
      }
      await inBatch(() => Promise.all([plan.steps.length ? act(plan.steps) : Promise.resolve([]), ...plan.reads.map(look)]));
    }
    builder.warn(`gave up after ${MAX_LOOKS} looks`);
    // A lifecycle drain is never dropped: SQS delivers its message again.
    if (state.lifecycle && !state.lifecycle.completed)
      throw new Error(`the drain of ${req.ec2InstanceId} made no progress in ${MAX_LOOKS} looks`);
    return builder.finish(
      clock.now() >= times.forceAt ? 'deadline-reached' : 'handed-on',
      'too many looks',
      state,
      clock.now(),
      req.deadline,
      req.carried,
    );
  }
}

/** Tasks this drain still has to stop: known and wanted running, or listed and not yet described. */
export function pendingStops(state: DrainState): number {
  const known = [...state.tasks.values()].filter((t) => t.desiredStatus === 'RUNNING' && !state.stopped.has(t.taskArn ?? '')).length;
  const undescribed = (state.listedArns ?? []).filter((a) => !state.tasks.has(a) && !state.stopped.has(a)).length;
  return known + undescribed;
}
