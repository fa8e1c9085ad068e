import fc from 'fast-check';
import { targetKey, type Target } from '../../../shared/aws/elbv2-targets';
import { planDrain } from '../../../shared/drain/plan';
import { readInto } from '../../../shared/drain/snapshot';
import { applyStepResult } from '../../../shared/drain/state';
import type { DrainPlan, DrainState, DrainStep } from '../../../shared/drain/types';
import { EC2_ID } from '../../support/drain-state';
import { IdealAws } from '../../support/ideal-aws';
import { expectReasons, ok, T0, TIMES } from '../../support/plan-fixtures';
import { arbEndgame, arbWorld, build, settingsOf, type World } from '../../support/plan-world';

const REGISTERED: ReadonlySet<string> = new Set(['initial', 'healthy', 'unhealthy', 'unavailable']);

/**
 * Safety, for every service task a plan stops:
 * - its own targets were deregistered already; only when forced may one still be registered,
 *   and then its deregistration is in the same plan, before the stop;
 * - in an instance-type group, every target of the instance the group last showed registered
 *   is deregistered already or in the same plan, before the stop; and a task whose target
 *   there could not be resolved from ECS waits (unless forced) until the group was looked at;
 * - before the drain wait is over (and unless forced), a health read after the deregistration
 *   shows none of its targets (nor, in an instance group, the instance) registered or draining.
 */
function checkSafety(state: DrainState, plan: DrainPlan, now: number) {
  const force = now >= TIMES.forceAt;
  const waitOver = now >= TIMES.drainWaitEndsAt;
  const deregisteredBefore = (tg: string, target: Target, i: number) => {
    const d = plan.steps.findIndex(
      (x) => x.kind === 'deregisterTargets' && x.targetGroupArn === tg && x.targets.some((y) => targetKey(y) === targetKey(target)),
    );
    return d >= 0 && d < i;
  };
  const violations: string[] = [];
  plan.steps.forEach((st, i) => {
    if (st.kind !== 'stopTask' || st.task.kind !== 'service') return;
    const groups = new Set([...st.task.targets.map((t) => t.targetGroupArn), ...(st.task.unresolved ?? []).map((u) => u.targetGroupArn)]);
    for (const tg of groups) {
      const g = state.groups.get(tg)!;
      const said = (key: string) => (g.health ? g.health.states.get(key) : undefined);
      for (const t of st.task.targets.filter((x) => x.targetGroupArn === tg)) {
        const key = targetKey(t);
        if (!g.deregistered.has(key) && !(force && deregisteredBefore(tg, t, i)))
          violations.push(`${st.taskArn}: stopped while ${key} in ${tg} was not deregistered`);
      }
      if (g.targetType === 'instance') {
        if (!g.health && !force && st.task.unresolved?.some((u) => u.targetGroupArn === tg))
          violations.push(`${st.taskArn}: stopped before ${tg} was looked at for its unresolved target`);
        for (const [key, t] of g.ours)
          if (REGISTERED.has(said(key) ?? '') && !g.deregistered.has(key) && !deregisteredBefore(tg, t, i))
            violations.push(`${st.taskArn}: stopped while ${key} in ${tg} was registered`);
      }
      if (force || waitOver) continue;
      const readAfter = g.health !== undefined && g.lastDeregisterAt !== undefined && g.health.at >= g.lastDeregisterAt;
      if (!readAfter) {
        violations.push(`${st.taskArn}: stopped before the drain wait was over with no health read of ${tg} after the deregistration`);
        continue;
      }
      for (const [key, state_] of g.health!.states) {
        const ofTask =
          st.task.targets.some((t) => t.targetGroupArn === tg && targetKey(t) === key) ||
          (g.targetType === 'instance' && key.startsWith(`${EC2_ID}:`));
        if (ofTask && state_ !== 'unused')
          violations.push(`${st.taskArn}: stopped before the drain wait was over while ${key} in ${tg} was ${state_}`);
      }
    }
  });
  expect(violations).toEqual([]);
}

