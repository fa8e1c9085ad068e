import type {
  DescribeAutoScalingGroupsCommandInput,
  DescribeLifecycleHooksCommandInput,
  SetDesiredCapacityCommandInput,
  TerminateInstanceInAutoScalingGroupCommandInput,
} from '@aws-sdk/client-auto-scaling';
import type { OperationTable, SimService, SimulatedAccount } from './account';
import { GroupCapacity, type ActivityRecord, type AsgOverride } from './autoscaling-capacity';
import { WarmPools } from './autoscaling-warm-pool';
import { GroupDetach } from './autoscaling-detach';
import { describedGroup } from './autoscaling-shapes';
import { GroupTags } from './autoscaling-tags';
import {
  groupOf,
  LifecycleActions,
  MAX_GLOBAL_TIMEOUT_SECONDS,
  type GroupRecord,
  type LifecycleActionRecord,
  type LifecycleHookOptions,
  type LifecycleTerminateDetail,
} from './autoscaling-lifecycle';
import type { EcsJoin } from './ec2';
import { simError } from './errors';
import { ASG_DESCRIBE_MAX_RECORDS, ASG_HEARTBEAT_TIMEOUT } from './limits';
import { eventTime, page, uuid, type EventBridgeEvent } from './util';

export type { ActivityRecord, AsgOverride } from './autoscaling-capacity';
export type { LifecycleActionRecord, LifecycleHookOptions, LifecycleTerminateDetail, LifecycleTransition } from './autoscaling-lifecycle';

/** Auto Scaling groups of on-demand instances with lifecycle hooks (terminating, in simulated time). */
export class SimAutoScaling implements SimService {
  private readonly groups = new Map<string, GroupRecord>();
  private readonly lifecycle: LifecycleActions;
  /** Weighted desired capacity, scale-in protection, tags and scaling activities (sim/autoscaling-capacity.ts). */
  private readonly capacity: GroupCapacity;
  /** Warm pools: seed one with `warmPools.put(name, …)` (sim/autoscaling-warm-pool.ts). */
  readonly warmPools: WarmPools;

  constructor(readonly account: SimulatedAccount) {
    this.lifecycle = new LifecycleActions(account, this.groups);
    this.capacity = new GroupCapacity(account, this.groups, this.lifecycle);
    this.capacity.warm = this.warmPools = new WarmPools(account, this.groups);
  }

