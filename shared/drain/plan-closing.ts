import type { PlanBuilder } from './plan-builder';
import type { DrainPlan, DrainState, DrainTimes } from './types';

/*
 * How a drain's plan closes (planDrain, plan.ts): the lifecycle action completed before the
 * outcome stands, or the rest handed on to the next invocation when this one's time is up.
 */

/** The last steps of a drain: complete the lifecycle action (ASG), then the outcome stands. */
export function finish(
  p: PlanBuilder,
  state: DrainState,
  times: DrainTimes,
  now: number,
  dryRun: boolean,
  outcome: NonNullable<DrainPlan['outcome']>,
  why: string,
): DrainPlan {
  const lc = state.lifecycle;
  if (lc && !lc.completed && !dryRun && outcome !== 'expired') {
    // Auto Scaling already applied the default result once the action timed out: nothing is left to complete.
    if (now >= Math.min(lc.lastHeartbeatAt + lc.heartbeatTimeoutMs, lc.globalEndsAt))
      return p.done(outcome, `${why}; the lifecycle action timed out before it could be completed`);
    if (!p.due('completeLifecycle')) {
      if (now >= times.stepEndsAt) return finishHandOn(p, state, times, now, 1);
      return p.plan(times);
    }
    // A drained instance (or one with nothing of ours on it) always CONTINUEs; the configured result is for a drain cut by its deadline.
    const result = outcome === 'deadline-reached' ? lc.result : 'CONTINUE';
    p.step({ kind: 'completeLifecycle', ref: lc.ref, result }, `${why}: complete the lifecycle action with ${result}`);
  }
  return p.done(outcome, why);
}

export function finishHandOn(p: PlanBuilder, state: DrainState, times: DrainTimes, now: number, delaySeconds: number): DrainPlan {
  // Sent once per invocation; a failed one waits for its backoff like any other step.
  if (state.handedOn) return p.done('handed-on', 'handed on to the next invocation');
  const lc = state.lifecycle;
  if (lc && !lc.completed && now >= lc.lastHeartbeatAt + lc.heartbeatTimeoutMs / 3 && p.due('heartbeat') && !p.has('heartbeat'))
    p.step({ kind: 'heartbeat', ref: lc.ref }, 'keep the lifecycle action alive until the next step');
  if (!p.due('handOn')) return p.plan(times);
  p.step({ kind: 'handOn', delaySeconds }, `this invocation's time is up: the drain goes on in ${delaySeconds} s`);
  return p.done('handed-on', 'handed on to the next invocation');
}
