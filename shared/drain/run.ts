import { backoffDelay, jitterOf, type Backoff } from '../aws/retry';
import { setTimer, type Clock } from '../lambda/clock';
import { errorMessage } from '../lambda/errors';
import type { Log } from '../lambda/observability';
import type { DrainSettings } from './config';
import { executeSteps, type StepResult } from './execute';
import { planDrain } from './plan';
import type { DrainPorts, DrainTotals } from './ports';
import { addTotals, DrainReportBuilder, NO_TOTALS, subjectOf, type DrainReport } from './report';
import { readInto, type ReadContext } from './snapshot';
import {
  abortsAtDeadline,
  afterClosing,
  drainTimes,
  giveUp,
  heartbeatOverdueAt,
  logsReportFirst,
  loopMove,
  notInClusterFacts,
  pendingStops,
  planSettingsOf,
  retimed,
  sleepMs,
} from './run-plan';
import { applyReadDone, applyStepResult, initialState, noteFailure, readKey, stepKey } from './state';
import type { DrainRead, DrainStep, LifecycleState } from './types';

export { drainTimes, pendingStops };

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

/**
 * Drain one instance: plan, then read and act as the plan says, then wait for what it waits
 * for — until the plan names an outcome. This only sequences: every choice is planDrain's
 * (plan.ts) or one of the loop's pure choices (run-plan.ts). Reads are made once and then only
 * what can change is watched; a failed or throttled call is retried with jittered backoff until
 * the force time; every call carries an abort signal tied to the deadline. Never throws for an
 * AWS failure: the report says what failed and what was left running.
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
  const retime = () => (times = retimed(times, baseTimes, req.startedAt, deps.stopLeadMs?.() ?? 0));
  const state = initialState(req.ec2InstanceId, { resumed: req.resumed ?? false, ...(req.lifecycle ? { lifecycle: req.lifecycle } : {}) });
  const builder = new DrainReportBuilder({
    ec2InstanceId: req.ec2InstanceId,
    noticeAt: req.noticeAt,
    deadline: req.deadline,
    startedAt: clock.now(),
    dryRun: settings.dryRun,
  });
  const planSettings = planSettingsOf(settings, req.drainId);
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
  const callOptions = (step?: DrainStep) => (abortsAtDeadline(step) ? { signal: signal() } : {});
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
    batch = new AbortController();
    const overdue = heartbeatOverdueAt(state.lifecycle);
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
      applyReadDone(state, read);
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

      const move = loopMove(plan);
      if (move === 'end' && plan.outcome) {
        if (plan.outcome === 'not-in-cluster')
          log.info('instance not in any cluster: nothing to drain', notInClusterFacts(req.ec2InstanceId, settings.clusters, deps.region));
        if (logsReportFirst(plan.steps, reportLogged) && (reportLogged = true))
          log.info('drain report', { report: builder.finish(plan.outcome, plan.why ?? '', state, now, req.deadline, req.carried) }); // before the action is completed
        const results = plan.steps.length ? await inBatch(() => act(plan.steps)) : [];
        const next = afterClosing(results, clock.now(), times.stepEndsAt);
        if (next.kind === 'finish') return builder.finish(plan.outcome, plan.why ?? '', state, clock.now(), req.deadline, req.carried);
        if (next.kind === 'give-back') throw new Error(next.error);
        continue;
      }
      if (move === 'sleep') {
        await clock.sleep(sleepMs({ now, pollMs: settings.pollMs, times, wakeAt: plan.wakeAt, retimeEveryMs: deps.retimeEveryMs }));
        continue;
      }
      await inBatch(() => Promise.all([plan.steps.length ? act(plan.steps) : Promise.resolve([]), ...plan.reads.map(look)]));
    }
    builder.warn(`gave up after ${MAX_LOOKS} looks`);
    const end = giveUp(state, clock.now(), times.forceAt, MAX_LOOKS);
    if (end.kind === 'give-back') throw new Error(end.error);
    return builder.finish(end.outcome, end.why, state, clock.now(), req.deadline, req.carried);
  }
}
