import { backoffDelay, classifyError, type Backoff } from '../aws/retry';
import { DEMAND_IN_FLIGHT_TAG } from '../tags';
import type { CapacityStepResult } from './execute';
import type { CapacityStep } from './steps';
import type { CapacityDecision } from './types';

/**
 * The choices tickCluster makes around the planner, pure so tables and properties see them
 * (the orchestrator only sequences): what an event's re-plan may carry out, how the planner's
 * cluster-wide desired becomes the active backend's, and whether a failed round is retried.
 */

/** An event's re-plan only scales out: any other decision becomes `none`, with the reason said. */
export function scopeDecision(decision: CapacityDecision, event?: { scaleOutOnly: boolean; trigger: string }): CapacityDecision {
  if (!event?.scaleOutOnly || decision.decision === 'scale-out' || decision.decision === 'none') return decision;
  return {
    ...decision,
    decision: 'none',
    reasons: [...decision.reasons, `${decision.decision} is left to the tick: ${event.trigger} only scales out`],
  };
}

/**
 * The planner speaks of the cluster's units; the active backend is raised by the units it adds
 * (`activeDesired + units`), and a scale-out's record carries the demand held in flight (`held`,
 * empty = cleared). Other steps are unchanged.
 */
export function onActiveBackend(
  steps: readonly CapacityStep[],
  units: number | undefined,
  activeDesired: number,
  held: string,
): CapacityStep[] {
  return steps.map((x) =>
    x.kind === 'setDesired' && units !== undefined
      ? { ...x, desired: activeDesired + units, from: activeDesired }
      : x.kind === 'recordAction' && x.action === 'scale-out'
        ? { ...x, tags: { ...x.tags, [DEMAND_IN_FLIGHT_TAG]: held } }
        : x,
  );
}

/**
 * The capacity tick's backoff (the one retry policy, shared/aws/retry.ts): 1 s doubling to 8 s.
 * Equal jitter: each retry re-reads the whole cluster, so it never comes back at once.
 */
export const TICK_RETRY: Backoff = { baseMs: 1_000, capMs: 8_000, jitter: 'equal' };
/** First retry of a failed round after about this long (before jitter). */
export const RETRY_BASE_MS = TICK_RETRY.baseMs;

/**
 * After a failed round (a read, or bad backend tags): a bad configuration (ConfigError) is not
 * retried — it fails the same way until someone fixes it; anything else is retried after the one
 * policy's wait (longer after a throttle) while the invocation's time (`until`) allows. Decided by
 * the error's type (classifyError), never by its text. `random` is the jitter source ([0, 1)).
 */
export function retryAfterFailure(
  err: unknown,
  failures: number,
  now: number,
  until: number,
  random: () => number = () => 1,
): { retry: false } | { retry: true; waitMs: number } {
  const verdict = classifyError(err);
  if (verdict === 'stop') return { retry: false };
  const waitMs = backoffDelay(failures, TICK_RETRY, random, verdict);
  return now + waitMs >= until ? { retry: false } : { retry: true, waitMs };
}

/** What the round's writes came to, from the executor's results. */
export interface WriteOutcome {
  /** A raise or a removal went through: the report's counts are re-read from the backend. */
  changed: boolean;
  /** A capacity write (or its record) AWS refused: the trigger is kept and retried until it lands. */
  unwritten: CapacityStepResult[];
  /** The raise that asked for capacity (its time starts the event's latency metric). */
  requested?: CapacityStepResult;
}

export function outcomeOf(results: readonly CapacityStepResult[]): WriteOutcome {
  const done = (r: CapacityStepResult) => r.ok && !r.skipped;
  const requested = results.find((r) => done(r) && r.step.kind === 'setDesired' && r.step.desired > r.step.from);
  return {
    changed: results.some((r) => done(r) && (r.step.kind === 'setDesired' || r.detail === 'removed')),
    unwritten: results.filter((r) => !r.ok && (r.step.kind === 'setDesired' || r.step.kind === 'recordAction')),
    ...(requested ? { requested } : {}),
  };
}

/**
 * After a round whose capacity write was refused: read, plan and write again (from what AWS holds
 * then) after the one policy's wait, while the invocation's time (`until`) allows; otherwise the
 * trigger's message is retried. `failures`: rounds that failed before this one. The jitter source is
 * drawn once whatever the answer (the simulator's seeded sequence stays the same).
 */
export function retryAfterWrite(
  outcome: WriteOutcome,
  failures: number,
  now: number,
  until: number,
  random: () => number = () => 1,
): { retry: false } | { retry: true; waitMs: number } {
  const waitMs = backoffDelay(failures + 1, TICK_RETRY, random);
  return outcome.unwritten.length > 0 && now + waitMs < until ? { retry: true, waitMs } : { retry: false };
}
