import type { Service, Task } from '@aws-sdk/client-ecs';
import { targetKey, type Target, type TargetHealth } from '../../shared/aws/elbv2-targets';
import { syncGroups } from '../../shared/drain/snapshot';
import { initialState } from '../../shared/drain/state';
import { toServiceInfo } from '../../shared/drain/targets';
import type { DrainState, DrainStep, LifecycleState } from '../../shared/drain/types';

/**
 * Planner inputs built the way the drain's reads build them: ECS tasks and services as
 * DescribeTasks / DescribeServices answer them, groups derived by `syncGroups`, and target
 * states expressed as what the drain did (`deregistered`) and what it last saw (`sawHealth`).
 */

export const EC2_ID = 'i-0123456789abcdef0';
export const CLUSTER = 'web';
export const CI_ARN = 'arn:aws:ecs:eu-west-1:123456789012:container-instance/web/1';

export interface TaskSpec {
  arn: string;
  /** A service task (group `service:NAME`); without it the task is standalone. */
  service?: string;
  group?: string;
  desired?: string;
  /** awsvpc: the ENI's private IP. */
  ip?: string;
  /** bridge/host: the container port → host port bindings. */
  bindings?: Array<{ container: string; containerPort: number; hostPort: number }>;
}

export function ecsTask(o: TaskSpec): Task {
  const containers = new Map<string, Array<{ containerPort: number; hostPort: number }>>();
  for (const b of o.bindings ?? [])
    containers.set(b.container, [...(containers.get(b.container) ?? []), { containerPort: b.containerPort, hostPort: b.hostPort }]);
  return {
    taskArn: o.arn,
    group: o.group ?? (o.service ? `service:${o.service}` : 'family:report'),
    taskDefinitionArn: `arn:aws:ecs:eu-west-1:123456789012:task-definition/${o.service ?? 'report'}:1`,
    startedBy: o.service ? 'ecs-svc/1234567890' : 'job-runner',
    lastStatus: 'RUNNING',
    desiredStatus: o.desired ?? 'RUNNING',
    containers: [...containers].map(([name, networkBindings]) => ({ name, networkBindings })),
    ...(o.ip ? { attachments: [{ type: 'ElasticNetworkInterface', details: [{ name: 'privateIPv4Address', value: o.ip }] }] } : {}),
  };
}

export function ecsService(
  name: string,
  o: { runningCount: number; lbs?: Array<{ tg: string; container: string; port: number }> },
): Service {
  return {
    serviceName: name,
    runningCount: o.runningCount,
    loadBalancers: (o.lbs ?? []).map((lb) => ({ targetGroupArn: lb.tg, containerName: lb.container, containerPort: lb.port })),
  };
}

export interface StateSpec {
  /** Container instance status; default DRAINING. */
  status?: string;
  lookup?: DrainState['lookup'];
  resumed?: boolean;
  tasks?: Task[];
  /** Services described (their tasks' targets resolve); a task whose service is absent waits for DescribeServices. */
  services?: Service[];
  /** ListTasks answer; default every task that wants RUNNING. `unread`: not listed yet. */
  listed?: string[] | 'unread';
  /** False: the listed tasks are not described yet. */
  described?: boolean;
  keepServing?: boolean;
  stopped?: Record<string, { at: number; ours: boolean }>;
  /** The instance's counts, and when they were read. */
  counts?: { running: number; pending: number; at: number };
  lifecycle?: LifecycleState;
}

export function stateWith(spec: StateSpec = {}): DrainState {
  const state = initialState(EC2_ID, { resumed: spec.resumed ?? false, ...(spec.lifecycle ? { lifecycle: spec.lifecycle } : {}) });
  state.lookup = spec.lookup ?? 'found';
  if (state.lookup !== 'found') return state;
  const status = spec.status ?? 'DRAINING';
  state.initialStatus = status;
  state.instance = {
    cluster: CLUSTER,
    containerInstanceArn: CI_ARN,
    ec2InstanceId: EC2_ID,
    status,
    agentConnected: true,
    runningTasksCount: spec.counts?.running ?? (spec.tasks ?? []).filter((t) => t.desiredStatus === 'RUNNING').length,
    pendingTasksCount: spec.counts?.pending ?? 0,
  };
  if (spec.counts) state.lastCountsAt = spec.counts.at;
  const tasks = spec.tasks ?? [];
  if (spec.listed !== 'unread') state.listedArns = spec.listed ?? tasks.filter((t) => t.desiredStatus === 'RUNNING').map((t) => t.taskArn!);
  if (spec.described !== false) for (const t of tasks) state.tasks.set(t.taskArn!, t);
  for (const s of spec.services ?? []) state.services.set(s.serviceName!, toServiceInfo(s));
  for (const [arn, stop] of Object.entries(spec.stopped ?? {})) state.stopped.set(arn, stop);
  syncGroups(state, { keepServing: spec.keepServing ?? false, warn: () => undefined });
  return state;
}

/** DeregisterTargets succeeded for these targets of the group at `at`. */
export function deregistered(state: DrainState, tg: string, targets: readonly Target[], at: number): DrainState {
  const g = group(state, tg);
  for (const t of targets) g.deregistered.add(targetKey(t));
  g.lastDeregisterAt = at;
  return state;
}

/**
 * A DescribeTargetHealth of the whole group answered `seen` at `at`, folded as the drain's
 * `groupHealth` read folds it (an instance group adopts every target whose Id is the instance).
 */
export function sawHealth(state: DrainState, tg: string, seen: readonly TargetHealth[], at: number): DrainState {
  const g = group(state, tg);
  if (g.targetType === 'instance')
    for (const h of seen) if (h.id === state.ec2InstanceId) g.ours.set(targetKey(h), { id: h.id, port: h.port });
  g.health = {
    at,
    states: new Map(seen.map((h) => [targetKey(h), h.state])),
    healthyOthers: seen.filter((h) => h.state === 'healthy' && !g.ours.has(targetKey(h))).length,
  };
  return state;
}

export function withDelay(state: DrainState, tg: string, seconds: number): DrainState {
  group(state, tg).delaySeconds = seconds;
  return state;
}

function group(state: DrainState, tg: string) {
  const g = state.groups.get(tg);
  if (!g) throw new Error(`no group ${tg} in the state: no task of a described service is in it`);
  return g;
}

/** Steps as short strings: `stop:ARN`, `dereg:TG`, `complete:RESULT`, else the kind. */
export const kinds = (steps: readonly DrainStep[]) =>
  steps.map((s) =>
    s.kind === 'stopTask'
      ? `stop:${s.taskArn}`
      : s.kind === 'deregisterTargets'
        ? `dereg:${s.targetGroupArn}`
        : s.kind === 'completeLifecycle'
          ? `complete:${s.result}`
          : s.kind,
  );
