import type { TaskOverride } from '@aws-sdk/client-ecs';
import type { Target, TargetState } from '../aws/elbv2-targets';

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
  overrides?: TaskOverride;
  lastStatus: string;
  desiredStatus: string;
  /** Every load-balancer target of this task (empty: not behind a load balancer). */
  targets: TaskTarget[];
  /** Why a service task's targets could not all be resolved (reported; the task is still drained). */
  unresolved?: string[];
}

/** Everything the planner looks at, read from AWS in one pass. */
export interface DrainSnapshot {
  cluster: string;
  containerInstanceArn: string;
  ec2InstanceId: string;
  status: string;
  tasks: DrainTask[];
  /** Target state by target group, then `targetKey`. Missing = not looked up yet. */
  targetStates: Map<string, Map<string, TargetState>>;
}

/** The moments that bound a drain, all epoch ms. */
export interface DrainTimes {
  /** Stop looping here: the deadline minus the safety margin. */
  forceAt: number;
  /** Stop waiting for targets to drain here (≤ forceAt). */
  drainWaitEndsAt: number;
}

export type DrainStep =
  | { kind: 'setDraining'; cluster: string; containerInstanceArn: string }
  | { kind: 'stopTask'; cluster: string; taskArn: string; reason: string; task: DrainTask }
  | { kind: 'deregisterTargets'; targetGroupArn: string; targets: Target[] }
  | { kind: 'notifyInterrupted'; task: DrainTask; cluster: string; ec2InstanceId: string };

export interface DrainPlan {
  steps: DrainStep[];
  /** True when nothing is left to do on the instance. */
  done: boolean;
  /** When set, the drain should look again no later than this (targets still draining). */
  waitUntil?: number;
  reasons: string[];
}
