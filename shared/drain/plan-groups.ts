import { targetKey, type TargetState } from '../aws/elbv2-targets';
import type { PlanSettings } from './plan';
import { retryKey, type DrainState, type DrainTask, type DrainTimes, type GroupWatch } from './types';

/** Target states that still take new connections: deregister them. */
export const REGISTERED: ReadonlySet<TargetState> = new Set(['initial', 'healthy', 'unhealthy', 'unavailable']);
/** States in which ELBv2 is finishing in-flight requests: wait (bounded) before stopping. */
export const DRAINING: ReadonlySet<TargetState> = new Set(['draining', 'unhealthy.draining']);

/*
 * What the planner asks of one target group: is it held to keep serving, until when, does it
 * still need a look, and what of ours does its last health read still show.
 */

/**
 * Every target of the task was deregistered — including, in an instance group where a target
 * could not be resolved from ECS, every target of the instance a health read has shown.
 */
export function deregisteredEverywhere(task: DrainTask, groupsOfTask: readonly string[], state: DrainState): boolean {
  if (!task.targets.every((t) => state.groups.get(t.targetGroupArn)?.deregistered.has(targetKey(t)))) return false;
  for (const tg of groupsOfTask) {
    const g = state.groups.get(tg);
    if (!g?.unresolved || g.targetType !== 'instance') continue;
    if (!g.health) return false;
    for (const [key, st] of g.health.states) if (g.ours.has(key) && REGISTERED.has(st) && !g.deregistered.has(key)) return false;
  }
  return true;
}

/** A group waits for a healthy target elsewhere until waiting longer would not leave its deregistration delay before the drain wait ends. */
export function releaseAt(g: GroupWatch, times: DrainTimes): number {
  return times.drainWaitEndsAt - (g.delaySeconds ?? 0) * 1000;
}

export function holdActive(g: GroupWatch, times: DrainTimes, now: number, s: PlanSettings, state: DrainState): boolean {
  if (!s.keepServing || !g.hold) return false;
  if (g.health && g.health.healthyOthers > 0) return false;
  if (g.delaySeconds === undefined) return !state.retries.has(retryKey.delay(g.targetGroupArn)); // the delay is being read
  return now < releaseAt(g, times);
}

/** A group is looked at while it is held, while a target of ours may still be in it, and once for a task whose target could not be resolved. */
export function groupNeedsLook(g: GroupWatch, ec2InstanceId: string): boolean {
  if (g.hold && !(g.health && g.health.healthyOthers > 0)) return true;
  if (g.unresolved && g.health === undefined) return true;
  if (g.lastDeregisterAt === undefined) return false;
  const still = leftKeys(g, ec2InstanceId);
  return !still || still.keys.size > 0 || still.instanceStill;
}

/**
 * What a health read after our deregistration still shows of ours: the keys registered or
 * draining, and (instance groups) whether any target of the instance is. Undefined when no
 * such read exists yet.
 */
export function leftKeys(g: GroupWatch, ec2InstanceId: string): { keys: Set<string>; instanceStill: boolean } | undefined {
  if (!g.health || g.lastDeregisterAt === undefined || g.health.at < g.lastDeregisterAt) return undefined;
  const keys = new Set<string>();
  let instanceStill = false;
  // Our keys only (a group's health lists every instance's targets): in an instance group the
  // health read has already added every target whose Id is the instance to `ours`.
  for (const key of g.ours.keys()) {
    const st = g.health.states.get(key);
    if (st === undefined || !(REGISTERED.has(st) || DRAINING.has(st))) continue;
    keys.add(key);
    if (g.targetType === 'instance' && key.startsWith(`${ec2InstanceId}:`)) instanceStill = true;
  }
  return { keys, instanceStill };
}
