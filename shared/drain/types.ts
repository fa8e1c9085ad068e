import type { ContainerInstanceRef } from '../aws/ecs-container-instances';
import type { LifecycleActionRef } from '../aws/autoscaling-lifecycle';
import type { Target, TargetState } from '../aws/elbv2-targets';

/*
 * What the drain keeps of an ECS task and service: the fields it decides on, under the names
 * ECS's API gives them (DescribeTasks / DescribeServices), so a DescribeTasks answer written
 * in a test reads as one. The drain's ports project the SDK's objects onto these (ports.ts);
 * nothing else of the SDK's shapes reaches a planner.
 */

/** A task as the drain reads it (DescribeTasks with include TAGS). */
export interface EcsTask {
  taskArn?: string;
  /** The instance it runs on (a wave lists a whole cluster's tasks and sorts them by instance). */
  containerInstanceArn?: string;
  /** `service:NAME` for a service's task, `family:NAME` for a standalone one. */
  group?: string;
  taskDefinitionArn?: string;
  startedBy?: string;
  /** Passed through, untouched, into the interrupted-task record (a job runner reruns the task with it). */
  overrides?: TaskOverrides;
  lastStatus?: string;
  desiredStatus?: string;
  tags?: Array<{ key?: string; value?: string }>;
  /** bridge/host: the host port bound to each container port; awsvpc: the ENI's address. */
  containers?: Array<{
    name?: string;
    networkBindings?: Array<{ containerPort?: number; hostPort?: number }>;
    networkInterfaces?: Array<{ privateIpv4Address?: string }>;
  }>;
  /** awsvpc: the task's ENI (`ElasticNetworkInterface`, detail `privateIPv4Address`). */
  attachments?: Array<{ type?: string; details?: Array<{ name?: string; value?: string }> }>;
}

/** A task's overrides: opaque to the drain, republished as ECS gave them. */
export type TaskOverrides = object;

/** A service as the drain reads it (DescribeServices). */
export interface EcsService {
  serviceName?: string;
  /** A failure names a service by its ARN or its name: matched by either. */
  serviceArn?: string;
  runningCount?: number;
  schedulingStrategy?: string;
  loadBalancers?: Array<{ targetGroupArn?: string; containerName?: string; containerPort?: number }>;
}

/** A target of a task in one target group. */
export interface TaskTarget extends Target {
  targetGroupArn: string;
}

export interface DrainTask {
  taskArn: string;
  /** `service` when ECS started it for a service (group `service:NAME`), else `standalone`. */
  kind: 'service' | 'standalone';
  serviceName?: string;
  group?: string;
  taskDefinitionArn?: string;
  startedBy?: string;
  overrides?: TaskOverrides;
  lastStatus: string;
  desiredStatus: string;
  /** awsvpc tasks are `ip` targets (the ENI address); bridge/host tasks `instance` targets. */
  targetType: 'instance' | 'ip';
  /** Every load-balancer target of this task known from ECS (empty: not behind a load balancer). */
  targets: TaskTarget[];
  /** Why a service task's targets could not all be resolved (reported; the watch finds them). */
  unresolved?: Array<{ targetGroupArn: string; reason: string }>;
  /** Part of the instance, stopped after every other task: a DAEMON service's task or a per-instance agent (drain/agents.ts). */
  last?: 'daemon' | 'agent';
}

/** What the drain needs of a service: its target groups and where its tasks run. */
export interface ServiceInfo {
  name: string;
  runningCount: number;
  /** schedulingStrategy DAEMON: one task per instance, stopped last (absent: REPLICA). */
  daemon?: boolean;
  targetGroupArns: string[];
  /** The service as DescribeServices answered it (load balancers resolve task targets). */
  loadBalancers: Array<{ targetGroupArn: string; containerName?: string; containerPort?: number }>;
}