/** `drained` only when no task is left that ECS wants running and the counts read after the last stop are 0. */
function checkDrained(state: DrainState, plan: DrainPlan) {
  if (plan.outcome !== 'drained') return;
  const live = [...state.tasks.values()]
    .filter((t) => t.desiredStatus === 'RUNNING' && !state.stopped.has(t.taskArn!))
    .map((t) => t.taskArn);
  const undescribed = (state.listedArns ?? []).filter((a) => !state.tasks.has(a) && !state.stopped.has(a));
  expect({ live, undescribed }).toEqual({ live: [], undescribed: [] });
  const lastStop = Math.max(0, ...[...state.stopped.values()].map((s) => s.at));
  expect(state.lastCountsAt).toBeGreaterThanOrEqual(lastStop);
  expect(state.instance!.runningTasksCount + state.instance!.pendingTasksCount).toBe(0);
}

describe('planDrain properties', () => {
  it('never stops a service task whose targets are still registered, unless forced (and then deregisters them first)', () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const state = build(w);
        const plan = planDrain(state, TIMES, w.now, settingsOf(w));
        checkSafety(state, plan, w.now);
        expectReasons(plan);
      }),
      { numRuns: 500 },
    );
  });

  it('is drained only when no task is left that ECS wants running and the instance counts read after the last stop are 0', () => {
    fc.assert(
      fc.property(fc.oneof(arbWorld, arbEndgame), (w) => {
        const state = build(w);
        checkDrained(state, planDrain(state, TIMES, w.now, settingsOf(w)));
      }),
      { numRuns: 500 },
    );
  });

  it('re-planning after the plan was applied repeats no step, and the drain ends drained', async () => {
    await fc.assert(fc.asyncProperty(arbWorld, drainToEnd), { numRuns: 300 });
  });
});

/**
 * Run a random instance's drain against an ideal AWS: plan, apply the steps (all succeed),
 * answer the reads, sleep until the plan's wake time when it has nothing to do. Every plan
 * must be safe, a step once applied is never planned again, and the drain ends drained.
 */
async function drainToEnd(w: World): Promise<void> {
  const state = build(w);
  const world = new IdealAws(w, state);
  const settings = settingsOf(w);
  const done = new Set<string>();
  let now = w.now;
  for (let round = 0; round < 500; round++) {
    const plan = planDrain(state, TIMES, now, settings);
    checkSafety(state, plan, now);
    checkDrained(state, plan);
    expectReasons(plan);
    for (const key of plan.steps.flatMap(stepKeys)) {
      if (done.has(key)) throw new Error(`step repeated after it was applied: ${key} (look ${round}, T0+${now - T0} ms)`);
      done.add(key);
    }
    world.apply(plan.steps, now);
    for (const st of plan.steps) applyStepResult(state, ok(st, now));
    world.at(now);
    for (const read of plan.reads)
      await readInto(state, read, world.ports, { clusters: ['web'], keepServing: w.keepServing, warn: () => undefined }, now, {});
    if (plan.outcome) {
      expect(plan.outcome).toBe('drained');
      return;
    }
    if (plan.steps.length || plan.reads.length) now += 100;
    else {
      expect(plan.wakeAt).toBeGreaterThan(now);
      now = plan.wakeAt!;
    }
  }
  throw new Error('the drain did not end in 500 looks');
}

/** Keys of the steps that must happen once: each target deregistered once, each task stopped and published once. */
function stepKeys(st: DrainStep): string[] {
  switch (st.kind) {
    case 'deregisterTargets':
      return st.targets.map((t) => `dereg:${st.targetGroupArn}:${targetKey(t)}`);
    case 'stopTask':
      return [`stop:${st.taskArn}`];
    case 'notifyInterrupted':
      return [`notify:${st.task.taskArn}`];
    case 'heartbeat':
      return []; // kept up while the drain goes on
    default:
      return [st.kind];
  }
}
