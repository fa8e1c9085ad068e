import type { DrainSettings } from './config';
import type { PlanSettings } from './plan';
import { STEP_RANK, type DrainPlan, type DrainState, type DrainStep, type DrainTimes, type LifecycleState, type StepResult } from './types';

/*
 * The run loop's choices (run.ts only sequences them): the moments that bound a drain, how a
 * wave's stop lead moves them, what the loop does with a plan, how long it sleeps, which
 * calls the deadline cuts off, when a batch of calls gives way to an overdue heartbeat, and
 * how a drain ends when its closing steps fail or it runs out of looks. Pure: no SDK, no
 * clock, no logger; `now` is passed in.
 */

/** A hand-on still failing this long after the step's end: the invocation gives the message back to SQS (it keeps 30 s in reserve). */
export const HAND_ON_GRACE_MS = 15_000;
/** Calls that go on past the deadline: CONTINUE is still owed then (the SDK's own timeouts bound them). */
const LIFECYCLE_STEPS: ReadonlySet<DrainStep['kind']> = new Set(['heartbeat', 'completeLifecycle', 'handOn']);

/** The moments that bound a drain. */
export function drainTimes(
  req: { deadline: number; startedAt: number; stepEndsAt?: number; expiresAt?: number },
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
 * A wave moves the force time (and the drain wait's end) earlier by its stop lead: never later
 * than it already is, never before the drain began. No lead leaves the times as they are.
 */
export function retimed(current: DrainTimes, base: DrainTimes, startedAt: number, leadMs: number): DrainTimes {
  if (leadMs <= 0) return current;
  const forceAt = Math.max(startedAt, Math.min(current.forceAt, base.forceAt - leadMs));
  return { ...current, forceAt, drainWaitEndsAt: Math.min(current.drainWaitEndsAt, forceAt) };
}

/** What the planner is told of the settings: a record is published only when a topic is configured. */
export function planSettingsOf(
  s: Pick<
    DrainSettings,
    'dryRun' | 'pollMs' | 'keepServing' | 'expiredToleranceMs' | 'interruptedTasksTopicArn' | 'agentFamilies' | 'stopTimeoutMs'
  >,
  drainId: string,
): PlanSettings {
  return {
    dryRun: s.dryRun,
    pollMs: s.pollMs,
    keepServing: s.keepServing,
    notifyInterrupted: !!s.interruptedTasksTopicArn,
    expiredToleranceMs: s.expiredToleranceMs,
    drainId,
    ...(s.agentFamilies ? { agentFamilies: s.agentFamilies } : {}),
    ...(s.stopTimeoutMs !== undefined ? { stopTimeoutMs: s.stopTimeoutMs } : {}),
  };
}

/** What the loop does with a plan: carry out its closing steps and end, sleep until it wakes, or act and read now. */
export function loopMove(plan: Pick<DrainPlan, 'outcome' | 'steps' | 'reads'>): 'end' | 'sleep' | 'work' {
  if (plan.outcome) return 'end';
  return plan.steps.length === 0 && plan.reads.length === 0 ? 'sleep' : 'work';
}

/**
 * How long a plan with nothing to do now sleeps: until it asks to wake (else one poll), a
 * wave's next look at its lead, or the deadline or the step's end still ahead, whichever
 * comes first; never less than 1 ms, so a standing clock still moves.
 */
export function sleepMs(a: {
  now: number;
  wakeAt?: number;
  pollMs: number;
  retimeEveryMs?: number;
  times: Pick<DrainTimes, 'deadline' | 'stepEndsAt'>;
}): number {
  const retimeAt = a.retimeEveryMs ? a.now + a.retimeEveryMs : Infinity;
  const wakeAt = Math.min(a.wakeAt ?? a.now + a.pollMs, retimeAt, ...[a.times.deadline, a.times.stepEndsAt].filter((t) => t > a.now));
  return Math.max(1, wakeAt - a.now);
}

/** Every call but a lifecycle one is cut off at the deadline (a heartbeat, CONTINUE or hand-on may still be owed). */
export function abortsAtDeadline(step?: Pick<DrainStep, 'kind'>): boolean {
  return !(step && LIFECYCLE_STEPS.has(step.kind));
}

/**
 * When a batch of calls still in flight gives way so the loop can send a heartbeat: halfway
 * through the action's heartbeat timeout (the planner beats at a third). Never without a live
 * lifecycle action.
 */
export function heartbeatOverdueAt(lc: LifecycleState | undefined): number {
  return lc && !lc.completed ? lc.lastHeartbeatAt + lc.heartbeatTimeoutMs / 2 : Infinity;
}

/**
 * The report is logged before a lifecycle action is completed (once: a completion that keeps
 * failing is tried again and must not repeat the whole report with every try).
 */
export function logsReportFirst(steps: readonly Pick<DrainStep, 'kind'>[], alreadyLogged: boolean): boolean {
  return !alreadyLogged && steps.some((s) => s.kind === 'completeLifecycle');
}

export type AfterClosing = { kind: 'finish' } | { kind: 'retry' } | { kind: 'give-back'; error: string };

/**
 * After an outcome's closing steps: the drain ends when all of them succeeded; a hand-on that
 * still fails past the step's end and its grace is given back to SQS (it delivers the message
 * again); anything else is tried again at the next look.
 */
export function afterClosing(results: readonly Pick<StepResult, 'step' | 'ok' | 'error'>[], now: number, stepEndsAt: number): AfterClosing {
  if (results.every((r) => r.ok)) return { kind: 'finish' };
  const handOn = results.find((r) => r.step.kind === 'handOn' && !r.ok);
  if (handOn && now >= stepEndsAt + HAND_ON_GRACE_MS)
    return { kind: 'give-back', error: `the drain could not be handed on: ${handOn.error}` };
  return { kind: 'retry' };
}

export type GiveUp = { kind: 'give-back'; error: string } | { kind: 'finish'; outcome: 'deadline-reached' | 'handed-on'; why: string };

/**
 * A drain whose plan never settled in `looks` looks: a lifecycle drain is never dropped (SQS
 * delivers its message again); any other ends as reached its deadline or handed on, by the clock.
 */
export function giveUp(state: Pick<DrainState, 'ec2InstanceId' | 'lifecycle'>, now: number, forceAt: number, looks: number): GiveUp {
  if (state.lifecycle && !state.lifecycle.completed)
    return { kind: 'give-back', error: `the drain of ${state.ec2InstanceId} made no progress in ${looks} looks` };
  return { kind: 'finish', outcome: now >= forceAt ? 'deadline-reached' : 'handed-on', why: 'too many looks' };
}

/** Tasks this drain still has to stop: known and wanted running, or listed and not yet described. */
export function pendingStops(state: Pick<DrainState, 'tasks' | 'stopped' | 'listedArns'>): number {
  const known = [...state.tasks.values()].filter((t) => t.desiredStatus === 'RUNNING' && !state.stopped.has(t.taskArn ?? '')).length;
  const undescribed = (state.listedArns ?? []).filter((a) => !state.tasks.has(a) && !state.stopped.has(a)).length;
  return known + undescribed;
}

/** A stop is ours only when ECS kept our reason (it keeps the first stop's); a task ECS no longer knows is gone. */
export function stopVerdict(sentReason: string, answer: { gone: boolean; stoppedReason?: string }): { ours: boolean; gone: boolean } {
  return { gone: answer.gone, ours: !answer.gone && answer.stoppedReason === sentReason };
}

/** What the "not in any cluster" line names: where it looked, so a forgotten --region shows. */
export function notInClusterFacts(ec2InstanceId: string, clusters: readonly string[], region: string | undefined) {
  return {
    ec2InstanceId,
    region: region ?? 'unknown (AWS_REGION not set)',
    clusters: clusters.length ? clusters : `all clusters in region ${region ?? '?'}`,
  };
}

/** Every rank STEP_RANK names, in order. */
const RANKS = [...new Set(Object.values(STEP_RANK))].sort((a, b) => a - b);

/**
 * The order a plan's steps are carried out in: rank by rank (DRAINING and deregistrations
 * before any stop, records after stops, lifecycle last), each rank one batch per kind, the
 * batches of a rank run together. Every step once, in the order the plan listed it.
 */
export function stepBatches(steps: readonly DrainStep[]): DrainStep[][][] {
  return RANKS.map((rank) => {
    const inRank = steps.filter((s) => STEP_RANK[s.kind] === rank);
    return [...new Set(inRank.map((s) => s.kind))].map((kind) => inRank.filter((s) => s.kind === kind));
  });
}
