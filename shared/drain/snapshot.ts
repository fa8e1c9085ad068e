import type { CallOptions } from '../aws/call';
import { targetKey } from '../aws/elbv2-targets';
import { lookupInstances } from './lookup';
import type { DrainPorts } from './ports';
import { serviceNameOf, toDrainTask, toServiceInfo } from './targets';
import type { DrainRead, DrainState, GroupWatch } from './types';

export interface ReadContext {
  /** Clusters searched; empty = every cluster in the region. */
  clusters: readonly string[];
  keepServing: boolean;
  warn: (message: string) => void;
}

/**
 * Carry out one read and fold what AWS answered into the state. Reads are made once and
 * then only what can have changed is read again: tasks after DRAINING took effect, target
 * health of the groups still being watched, the instance's counts at the end. Throws when
 * the read failed as a whole (the runner backs off and the plan asks again).
 */
export async function readInto(
  state: DrainState,
  read: DrainRead,
  ports: DrainPorts,
  ctx: ReadContext,
  now: number,
  o: CallOptions,
): Promise<void> {
  switch (read.kind) {
    case 'lookup':
      return lookup(state, ports, ctx, o);
    case 'listTasks': {
      const ci = state.instance!;
      const arns = await ports.tasks.listRunningOn(ci.cluster, ci.containerInstanceArn, o);
      const listed = new Set(arns);
      // A task we knew that ECS no longer wants running was stopped by someone else (ECS itself, a deploy).
      for (const [arn, t] of state.tasks)
        if (!listed.has(arn) && t.desiredStatus === 'RUNNING') state.tasks.set(arn, { ...t, desiredStatus: 'STOPPED' });
      state.listedArns = arns;
      state.relist = false;
      return;
    }
    case 'describeTasks': {
      const ci = state.instance!;
      const { tasks, failures } = await ports.tasks.describe(ci.cluster, read.taskArns, o);
      for (const t of tasks) if (t.taskArn) state.tasks.set(t.taskArn, t);
      state.tasksReadAt = now;
      for (const f of failures) {
        ctx.warn(`describe task ${f.arn}: ${f.reason}`);
        if (f.reason !== 'MISSING') continue;
        state.listedArns = state.listedArns?.filter((a) => a !== f.arn);
        // A task ECS no longer knows has stopped (the last group waits for nothing that is gone).
        const known = state.tasks.get(f.arn);
        if (known) state.tasks.set(f.arn, { ...known, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' });
      }
      syncGroups(state, ctx);
      return;
    }
    case 'describeServices': {
      const { services, failures } = await ports.services.describe(state.instance!.cluster, read.names, o);
      for (const s of services) state.services.set(s.serviceName ?? '', toServiceInfo(s));
      for (const f of failures) {
        ctx.warn(`describe service ${f.arn}: ${f.reason}`);
        const name = read.names.find((n) => f.arn === n || f.arn.endsWith(`/${n}`));
        if (name) state.servicesMissing.add(name);
      }
      syncGroups(state, ctx);
      return;
    }
    case 'groupHealth': {
      const g = state.groups.get(read.targetGroupArn)!;
      const health = await ports.targets.groupHealth(read.targetGroupArn, o);
      const states = new Map(health.map((h) => [targetKey(h), h.state]));
      if (g.targetType === 'instance')
        for (const h of health) if (h.id === state.ec2InstanceId) g.ours.set(targetKey(h), { id: h.id, port: h.port });
      // A target of ours already draining or gone was deregistered before (an earlier step of
      // this drain, or ECS itself): taken as deregistered, so it is not sent again.
      for (const key of g.ours.keys()) {
        const st = states.get(key);
        if (!g.deregistered.has(key) && (st === undefined || st === 'unused' || st === 'draining' || st === 'unhealthy.draining')) {
          g.deregistered.add(key);
          // It was still registered at our previous read, so its delay started after it: the
          // watch can wait for the delay from then. Without a previous read the start is unknown.
          const since = g.health?.at ?? now;
          g.lastDeregisterAt = Math.min(g.lastDeregisterAt ?? since, since);
          if (g.health === undefined) g.foundDeregistered = true;
        }
      }
      const healthyOthers = health.filter((h) => h.state === 'healthy' && !g.ours.has(targetKey(h))).length;
      g.health = { at: now, states, healthyOthers };
      const anyHealthy = health.some((h) => h.state === 'healthy');
      if (!anyHealthy) g.noHealthySince ??= now;
      else if (g.noHealthySince !== undefined) {
        g.noHealthyMs += now - g.noHealthySince;
        delete g.noHealthySince;
      }
      return;
    }
    case 'groupDelay':
      state.groups.get(read.targetGroupArn)!.delaySeconds = await ports.targets.deregistrationDelaySeconds(read.targetGroupArn, o);
      return;
    case 'instanceCounts': {
      const ci = state.instance!;
      const { instances } = await ports.containerInstances.describe(ci.cluster, [ci.containerInstanceArn], o);
      const current = instances.find((i) => i.containerInstanceArn === ci.containerInstanceArn);
      // Deregistered meanwhile (the instance is gone): nothing runs on it any more.
      state.instance = current ?? { ...ci, status: 'INACTIVE', runningTasksCount: 0, pendingTasksCount: 0 };
      state.lastCountsAt = now;
      return;
    }
  }
}

/**
 * Find the container instance (see lookupInstances): through the wave's port when there is
 * one (one lookup for every instance asked at the same moment), else for this instance alone.
 */
async function lookup(state: DrainState, ports: DrainPorts, ctx: ReadContext, o: CallOptions): Promise<void> {
  const answer = ports.findInstance
    ? await ports.findInstance(state.ec2InstanceId, o)
    : (await lookupInstances(ports, [state.ec2InstanceId], ctx.clusters, o)).get(state.ec2InstanceId)!;
  for (const w of answer.warnings) ctx.warn(w);
  if (!answer.instance) {
    state.lookup = 'not-found';
    return;
  }
  state.lookup = 'found';
  state.instance = answer.instance;
  if (answer.listedArns) state.listedArns = answer.listedArns;
}

/** Keep one watch per target group the known tasks are in; decide which groups to hold (keep serving). */
export function syncGroups(state: DrainState, ctx: Pick<ReadContext, 'keepServing' | 'warn'>): void {
  const onHere = new Map<string, number>();
  for (const t of state.tasks.values()) {
    const name = serviceNameOf(t);
    if (!name || t.desiredStatus !== 'RUNNING') continue;
    onHere.set(name, (onHere.get(name) ?? 0) + 1);
    const task = toDrainTask(t, state.services.get(name), state.ec2InstanceId);
    for (const target of task.targets)
      groupOf(state, target.targetGroupArn, task.targetType).ours.set(targetKey(target), { id: target.id, port: target.port });
    for (const u of task.unresolved ?? []) {
      groupOf(state, u.targetGroupArn, task.targetType).unresolved = true;
      ctx.warn(`targets of ${task.taskArn}: ${u.targetGroupArn}: ${u.reason} (the target group's health read finds them)`);
    }
  }
  for (const g of state.groups.values()) {
    if (g.deregistered.size > 0 || g.health) continue; // decided once, before anything was done
    const services = [...state.services.values()].filter((s) => s.targetGroupArns.includes(g.targetGroupArn));
    g.hold = ctx.keepServing && services.length > 0 && services.every((s) => s.runningCount <= (onHere.get(s.name) ?? 0));
  }
}

function groupOf(state: DrainState, targetGroupArn: string, targetType: GroupWatch['targetType']): GroupWatch {
  let g = state.groups.get(targetGroupArn);
  if (!g) {
    g = { targetGroupArn, targetType, ours: new Map(), deregistered: new Set(), hold: false, unresolved: false, noHealthyMs: 0 };
    state.groups.set(targetGroupArn, g);
  }
  return g;
}
