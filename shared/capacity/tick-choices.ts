import { ConfigError } from '../lambda/errors';
import { DEMAND_IN_FLIGHT_TAG } from '../tags';
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

/** First retry of a failed round after this long, doubling, at most 8 times this. */
export const RETRY_BASE_MS = 1_000;

/**
 * After a failed round (a read, or bad backend tags): a bad configuration (ConfigError) is not
 * retried — it fails the same way until someone fixes it; anything else is retried after a
 * doubling wait while the invocation's time (`until`) allows. Decided by the error's type, never
 * by its text.
 */
export function retryAfterFailure(
  err: unknown,
  failures: number,
  now: number,
  until: number,
): { retry: false } | { retry: true; waitMs: number } {
  if (err instanceof ConfigError) return { retry: false };
  const waitMs = Math.min(8 * RETRY_BASE_MS, RETRY_BASE_MS * 2 ** Math.max(0, failures - 1));
  return now + waitMs >= until ? { retry: false } : { retry: true, waitMs };
}