/** One target group the drain deregisters from and watches. */
export interface GroupWatch {
  targetGroupArn: string;
  targetType: 'instance' | 'ip';
  /** Our targets in this group: from the tasks, plus (instance groups) any target whose Id is the instance. */
  ours: Map<string, Target>;
  /** Keys for which DeregisterTargets succeeded, and when the last of them did. */
  deregistered: Set<string>;
  lastDeregisterAt?: number;
  /** A task's target in this group could not be resolved from ECS: the watch finds it. */
  unresolved: boolean;
  /** Some of our targets were found already deregistered (a resumed drain, or ECS): their delay has partly run. */
  foundDeregistered?: boolean;
  /** Last DescribeTargetHealth of the whole group. */
  health?: { at: number; states: Map<string, TargetState>; healthyOthers: number };
  /** Keep serving: every task of its services runs here, so deregistration waits for a healthy target elsewhere. */
  hold: boolean;
  /** The group's deregistration delay (read only for held groups). */
  delaySeconds?: number;
  /** Observed: since when the group had no healthy target, and for how long in all. */
  noHealthySince?: number;
  noHealthyMs: number;
}

/** Moments that bound a drain, all epoch ms. */
export interface DrainTimes {
  /** Deadline minus the safety margin: everything still running stops here. */
  forceAt: number;
  /** Stop waiting for targets to drain here (≤ forceAt). */
  drainWaitEndsAt: number;
  /** The hard deadline (reclaim, or the drain's bound): nothing is sent after it. */
  deadline: number;
  /** This invocation gives the drain back here (ASG hand-on). */
  stepEndsAt: number;
  /** A new notice that arrives after this has nothing left to save: `expired` (Spot: the reclaim; ASG: the hook's first timeout). */
  expiresAt: number;
}

/** The lifecycle action an ASG drain keeps alive and completes. */
export interface LifecycleState {
  ref: LifecycleActionRef;
  heartbeatTimeoutMs: number;
  /** The action can live until here at most (notice + global timeout). */
  globalEndsAt: number;
  lastHeartbeatAt: number;
  /** What CompleteLifecycleAction sends once the drain is over. */
  result: 'CONTINUE' | 'ABANDON';
  completed?: 'completed' | 'already-complete';
}

/** What one step of a long drain hands to the next. */
export interface DrainCarry {
  lastHeartbeatAt?: number;
  totals: DrainTotals;
}

export interface DrainTotals {
  tasksStopped: { standalone: number; service: number };
  targetsDeregistered: number;
  interruptedTasksPublished: number;
  failures: number;
}

/** A failed step or read waits for `notBefore` before it is tried again (jittered backoff). */
export interface Retry {
  failures: number;
  notBefore: number;
  lastError: string;
}

/** Everything the planner knows: what was read, what was done. Changed only by the runner. */
export interface DrainState {
  ec2InstanceId: string;
  /** The container instance; undefined until found. */
  instance?: ContainerInstanceRef;
  lookup: 'pending' | 'found' | 'not-found';
  /** A continuation of a drain begun earlier (never `expired`). */
  resumed: boolean;
  /** This invocation handed the drain on (the continuation is queued): never twice. */
  handedOn?: boolean;
  /** The instance's status when first found (DRAINING: someone drained it already). */
  initialStatus?: string;
  /** Task ARNs ECS wants running on the instance, from the last ListTasks. */
  listedArns?: string[];
  /** List the tasks again at the next look (DRAINING just took effect, or ECS may still place tasks). */
  relist: boolean;
  /** Tasks as DescribeTasks answered them (targets are resolved once their service is known). */
  tasks: Map<string, EcsTask>;
  services: Map<string, ServiceInfo>;
  /** Service names DescribeServices could not answer (their tasks are treated as without load balancer at the force time). */
  servicesMissing: Set<string>;
  groups: Map<string, GroupWatch>;
  /** Tasks this drain asked to stop (StopTask succeeded), and whether the stop was ours (first reason). */
  stopped: Map<string, { at: number; ours: boolean }>;
  published: Set<string>;
  /** When tasks were last described (the tasks stopped last wait for the others to be STOPPED, read at this pace). */
  tasksReadAt?: number;
  /** When the instance counts were last read after every known task was asked to stop. */
  lastCountsAt?: number;
  retries: Map<RetryKey, Retry>;
  lifecycle?: LifecycleState;
}

