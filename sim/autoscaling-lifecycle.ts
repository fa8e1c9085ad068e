import type { CompleteLifecycleActionCommandInput, RecordLifecycleActionHeartbeatCommandInput } from '@aws-sdk/client-auto-scaling';
import type { OperationTable, SimulatedAccount } from './account';
import type { AsgOverride } from './autoscaling-capacity';
import type { WarmPoolRecord } from './autoscaling-warm-pool';
import type { EcsJoin } from './ec2';
import { simError } from './errors';
import { ASG_MAX_GLOBAL_TIMEOUT_SECONDS } from './limits';
import { eventTime, uuid, type EventBridgeEvent } from './util';

export type LifecycleTransition = 'autoscaling:EC2_INSTANCE_TERMINATING' | 'autoscaling:EC2_INSTANCE_LAUNCHING';

export interface LifecycleHookOptions {
  name: string;
  transition?: LifecycleTransition;
  heartbeatTimeout?: number;
  defaultResult?: 'CONTINUE' | 'ABANDON';
  notificationMetadata?: string;
}

export interface LifecycleActionRecord {
  token: string;
  asgName: string;
  hookName: string;
  instanceId: string;
  transition: LifecycleTransition;
  startedAt: number;
  /** Current deadline: start (or last heartbeat) + HeartbeatTimeout, capped by the global timeout. */
  timeoutAt: number;
  globalTimeoutAt: number;
  heartbeats: number[];
  result?: 'CONTINUE' | 'ABANDON';
  completedAt?: number;
  /** True when the default result was applied because nobody completed the action in time. */
  timedOut?: boolean;
}

export type LifecycleTerminateDetail = {
  LifecycleActionToken: string;
  AutoScalingGroupName: string;
  LifecycleHookName: string;
  EC2InstanceId: string;
  LifecycleTransition: LifecycleTransition;
  NotificationMetadata?: string;
  Origin: 'AutoScalingGroup';
  Destination: 'EC2';
};

export interface GroupRecord {
  name: string;
  arn: string;
  min: number;
  max: number;
  desired: number;
  instances: Map<string, { lifecycleState: string; protectedFromScaleIn?: boolean }>;
  hooks: Array<Required<Omit<LifecycleHookOptions, 'notificationMetadata'>> & { notificationMetadata?: string }>;
  launch?: { instanceType?: string; ecs?: EcsJoin };
  createdAt: number;
  /** A mixed instances policy's overrides, in priority order (sim/autoscaling-capacity.ts). */
  overrides?: AsgOverride[];
  tags: Array<{ key: string; value: string; propagateAtLaunch: boolean }>;
  newInstancesProtectedFromScaleIn: boolean;
  /** How long a launched instance stays `Pending` before `InService` (0: at once). */
  pendingMs: number;
  /** When the group tries again after a failed launch, if it is waiting to. */
  retryLaunchAt?: number;
  capacityRebalance?: boolean;
  /** A warm pool beside the group (sim/autoscaling-warm-pool.ts). */
  warmPool?: WarmPoolRecord;
}

/** GlobalTimeout: "the maximum time … is 48 hours or 100 times HeartbeatTimeout, whichever is smaller" (sim/limits.ts). */
export const MAX_GLOBAL_TIMEOUT_SECONDS = ASG_MAX_GLOBAL_TIMEOUT_SECONDS;
const noAction = (what: string) => simError('ValidationError', `No active Lifecycle Action found with ${what}`);

export function groupOf(groups: Map<string, GroupRecord>, name: string | undefined): GroupRecord {
  const g = groups.get(name ?? '');
  if (!g) throw simError('ValidationError', `Group ${name} not found`);
  return g;
}

/**
 * Lifecycle actions of terminating hooks: the EventBridge notice, heartbeats, completion,
 * and the timeout that applies the hook's default result.
 */
export class LifecycleActions {
  private readonly actions = new Map<string, LifecycleActionRecord>();
  private readonly emitted: Array<EventBridgeEvent<unknown>> = [];

  constructor(
    private readonly account: SimulatedAccount,
    private readonly groups: Map<string, GroupRecord>,
  ) {}

  operations(): OperationTable {
    return {
      RecordLifecycleActionHeartbeat: (input: RecordLifecycleActionHeartbeatCommandInput) => {
        const action = this.activeAction(input);
        const now = this.account.clock.now();
        const hook = groupOf(this.groups, action.asgName).hooks.find((h) => h.name === action.hookName)!;
        action.heartbeats.push(now);
        action.timeoutAt = Math.min(now + hook.heartbeatTimeout * 1000, action.globalTimeoutAt);
        return {};
      },
      CompleteLifecycleAction: (input: CompleteLifecycleActionCommandInput) => {
        const result = input.LifecycleActionResult;
        if (result !== 'CONTINUE' && result !== 'ABANDON')
          throw simError('ValidationError', 'LifecycleActionResult must be CONTINUE or ABANDON');
        this.finish(this.activeAction(input), result, false);
        return {};
      },
    };
  }

