import { targetKey, type Target, type TargetState } from '../aws/elbv2-targets';
import type { DrainPlan, DrainSnapshot, DrainStep, DrainTask, DrainTimes } from './types';

/** States in which a target can still receive new connections: deregister it first. */
const STILL_REGISTERED: ReadonlySet<TargetState | 'unknown'> = new Set(['initial', 'healthy', 'unhealthy', 'unavailable', 'unknown']);
/** States in which ELBv2 is finishing in-flight requests: wait (bounded) before stopping. */
const DRAINING: ReadonlySet<TargetState | 'unknown'> = new Set(['draining', 'unhealthy.draining']);

export interface PlanOptions {
  /** Publish a record of every stopped standalone task (an SNS topic is configured). */
  notifyInterrupted: boolean;
}

/**
 * Decide the next steps of a drain from what AWS says now. Pure: the same snapshot, times
 * and `now` always give the same plan, and a plan applied and re-planned gives no new steps
 * for what was done (idempotent, so a repeated notice is safe).
 *
 * Order per task: standalone tasks stop at once; a service task behind load balancers is
 * stopped only once none of its targets is still registered (deregistered first, then
 * drained or out of time); a service task with no load balancer stops at once.
 * At `forceAt` (deadline minus margin) everything still running stops.
 */
export function planDrain(s: DrainSnapshot, times: DrainTimes, now: number, options: PlanOptions): DrainPlan {
  const steps: DrainStep[] = [];
  const reasons: string[] = [];
  const force = now >= times.forceAt;
  const drainWaitOver = now >= times.drainWaitEndsAt;
  let waiting = false;

  if (s.status === 'ACTIVE') {
    steps.push({ kind: 'setDraining', cluster: s.cluster, containerInstanceArn: s.containerInstanceArn });
    reasons.push('instance is ACTIVE: set DRAINING so ECS places nothing new on it');
  }

  const deregister = new Map<string, Target[]>();
  const stop = (task: DrainTask, reason: string) => {
    steps.push({ kind: 'stopTask', cluster: s.cluster, taskArn: task.taskArn, reason, task });
    reasons.push(`${shortArn(task.taskArn)}: ${reason}`);
  };

  for (const task of s.tasks) {
    if (task.desiredStatus !== 'RUNNING') continue; // already told to stop

    if (task.kind === 'standalone') {
      stop(task, 'ecs-steady drain: standalone task stopped at once');
      if (options.notifyInterrupted) steps.push({ kind: 'notifyInterrupted', task, cluster: s.cluster, ec2InstanceId: s.ec2InstanceId });
      continue;
    }
    if (task.targets.length === 0) {
      stop(task, 'ecs-steady drain: service task without load balancer');
      continue;
    }

    const states = task.targets.map((t) => s.targetStates.get(t.targetGroupArn)?.get(targetKey(t)) ?? 'unknown');
    const registered = task.targets.filter((_, i) => STILL_REGISTERED.has(states[i]!));
    for (const t of registered) {
      const list = deregister.get(t.targetGroupArn) ?? [];
      list.push({ id: t.id, port: t.port });
      deregister.set(t.targetGroupArn, list);
    }

    if (force) {
      stop(task, registered.length ? 'ecs-steady drain: deadline reached before deregistration was confirmed' : 'ecs-steady drain: deadline reached');
    } else if (registered.length > 0) {
      waiting = true;
    } else if (states.some((st) => DRAINING.has(st))) {
      if (drainWaitOver) stop(task, 'ecs-steady drain: drain wait over, targets deregistered');
      else waiting = true;
    } else {
      stop(task, 'ecs-steady drain: targets deregistered and drained');
    }
  }

  // Deregistration goes before any stop in the step list: a task whose targets are still
  // registered is only stopped when forced, and then after its targets were asked to leave.
  const deregisterSteps: DrainStep[] = [...deregister].map(([targetGroupArn, targets]) => ({
    kind: 'deregisterTargets',
    targetGroupArn,
    targets,
  }));
  for (const d of deregisterSteps) {
    if (d.kind === 'deregisterTargets') reasons.push(`${shortArn(d.targetGroupArn)}: deregister ${d.targets.length} target(s) before their tasks stop`);
  }
  const ofKind = (kind: DrainStep['kind']) => steps.filter((st) => st.kind === kind);
  const ordered = [...ofKind('setDraining'), ...deregisterSteps, ...ofKind('stopTask'), ...ofKind('notifyInterrupted')];

  const live = s.tasks.filter((t) => t.desiredStatus === 'RUNNING');
  const done = ordered.length === 0 && live.length === 0 && s.status !== 'ACTIVE';
  return {
    steps: ordered,
    done,
    ...(waiting && !force ? { waitUntil: Math.min(times.drainWaitEndsAt, times.forceAt) } : {}),
    reasons,
  };
}

function shortArn(arn: string): string {
  const i = arn.lastIndexOf('/');
  return i >= 0 ? arn.slice(i + 1) : arn;
}
