import { targetKey, type Target } from '../aws/elbv2-targets';
import { serviceNameOf, toDrainTask } from './targets';
import { PlanBuilder } from './plan-builder';
import { finish, finishHandOn } from './plan-closing';
import { deregisteredEverywhere, groupNeedsLook, holdActive, leftKeys, REGISTERED, releaseAt } from './plan-groups';
import { DEFAULT_STOP_TIMEOUT_MS, lastKindOf, planLastGroup, stopSchedule } from './stop-order';
import { retryKey, type DrainPlan, type DrainState, type DrainTask, type DrainTimes, type GroupWatch } from './types';

export interface PlanSettings {
  dryRun: boolean;
  pollMs: number;
  /** Hold a group's deregistration while all of its services' tasks run here and ECS places replacements. */
  keepServing: boolean;
  /** Publish a record of every standalone task this drain stopped (a topic is configured). */
  notifyInterrupted: boolean;
  /** How far past its deadline a new notice is still acted on. */
  expiredToleranceMs: number;
  /** Goes into every StopTask reason: ECS keeps the first stop's reason, so a stop is ours only if it carries this. */
  drainId: string;
  /** Standalone tasks of these families are agents: stopped last, never published (drain/agents.ts). */
  agentFamilies?: readonly string[];
  /** What each stop group is given before the next is stopped (default: the ECS agent's 30 s). */
  stopTimeoutMs?: number;
}

/** After the force time, the counts are read this often until they reach 0 or the deadline comes. */
const FORCE_POLL_MS = 2_000;

/**
 * Decide the next look of a drain from what is known now. Pure: the same state, times and
 * `now` give the same plan. The plan owns the outcome: every end (drained, deadline,
 * handed on, not in a cluster, expired, dry run) is decided here, and so is every side
 * effect, lifecycle heartbeats, completion and hand-on included.
 *
 * Order: an ACTIVE instance is set DRAINING; standalone tasks and service tasks without a load
 * balancer stop at once; a service task behind load balancers stops once every target of it
 * has been deregistered and has left `draining` (or the drain wait is over); DAEMON-service
 * tasks and agents stop last, once the others are STOPPED (stop-order.ts, which also moves the
 * others' force time so each group keeps its stop timeout); at `forceAt` everything still
 * running stops, its targets deregistered first (the executor runs deregistrations before stops).
 */