  operations(): OperationTable {
    return {
      ...this.lifecycle.operations(),
      ...this.capacity.operations(),
      ...this.warmPools.operations(),
      ...new GroupTags(this.groups).operations(),
      ...new GroupDetach(this.account, this.groups, this.capacity).operations(),
      DescribeAutoScalingGroups: (input: DescribeAutoScalingGroupsCommandInput) => {
        const names = input.AutoScalingGroupNames ?? [];
        const groups = [...this.groups.values()]
          .filter((g) => names.length === 0 || names.includes(g.name))
          .filter((g) => (input.Filters ?? []).every((f) => GroupTags.groupMatches(g, f)));
        const size = input.MaxRecords ?? 50;
        if (size < 1 || size > ASG_DESCRIBE_MAX_RECORDS)
          throw simError('ValidationError', `MaxRecords must be between 1 and ${ASG_DESCRIBE_MAX_RECORDS}`);
        const { items, nextToken } = page(groups, input.NextToken, size, () => simError('InvalidNextToken', 'The token is invalid.'));
        return {
          AutoScalingGroups: items.map((g) =>
            describedGroup(g, {
              instance: (id) => this.account.ec2.instance(id),
              weightOf: (id) => this.capacity.weightOf(g, id),
              warmPool: () => this.warmPools.groupFields(g),
            }),
          ),
          NextToken: nextToken,
        };
      },
      DescribeLifecycleHooks: (input: DescribeLifecycleHooksCommandInput) => {
        const g = this.group(input.AutoScalingGroupName);
        const wanted = input.LifecycleHookNames ?? [];
        return {
          LifecycleHooks: g.hooks
            .filter((h) => wanted.length === 0 || wanted.includes(h.name))
            .map((h) => ({
              LifecycleHookName: h.name,
              AutoScalingGroupName: g.name,
              LifecycleTransition: h.transition,
              HeartbeatTimeout: h.heartbeatTimeout,
              GlobalTimeout: Math.min(MAX_GLOBAL_TIMEOUT_SECONDS, 100 * h.heartbeatTimeout),
              DefaultResult: h.defaultResult,
              ...(h.notificationMetadata !== undefined ? { NotificationMetadata: h.notificationMetadata } : {}),
            })),
        };
      },
      SetDesiredCapacity: (input: SetDesiredCapacityCommandInput) => {
        const g = this.group(input.AutoScalingGroupName);
        const n = input.DesiredCapacity ?? g.desired;
        if (n > g.max)
          throw simError('ValidationError', `New SetDesiredCapacity value ${n} is above max value ${g.max} for the AutoScalingGroup.`);
        if (n < g.min)
          throw simError('ValidationError', `New SetDesiredCapacity value ${n} is below min value ${g.min} for the AutoScalingGroup.`);
        g.desired = n;
        this.capacity.reconcile(g);
        return {};
      },
      TerminateInstanceInAutoScalingGroup: (input: TerminateInstanceInAutoScalingGroupCommandInput) => {
        const id = input.InstanceId ?? '';
        const g = [...this.groups.values()].find((x) => x.instances.has(id));
        if (!g) throw simError('ValidationError', `Instance Id not found - No managed instance found for instance ID: ${id}`);
        // With weights, the group shrinks by the instance's units (assumed: the API reference speaks of instances).
        const weight = this.capacity.weightOf(g, id);
        if (input.ShouldDecrementDesiredCapacity) {
          if (g.desired - weight < g.min) {
            throw simError(
              'ValidationError',
              `Currently, desiredSize equals minSize (${g.min}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
            );
          }
          g.desired -= weight;
        }
        const startedAt = this.account.clock.now();
        const cause = input.ShouldDecrementDesiredCapacity ? 'shrinking the capacity from' : 'keeping the capacity at';
        const activity = this.capacity.recordTermination(
          g,
          id,
          `At ${eventTime(startedAt)} instance ${id} was taken out of service in response to a user request, ${cause} ${g.desired}.`,
        );
        this.lifecycle.start(g, id, startedAt);
        this.capacity.reconcile(g);
        return {
          Activity: {
            ActivityId: activity.id,
            AutoScalingGroupName: g.name,
            Description: `Terminating EC2 instance: ${id}`,
            Cause: `At ${eventTime(startedAt)} instance ${id} was taken out of service in response to a user request, ${cause} ${g.desired}.`,
            StartTime: new Date(startedAt),
            StatusCode: 'InProgress',
            Progress: 0,
          },
        };
      },
    };
  }

  // ---- seeding and observing --------------------------------------------------------

  createGroup(options: {
    name: string;
    min: number;
    max: number;
    desired: number;
    instanceIds: string[];
    lifecycleHooks?: LifecycleHookOptions[];
    /** What the group launches to reach its desired capacity; without it, it launches nothing. */
    launch?: { instanceType?: string; ecs?: EcsJoin };
    /** A mixed instances policy: overrides in priority order, with weights (desired/min/max are then in units). */
    mixedInstances?: AsgOverride[];
    tags?: Array<{ key: string; value: string; propagateAtLaunch?: boolean }>;
    newInstancesProtectedFromScaleIn?: boolean;
    /**
     * How long an instance the group launches stays `Pending` before it is `InService` (default
     * 0: at once). AWS gives no fixed figure (boot, then health checks and any launching hook):
     * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-lifecycle.html
     */
    launchPendingMs?: number;
    /** Capacity Rebalancing: the group launches a replacement for a Spot instance at elevated risk on its own. */
    capacityRebalance?: boolean;
  }): string {
    const arn = this.account.arn('autoscaling', `autoScalingGroup:${uuid(this.account)}:autoScalingGroupName/${options.name}`);
    const g: GroupRecord = {
      name: options.name,
      arn,
      min: options.min,
      max: options.max,
      desired: options.desired,
      instances: new Map(),
      hooks: (options.lifecycleHooks ?? []).map((h) => ({
        name: h.name,
        transition: h.transition ?? 'autoscaling:EC2_INSTANCE_TERMINATING',
        heartbeatTimeout: checkHeartbeatTimeout(h.heartbeatTimeout ?? ASG_HEARTBEAT_TIMEOUT.default),
        defaultResult: h.defaultResult ?? 'ABANDON',
        notificationMetadata: h.notificationMetadata,
      })),
      launch: options.launch,
      createdAt: this.account.clock.now(),
      overrides: options.mixedInstances,
      tags: (options.tags ?? []).map((t) => ({ ...t, propagateAtLaunch: t.propagateAtLaunch ?? false })),
      newInstancesProtectedFromScaleIn: options.newInstancesProtectedFromScaleIn ?? false,
      pendingMs: options.launchPendingMs ?? 0,
      capacityRebalance: options.capacityRebalance ?? false,
    };
    for (const id of options.instanceIds) {
      const inst = this.account.ec2.instance(id);
      if (!inst) throw new Error(`createGroup: unknown instance ${id}`);
      inst.tags['aws:autoscaling:groupName'] = options.name;
      g.instances.set(id, { lifecycleState: 'InService', protectedFromScaleIn: g.newInstancesProtectedFromScaleIn });
    }
    this.groups.set(options.name, g);
    return arn;
  }

  /**
   * The group decides to terminate an instance (at `at`, default now): with a terminating
   * hook, the action waits (Terminating:Wait) until completed or timed out. Answers the
   * EventBridge event `EC2 Instance-terminate Lifecycle Action` exactly as AWS sends it.
   */
  beginTermination(
    asgName: string,
    instanceId: string,
    options: { at?: number; decrementDesired?: boolean } = {},
  ): EventBridgeEvent<LifecycleTerminateDetail> {
    const g = this.group(asgName);
    if (!g.instances.has(instanceId)) throw new Error(`beginTermination: ${instanceId} is not in ${asgName}`);
    if (!g.hooks.some((h) => h.transition === 'autoscaling:EC2_INSTANCE_TERMINATING'))
      throw new Error(`beginTermination: ${asgName} has no terminating hook`);
    if (options.decrementDesired) g.desired = Math.max(0, g.desired - 1);
    return this.lifecycle.start(g, instanceId, options.at ?? this.account.clock.now())!;
  }

  lifecycleAction(token: string): LifecycleActionRecord | undefined {
    const a = this.lifecycle.get(token);
    return a && structuredClone(a);
  }

  lifecycleActions(): LifecycleActionRecord[] {
    return this.lifecycle.all().map((a) => structuredClone(a));
  }

  /** The group's scaling activities, oldest first (DescribeScalingActivities answers them newest first). */
  activities(asgName: string): ActivityRecord[] {
    return this.capacity.all(asgName);
  }

  events(): Array<EventBridgeEvent<unknown>> {
    return this.lifecycle.events();
  }

  groupState(name: string): {
    desired: number;
    min: number;
    max: number;
    /** In-service units (instances not terminating, each at its weight). */
    capacity: number;
    instances: Array<{ instanceId: string; lifecycleState: string; protectedFromScaleIn?: boolean }>;
  } {
    const g = this.group(name);
    const instances = [...g.instances].map(([instanceId, s]) => ({ instanceId, ...s }));
    return { desired: g.desired, min: g.min, max: g.max, capacity: this.capacity.capacity(g), instances };
  }

  /** EC2 terminated the instance (for whatever reason): it leaves its group, which may replace it. */
  instanceGone(instanceId: string): void {
    this.capacity.instanceGone(instanceId);
    for (const g of this.groups.values()) {
      if (!g.instances.delete(instanceId)) continue;
      this.capacity.reconcile(g);
    }
  }

  // ---- internals ----------------------------------------------------------------------------

  private group(name: string | undefined): GroupRecord {
    return groupOf(this.groups, name);
  }
}

/** Seeding a hook PutLifecycleHook would refuse is a mistake in the test, not a scenario. */
function checkHeartbeatTimeout(seconds: number): number {
  const { min, max } = ASG_HEARTBEAT_TIMEOUT;
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
    throw new Error(`createGroup: HeartbeatTimeout ${seconds} is outside ${min}..${max} seconds (PutLifecycleHook)`);
  }
  return seconds;
}
