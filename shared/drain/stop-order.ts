import type { Target } from '../aws/elbv2-targets';
import { isAgentTask } from './agents';
import type { PlanBuilder } from './plan-builder';
import { serviceNameOf } from './targets';
import type { DrainState, DrainTask, DrainTimes, EcsTask } from './types';

/*
 * The order a drain stops tasks in, so logs outlive the tasks they come from:
 *   1. load-balanced service tasks, once their targets have drained (plan.ts);
 *   2. batch (standalone) tasks and service tasks without a load balancer, at once;
 *   3. DAEMON-service tasks and agents (log routers, dd-agent) last: once every other task is
 *      STOPPED, or at the latest moment that still leaves them their stop timeout.
 * Each group is given its stop timeout (ECS sends SIGTERM, then SIGKILL after the container's
 * stopTimeout) before the next group is stopped, and the last group's ends by the force time.
 */

/** ECS_CONTAINER_STOP_TIMEOUT: "Default value on Linux: 30s" (ECS container agent configuration). */
export const DEFAULT_STOP_TIMEOUT_MS = 30_000;
/** While the last group waits for the others to be STOPPED, their status is read this often. */
export const STOPPING_POLL_MS = 2_000;

/** Which tasks go last: DAEMON services' (from DescribeServices) and agents (configured families or the agent tag). */
export function lastKindOf(raw: EcsTask, state: Pick<DrainState, 'services'>, agentFamilies: readonly string[]): DrainTask['last'] {
  const service = serviceNameOf(raw);
  if (service) return state.services.get(service)?.daemon ? 'daemon' : undefined;
  return isAgentTask(raw, agentFamilies) ? 'agent' : undefined;
}

export interface StopSchedule {
  /** Every task but the last group's is stopped by here (its targets' drain wait ends here too). */
  othersForceAt: number;
  /** The last group is stopped by here whatever still runs: its stop timeout then ends at the force time. */
  lastStopAt: number;
}

/**
 * When each group must be stopped at the latest. Without a last group nothing changes (every
 * task is forced at `forceAt`). With one, the last group is stopped one stop timeout before
 * the force time, and the others one stop timeout before that, so each gets its stop timeout
 * inside the deadline (a Spot notice: 120 s − 15 s margin − 30 s − 30 s leaves 45 s for targets
 * to drain). A late notice may leave these in the past: then the order still holds, look by look.
 */
export function stopSchedule(times: Pick<DrainTimes, 'forceAt'>, stopTimeoutMs: number, hasLast: boolean): StopSchedule {
  if (!hasLast) return { othersForceAt: times.forceAt, lastStopAt: times.forceAt };
  const lastStopAt = times.forceAt - stopTimeoutMs;
  return { lastStopAt, othersForceAt: lastStopAt - stopTimeoutMs };
}

/** Other tasks asked to stop (by us, ECS or anyone) that ECS does not show STOPPED yet. */
export function stoppingOthers(state: DrainState, isLast: (raw: EcsTask) => boolean): string[] {
  const out: string[] = [];
  for (const [arn, t] of state.tasks) {
    if (isLast(t) || t.lastStatus === 'STOPPED') continue;
    if (t.desiredStatus !== 'RUNNING' || state.stopped.has(arn)) out.push(arn);
  }
  return out;
}

/**
 * What to do about the last group at this look: `stop` it, `watch` the others still stopping
 * (read their status at a short pace), or `wait` for the others. Never in the same look as
 * another task's stop, so their StopTasks always go first.
 */
export function lastGroupAction(a: {
  now: number;
  force: boolean;
  schedule: StopSchedule;
  /** Other tasks still wanted running, or stopped in this very look, or not read yet. */
  othersPending: boolean;
  othersStopping: number;
}): 'stop' | 'watch' | 'wait' {
  if (a.force) return 'stop';
  if (a.othersPending) return 'wait';
  if (a.othersStopping === 0 || a.now >= a.schedule.lastStopAt) return 'stop';
  return 'watch';
}

/**
 * The last group's part of a plan: its stops (targets deregistered with them), or a read of the
 * others still stopping, and the moments to look again. Answers the stops for the planner to add.
 */
export function planLastGroup(
  p: PlanBuilder,
  a: {
    state: DrainState;
    now: number;
    force: boolean;
    schedule: StopSchedule;
    lastTasks: readonly DrainTask[];
    othersPending: boolean;
    isLast: (raw: EcsTask) => boolean;
    deregister: (targetGroupArn: string, t: Target) => void;
  },
): Array<{ task: DrainTask; reason: string }> {
  const stopping = stoppingOthers(a.state, a.isLast);
  const action = lastGroupAction({ ...a, othersStopping: stopping.length });
  if (action === 'stop') {
    const why = stopping.length === 0 && !a.othersPending ? 'every other task is STOPPED' : 'its stop timeout must end by the deadline';
    return a.lastTasks.map((task) => {
      for (const t of task.targets) a.deregister(t.targetGroupArn, { id: t.id, port: t.port });
      return { task, reason: `${task.last === 'daemon' ? 'DAEMON service task' : 'agent'} stopped last (${why})` };
    });
  }
  const readAt = (a.state.tasksReadAt ?? -Infinity) + STOPPING_POLL_MS;
  if (action === 'watch' && a.now >= readAt && p.due('describeTasks')) p.read({ kind: 'describeTasks', taskArns: stopping });
  else if (action === 'watch') p.wake(readAt);
  p.wake(a.schedule.lastStopAt);
  p.wake(a.schedule.othersForceAt);
  return [];
}