  get(token: string): LifecycleActionRecord | undefined {
    return this.actions.get(token);
  }

  all(): LifecycleActionRecord[] {
    return [...this.actions.values()];
  }

  events(): Array<EventBridgeEvent<unknown>> {
    return [...this.emitted];
  }

  /** Start terminating an instance of the group: through its terminating hook if it has one. */
  start(g: GroupRecord, instanceId: string, at: number): EventBridgeEvent<LifecycleTerminateDetail> | undefined {
    const state = g.instances.get(instanceId);
    if (!state || state.lifecycleState.startsWith('Terminating')) return undefined;
    const hook = g.hooks.find((h) => h.transition === 'autoscaling:EC2_INSTANCE_TERMINATING');
    if (!hook) {
      state.lifecycleState = 'Terminating:Proceed';
      this.account.ec2.terminate(instanceId, 'autoscaling');
      return undefined;
    }
    state.lifecycleState = 'Terminating:Wait';
    const globalTimeoutAt = at + Math.min(MAX_GLOBAL_TIMEOUT_SECONDS, 100 * hook.heartbeatTimeout) * 1000;
    const action: LifecycleActionRecord = {
      token: uuid(this.account),
      asgName: g.name,
      hookName: hook.name,
      instanceId,
      transition: hook.transition,
      startedAt: at,
      timeoutAt: at + hook.heartbeatTimeout * 1000,
      globalTimeoutAt,
      heartbeats: [],
    };
    this.actions.set(action.token, action);
    this.armTimeout(action);
    const event: EventBridgeEvent<LifecycleTerminateDetail> = {
      version: '0',
      id: uuid(this.account),
      'detail-type': 'EC2 Instance-terminate Lifecycle Action',
      source: 'aws.autoscaling',
      account: this.account.accountId,
      time: eventTime(at),
      region: this.account.region,
      resources: [g.arn],
      detail: {
        LifecycleActionToken: action.token,
        AutoScalingGroupName: g.name,
        LifecycleHookName: hook.name,
        EC2InstanceId: instanceId,
        LifecycleTransition: hook.transition,
        ...(hook.notificationMetadata !== undefined ? { NotificationMetadata: hook.notificationMetadata } : {}),
        Origin: 'AutoScalingGroup',
        Destination: 'EC2',
      },
    };
    this.emitted.push(event);
    return event;
  }

  /** At the deadline, apply the default result — unless a heartbeat moved the deadline on. */
  private armTimeout(action: LifecycleActionRecord): void {
    this.account.at(action.timeoutAt, () => {
      if (action.completedAt !== undefined) return;
      if (this.account.clock.now() < action.timeoutAt) return this.armTimeout(action);
      const hook = this.groups.get(action.asgName)?.hooks.find((h) => h.name === action.hookName);
      this.finish(action, hook?.defaultResult ?? 'ABANDON', true, action.timeoutAt);
    });
  }

  /** For a terminating hook both results end in termination (ABANDON skips the other hooks). */
  private finish(action: LifecycleActionRecord, result: 'CONTINUE' | 'ABANDON', timedOut: boolean, at = this.account.clock.now()): void {
    action.result = result;
    action.completedAt = at;
    action.timedOut = timedOut;
    const state = this.groups.get(action.asgName)?.instances.get(action.instanceId);
    if (state) state.lifecycleState = 'Terminating:Proceed';
    if (action.transition === 'autoscaling:EC2_INSTANCE_TERMINATING') this.account.ec2.terminate(action.instanceId, 'autoscaling');
  }

  private activeAction(input: {
    AutoScalingGroupName?: string;
    LifecycleHookName?: string;
    LifecycleActionToken?: string;
    InstanceId?: string;
  }): LifecycleActionRecord {
    groupOf(this.groups, input.AutoScalingGroupName);
    if (input.LifecycleActionToken) {
      const a = this.actions.get(input.LifecycleActionToken);
      if (!a || a.completedAt !== undefined || a.asgName !== input.AutoScalingGroupName || a.hookName !== input.LifecycleHookName) {
        throw noAction(`token ${input.LifecycleActionToken}`);
      }
      return a;
    }
    if (input.InstanceId) {
      const a = [...this.actions.values()].find(
        (x) =>
          x.instanceId === input.InstanceId &&
          x.asgName === input.AutoScalingGroupName &&
          x.hookName === input.LifecycleHookName &&
          x.completedAt === undefined,
      );
      if (!a) throw noAction(`instance ID ${input.InstanceId}`);
      return a;
    }
    throw simError('ValidationError', 'Either LifecycleActionToken or InstanceId must be specified.');
  }
}