export function planDrain(state: DrainState, times: DrainTimes, now: number, s: PlanSettings): DrainPlan {
  const p = new PlanBuilder(state, now);
  const lc = state.lifecycle;
  const force = now >= times.forceAt;

  if (state.lookup === 'pending' && !state.resumed && now >= times.expiresAt + s.expiredToleranceMs) {
    return p.done('expired', 'the notice arrived after its deadline: nothing changed');
  }
  // The action timed out (heartbeats kept failing, or the global timeout came): Auto Scaling
  // applied its default result and the instance is going; nothing is left to keep alive.
  if (lc && !lc.completed && !s.dryRun && now >= Math.min(lc.lastHeartbeatAt + lc.heartbeatTimeoutMs, lc.globalEndsAt))
    return p.done('deadline-reached', 'the lifecycle action timed out: Auto Scaling applied its default result');
  if (lc && !lc.completed && !s.dryRun) {
    const beatAt = lc.lastHeartbeatAt + lc.heartbeatTimeoutMs / 3;
    if (now >= beatAt && p.due('heartbeat'))
      p.step({ kind: 'heartbeat', ref: lc.ref }, 'keep the lifecycle action alive while the drain goes on');
    else p.wake(beatAt);
  }
  const end = (outcome: NonNullable<DrainPlan['outcome']>, why: string) => finish(p, state, times, now, s.dryRun, outcome, why);
  // This invocation's time is up (ASG): hand the rest on, whatever is still unread or undone.
  if (now >= times.stepEndsAt && !force && now < times.deadline)
    return finishHandOn(p, state, times, now, Math.max(1, Math.ceil(s.pollMs / 1000)));
  if (state.lookup === 'pending') {
    if (force) return end('deadline-reached', 'the container instance could not be looked up before the deadline');
    if (p.due('lookup')) p.read({ kind: 'lookup' });
    return p.plan(times);
  }
  if (state.lookup === 'not-found' || !state.instance)
    return end('not-in-cluster', 'the instance is in none of the clusters: nothing of ours runs on it');
  const ci = state.instance;

  if (ci.status === 'ACTIVE' && p.due('setDraining'))
    p.step(
      { kind: 'setDraining', cluster: ci.cluster, containerInstanceArn: ci.containerInstanceArn },
      'instance is ACTIVE: set DRAINING so ECS places nothing new on it',
    );
  if ((state.listedArns === undefined || state.relist) && p.due('listTasks')) p.read({ kind: 'listTasks' });
  const undescribed = (state.listedArns ?? []).filter((arn) => !state.tasks.has(arn) && !state.stopped.has(arn));
  if (undescribed.length && p.due('describeTasks')) p.read({ kind: 'describeTasks', taskArns: undescribed });

  const live = [...state.tasks.values()].filter((t) => t.desiredStatus === 'RUNNING' && !state.stopped.has(t.taskArn ?? ''));
  const lastOf = (raw: (typeof live)[number]) => lastKindOf(raw, state, s.agentFamilies ?? []);
  const tasks = live.map((t): DrainTask => {
    const last = lastOf(t);
    return { ...toDrainTask(t, state.services.get(serviceNameOf(t) ?? ''), state.ec2InstanceId), ...(last ? { last } : {}) };
  });
  const unknownServices = [
    ...new Set(
      tasks
        .filter((t) => t.serviceName && !state.services.has(t.serviceName) && !state.servicesMissing.has(t.serviceName))
        .map((t) => t.serviceName!),
    ),
  ];
  if (unknownServices.length && p.due('describeServices')) p.read({ kind: 'describeServices', names: unknownServices });
  const readsPending = state.listedArns === undefined || undescribed.length > 0 || unknownServices.length > 0;

  const deregister = new Map<string, Target[]>();
  const addDeregister = (tg: string, t: Target) => {
    if (!p.due(retryKey.deregister(tg))) return;
    const list = deregister.get(tg) ?? [];
    if (!list.some((x) => targetKey(x) === targetKey(t))) list.push(t);
    deregister.set(tg, list);
  };
  const stops: Array<{ task: DrainTask; reason: string }> = [];
  let waiting = false;
  // The last group (DAEMON tasks, agents) moves the others' force time and drain wait earlier.
  const lastTasks = tasks.filter((t) => t.last);
  const schedule = stopSchedule(times, s.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS, lastTasks.length > 0);
  const forceOthers = force || now >= schedule.othersForceAt;
  const wt: DrainTimes = { ...times, drainWaitEndsAt: Math.min(times.drainWaitEndsAt, schedule.othersForceAt) };

  const left = new Map<string, ReturnType<typeof leftKeys>>();
  const leftOf = (g: GroupWatch) => {
    if (!left.has(g.targetGroupArn)) left.set(g.targetGroupArn, leftKeys(g, state.ec2InstanceId));
    return left.get(g.targetGroupArn);
  };
  for (const task of tasks) {
    if (task.last) continue;
    if (task.kind === 'standalone') {
      stops.push({ task, reason: 'standalone task stopped at once' });
      continue;
    }
    if (task.serviceName && !state.services.has(task.serviceName) && !state.servicesMissing.has(task.serviceName)) {
      if (forceOthers) stops.push({ task, reason: 'deadline reached before its service could be read' });
      else waiting = true;
      continue;
    }
    const groupsOfTask = [
      ...new Set([...task.targets.map((t) => t.targetGroupArn), ...(task.unresolved ?? []).map((u) => u.targetGroupArn)]),
    ];
    if (groupsOfTask.length === 0) {
      stops.push({ task, reason: 'service task without load balancer' });
      continue;
    }
    let allGone = true;
    for (const tg of groupsOfTask) {
      const g = state.groups.get(tg);
      // A resumed drain looks before it deregisters again: the last step may have done it already.
      const held = !forceOthers && g !== undefined && (holdActive(g, wt, now, s, state) || (state.resumed && !g.health));
      for (const t of task.targets.filter((x) => x.targetGroupArn === tg)) {
        if (g?.deregistered.has(targetKey(t))) continue;
        allGone = false;
        if (held) p.wake(Math.min(releaseAt(g!, wt), now + s.pollMs));
        else addDeregister(tg, { id: t.id, port: t.port });
      }
      const still = g && leftOf(g);
      if (!still || still.instanceStill || task.targets.some((t) => t.targetGroupArn === tg && still.keys.has(targetKey(t))))
        allGone = false;
    }
    if (allGone) stops.push({ task, reason: 'targets deregistered and drained' });
    else if (forceOthers) stops.push({ task, reason: 'deadline reached before its targets finished draining' });
    else if (now >= wt.drainWaitEndsAt && deregisteredEverywhere(task, groupsOfTask, state))
      stops.push({ task, reason: 'drain wait over, targets deregistered' });
    else waiting = true;
  }

  // Instance-type groups: every target whose Id is the instance leaves, whatever its port
  // (a missing or stale networkBinding must not leave one behind).
  for (const g of state.groups.values()) {
    if (g.targetType !== 'instance' || !g.health) continue;
    if (!forceOthers && holdActive(g, wt, now, s, state)) continue;
    for (const [key, st] of g.health.states) {
      const t = g.ours.get(key);
      if (t && REGISTERED.has(st) && !g.deregistered.has(key)) addDeregister(g.targetGroupArn, t);
    }
  }

  if (lastTasks.length > 0) {
    const othersPending = readsPending || tasks.length > lastTasks.length;
    const add = (tg: string, t: Target) => !state.groups.get(tg)?.deregistered.has(targetKey(t)) && addDeregister(tg, t);
    stops.push(
      ...planLastGroup(p, { state, now, force, schedule, lastTasks, othersPending, isLast: (raw) => !!lastOf(raw), deregister: add }),
    );
  }

  for (const [targetGroupArn, targets] of deregister)
    p.step(
      { kind: 'deregisterTargets', targetGroupArn, targets },
      `${shortArn(targetGroupArn)}: deregister ${targets.length} target(s) before their tasks stop`,
    );
  for (const { task, reason } of stops) {
    if (!p.due(retryKey.stop(task.taskArn))) continue;
    p.step(
      { kind: 'stopTask', cluster: ci.cluster, taskArn: task.taskArn, reason: `ecs-steady drain ${s.drainId}: ${reason}`, task },
      `${shortArn(task.taskArn)}: ${reason}`,
    );
  }
  if (s.notifyInterrupted) {
    for (const [arn, stop] of state.stopped) {
      const raw = state.tasks.get(arn);
      if (!stop.ours || state.published.has(arn) || !raw || !p.due(retryKey.notify(arn))) continue;
      const task = toDrainTask(raw, undefined, state.ec2InstanceId);
      // An agent is part of the instance: its replacement comes with the next instance, not from a job runner.
      if (task.kind !== 'standalone' || lastOf(raw)) continue;
      p.step(
        { kind: 'notifyInterrupted', task, cluster: ci.cluster, ec2InstanceId: state.ec2InstanceId },
        `${shortArn(arn)}: publish an interrupted-task record so its job can run again`,
      );
    }
  }

  // Watch: one DescribeTargetHealth per group that still has something to show. A group we
  // deregistered from is looked at once its deregistration delay has run (ELBv2 keeps the
  // targets `draining` that long), not every poll: each look costs a wave's rate limit.
  for (const g of state.groups.values()) {
    // A held group needs its delay at once; a deregistered one only to time its next look: read after the deregistration, which
    // must not wait behind it (a wave's reads and deregistrations draw from one ELB bucket).
    const wantsDelay = (s.keepServing && g.hold) || g.lastDeregisterAt !== undefined;
    if (
      !s.dryRun &&
      wantsDelay &&
      g.delaySeconds === undefined &&
      !state.retries.has(retryKey.delay(g.targetGroupArn)) &&
      p.due(retryKey.delay(g.targetGroupArn))
    )
      p.read({ kind: 'groupDelay', targetGroupArn: g.targetGroupArn });
    if (!groupNeedsLook(g, state.ec2InstanceId) && !(state.resumed && !g.health)) continue;
    // Past the force time every task stops whatever a look shows: only a target never resolved from ECS still needs one (to deregister it).
    if (force && !(g.unresolved && !g.health)) continue;
    const last = Math.max(g.health?.at ?? -Infinity, g.lastDeregisterAt ?? -Infinity);
    let nextAt = Number.isFinite(last) ? last + s.pollMs : now;
    const held = holdActive(g, times, now, s, state);
    if (!held && !g.foundDeregistered && g.lastDeregisterAt !== undefined && g.delaySeconds !== undefined) {
      const drainedBy = g.lastDeregisterAt + g.delaySeconds * 1000;
      if (!g.health || g.health.at < drainedBy) nextAt = Math.max(nextAt, Math.min(drainedBy, times.drainWaitEndsAt));
    }
    if (now >= nextAt && p.due(retryKey.health(g.targetGroupArn))) p.read({ kind: 'groupHealth', targetGroupArn: g.targetGroupArn });
    else p.wake(nextAt);
  }

  // Dry run: read until the whole first plan is known, then log it as the outcome (its steps are skipped).
  if (s.dryRun)
    return (readsPending || p.hasReads()) && !force
      ? p.plan(times, { readsOnly: true })
      : end(
          'dry-run',
          readsPending ? 'dry run: some reads kept failing; the plan so far is logged' : 'dry run: the plan is logged, nothing is changed',
        );

  const nothingLeft = !readsPending && tasks.length === 0 && p.stepCount() === 0;
  if (nothingLeft) {
    // Whatever was asked to stop: the outcome comes from what ECS says now.
    const lastStop = Math.max(0, ...[...state.stopped.values()].map((x) => x.at));
    const fresh = state.lastCountsAt !== undefined && state.lastCountsAt >= lastStop && (!force || state.lastCountsAt >= times.forceAt);
    const running = ci.runningTasksCount + ci.pendingTasksCount;
    if (fresh && running === 0 && ci.status !== 'ACTIVE') return end('drained', 'nothing runs on the instance');
    if (now >= times.deadline) return end('deadline-reached', 'the deadline came before every task had stopped');
    // Everything was asked to stop: watch ECS's counts until they reach 0 or the deadline comes
    // (past the force time too: the lifecycle action is not completed while tasks still stop).
    const countsAt = fresh ? state.lastCountsAt! + (force ? Math.min(s.pollMs, FORCE_POLL_MS) : s.pollMs) : now;
    if (now >= countsAt && p.due('instanceCounts')) p.read({ kind: 'instanceCounts' });
    else p.wake(Math.min(countsAt, times.deadline));
  } else if (force && p.stepCount() === 0 && !p.hasReads() && now >= times.deadline) {
    return end('deadline-reached', 'the deadline came before every step could be carried out');
  }

  if (waiting) p.wake(Math.min(wt.drainWaitEndsAt, schedule.othersForceAt));
  p.wake(times.forceAt);
  p.wake(times.deadline);
  return p.plan(times);
}

export function shortArn(arn: string): string {
  const i = arn.lastIndexOf('/');
  return i >= 0 ? arn.slice(i + 1) : arn;
}