/**
 * The order steps are carried out in, rank by rank (the planner lists them in it too):
 * DRAINING and deregistrations before any stop, records after stops, lifecycle last.
 */
export const STEP_RANK: Record<DrainStep['kind'], number> = {
  setDraining: 0,
  deregisterTargets: 0,
  heartbeat: 0,
  stopTask: 1,
  notifyInterrupted: 2,
  completeLifecycle: 3,
  handOn: 3,
};

export type DrainStep =
  | { kind: 'setDraining'; cluster: string; containerInstanceArn: string }
  | { kind: 'deregisterTargets'; targetGroupArn: string; targets: Target[] }
  | { kind: 'stopTask'; cluster: string; taskArn: string; reason: string; task: DrainTask }
  | { kind: 'notifyInterrupted'; task: DrainTask; cluster: string; ec2InstanceId: string }
  | { kind: 'heartbeat'; ref: LifecycleActionRef }
  | { kind: 'completeLifecycle'; ref: LifecycleActionRef; result: 'CONTINUE' | 'ABANDON' }
  | { kind: 'handOn'; delaySeconds: number };

/** What carrying out one step came to (execute.ts answers it; the state and the report fold it in). */
export interface StepResult {
  step: DrainStep;
  ok: boolean;
  /** Dry run: the step was planned and not carried out. */
  skipped?: boolean;
  error?: string;
  at: number;
  /** stopTask: the stop was ours (ECS kept our reason) / the task was already gone. */
  stop?: { ours: boolean; gone: boolean };
  /** heartbeat / completeLifecycle: false when the action was already over. */
  actionLive?: boolean;
}

/** Reads the runner makes for the plan (not side effects: dry-run makes them too). */
export type DrainRead =
  | { kind: 'lookup' }
  | { kind: 'listTasks' }
  | { kind: 'describeTasks'; taskArns: string[] }
  | { kind: 'describeServices'; names: string[] }
  | { kind: 'groupHealth'; targetGroupArn: string }
  | { kind: 'groupDelay'; targetGroupArn: string }
  | { kind: 'instanceCounts' };

export type DrainOutcome =
  | 'drained' // nothing left running on the instance
  | 'deadline-reached' // the safety deadline came first: whatever remained was stopped
  | 'handed-on' // this invocation's time is up; the drain goes on in the next one (ASG)
  | 'not-in-cluster' // the EC2 instance is in none of the clusters: a no-op
  | 'expired' // the notice's deadline had passed when it arrived: nothing changed
  | 'dry-run'; // planned and logged, nothing changed

export interface DrainPlan {
  steps: DrainStep[];
  reads: DrainRead[];
  /** Set when the drain is over (after `steps`, the last ones, are carried out). */
  outcome?: DrainOutcome;
  /** Why the drain ends with `outcome`. */
  why?: string;
  /** Nothing to do now: look again at this moment. */
  wakeAt?: number;
  reasons: string[];
}

/**
 * The keys under which a failed step's or read's backoff is kept (`DrainState.retries`): the
 * kind itself, or kind and subject for steps and reads made per group or task. The runner
 * notes failures and the planner asks `due(key)` with the same keys.
 */
export type RetryKey =
  DrainStep['kind'] | DrainRead['kind'] | `${'deregister' | 'health' | 'delay'}:${string}` | `${'stop' | 'notify'}:${string}`;
export const retryKey = {
  deregister: (targetGroupArn: string): RetryKey => `deregister:${targetGroupArn}`,
  stop: (taskArn: string): RetryKey => `stop:${taskArn}`,
  notify: (taskArn: string): RetryKey => `notify:${taskArn}`,
  health: (targetGroupArn: string): RetryKey => `health:${targetGroupArn}`,
  delay: (targetGroupArn: string): RetryKey => `delay:${targetGroupArn}`,
};
