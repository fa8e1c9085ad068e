import type { DescribeScalingActivitiesCommandInput, SetInstanceProtectionCommandInput } from '@aws-sdk/client-auto-scaling';
import type { OperationTable, SimulatedAccount } from './account';
import { groupOf, type GroupRecord, type LifecycleActions } from './autoscaling-lifecycle';
import type { WarmPools } from './autoscaling-warm-pool';
import { simError } from './errors';
import { ASG_SET_INSTANCE_PROTECTION_MAX, validationText } from './limits';
import { eventTime, page, uuid } from './util';

/**
 * An override of a mixed instances policy. "When a Spot or On-Demand Instance is launched, the
 * capacity units count toward the desired capacity. Amazon EC2 Auto Scaling launches instances
 * until the desired capacity is totally fulfilled, even if this results in an overage."
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_LaunchTemplateOverrides.html
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-instance-weighting.html
 */
export interface AsgOverride {
  instanceType: string;
  /** Capacity units (1–999; default 1). The API carries it as a string. */
  weightedCapacity?: number;
  /** What ECS registers for this type (default: the group's launch.ecs cpu/memory). */
  cpu?: number;
  memory?: number;
}

/** A scaling activity, as DescribeScalingActivities answers it. */
export interface ActivityRecord {
  id: string;
  asgName: string;
  instanceId?: string;
  description: string;
  cause: string;
  startTime: number;
  endTime?: number;
  statusCode: 'InProgress' | 'Successful' | 'Failed';
  statusMessage?: string;
  details: string;
}

/**
 * Assumed: AWS publishes no retry interval for a group whose launch failed (it retries with a
 * growing back-off); the simulator tries again every 30 s while the group is short.
 */
const LAUNCH_RETRY_MS = 30_000;

/**
 * Desired capacity in units, instance scale-in protection, group tags and scaling activities.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-instance-protection.html
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeScalingActivities.html
 */
export class GroupCapacity {
  private readonly activities: ActivityRecord[] = [];
  /** Warm pools (sim/autoscaling-warm-pool.ts): a scale-out draws from a group's pool before it launches cold. */
  warm?: WarmPools;

  constructor(
    private readonly account: SimulatedAccount,
    private readonly groups: Map<string, GroupRecord>,
    private readonly lifecycle: LifecycleActions,
  ) {}

  operations(): OperationTable {
    return {
      // https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_SetInstanceProtection.html: "You can specify up to 50 instances."
      SetInstanceProtection: (input: SetInstanceProtectionCommandInput) => {
        const g = groupOf(this.groups, input.AutoScalingGroupName);
        const ids = input.InstanceIds ?? [];
        if (ids.length > ASG_SET_INSTANCE_PROTECTION_MAX)
          throw simError('ValidationError', validationText.tooLong('instanceIds', ASG_SET_INSTANCE_PROTECTION_MAX, ids.length));
        for (const id of ids) {
          // Assumed wording (observed: "The instance i-… is not part of Auto Scaling group …").
          if (!g.instances.has(id)) throw simError('ValidationError', `The instance ${id} is not part of Auto Scaling group ${g.name}.`);
        }
        for (const id of ids) g.instances.get(id)!.protectedFromScaleIn = input.ProtectedFromScaleIn === true;
        return {};
      },
      // "Activities are sorted by start time. Activities still in progress are described first." MaxRecords: default 100, maximum 100.
      DescribeScalingActivities: (input: DescribeScalingActivitiesCommandInput) => {
        if (input.AutoScalingGroupName !== undefined) groupOf(this.groups, input.AutoScalingGroupName);
        const wanted = input.ActivityIds ?? [];
        const matching = [...this.activities]
          .reverse() // newest first among equal start times
          .filter((a) => input.AutoScalingGroupName === undefined || a.asgName === input.AutoScalingGroupName)
          .filter((a) => wanted.length === 0 || wanted.includes(a.id))
          .sort((a, b) => Number(b.statusCode === 'InProgress') - Number(a.statusCode === 'InProgress') || b.startTime - a.startTime);
        const size = input.MaxRecords ?? 100;
        if (size < 1 || size > 100) throw simError('ValidationError', validationText.tooLarge('maxRecords', size, 100));
        const { items, nextToken } = page(matching, input.NextToken, size, badToken);
        return { Activities: items.map(toActivity), NextToken: nextToken };
      },
    };
  }

  weightOf(g: GroupRecord, instanceId: string): number {
    const type = this.account.ec2.instance(instanceId)?.instanceType;
    return g.overrides?.find((o) => o.instanceType === type)?.weightedCapacity ?? 1;
  }

  /** Units of the instances not terminating (what counts towards desired capacity). */
  inService(g: GroupRecord): string[] {
    return [...g.instances].filter(([, s]) => !s.lifecycleState.startsWith('Terminating')).map(([id]) => id);
  }

  capacity(g: GroupRecord): number {
    return this.inService(g).reduce((sum, id) => sum + this.weightOf(g, id), 0);
  }

  /**
   * Launch until the in-service units reach desired (the last launch may overshoot by less than
   * one weight), or start terminating the oldest unprotected instances while what stays still
   * covers desired: "instance scale-in protection … prevents the instance from being terminated
   * during scale in" (it does not stop TerminateInstanceInAutoScalingGroup or EC2 terminations).
   */
  reconcile(g: GroupRecord): void {
    const now = this.account.clock.now();
    if (this.capacity(g) < g.desired && g.launch) {
      while (this.capacity(g) < g.desired) if (!this.startWarm(g, now) && !this.launchOne(g, now)) return this.retryLater(g);
    } else if (this.capacity(g) > g.desired) {
      for (const id of this.inService(g)) {
        const state = g.instances.get(id); // an earlier termination may have removed or moved it
        if (!state || state.lifecycleState.startsWith('Terminating') || state.protectedFromScaleIn) continue;
        const from = this.capacity(g);
        if (from - this.weightOf(g, id) < g.desired) continue;
        this.record(g, id, {
          description: `Terminating EC2 instance: ${id}`,
          cause: `At ${eventTime(now)} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from ${from} to ${from - this.weightOf(g, id)}.`,
          statusCode: 'InProgress',
        });
        this.lifecycle.start(g, id, now);
      }
    }
    this.warm?.fill(g);
  }

  /** A warm start: an instance from the group's warm pool, recorded as a launch from it (description assumed). */
  private startWarm(g: GroupRecord, now: number): boolean {
    const from = this.capacity(g);
    const id = this.warm?.draw(g);
    if (!id) return false;
    this.record(g, id, {
      description: `Launching a new EC2 instance from warm pool: ${id}`,
      cause: `At ${eventTime(now)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${from} to ${this.capacity(g)}.`,
      statusCode: 'Successful',
      endTime: now,
    });
    return true;
  }

  /** A termination the group started (or a user asked for) is recorded as an activity. */
  recordTermination(g: GroupRecord, instanceId: string, cause: string): ActivityRecord {
    return this.record(g, instanceId, { description: `Terminating EC2 instance: ${instanceId}`, cause, statusCode: 'InProgress' });
  }

  /** A detach or attach (done at once in the simulator) recorded as the Successful activity AWS lists for it. */
  recordMembership(g: GroupRecord, instanceId: string, description: string, cause: string): ActivityRecord {
    return this.record(g, instanceId, { description, cause, statusCode: 'Successful', endTime: this.account.clock.now() });
  }

  /** EC2 terminated the instance: its terminating activity is done. */
  instanceGone(instanceId: string): void {
    for (const a of this.activities) {
      if (a.instanceId !== instanceId || a.statusCode !== 'InProgress') continue;
      a.statusCode = 'Successful';
      a.endTime = this.account.clock.now();
    }
  }

  all(asgName?: string): ActivityRecord[] {
    return this.activities.filter((a) => !asgName || a.asgName === asgName).map((a) => ({ ...a }));
  }

  /** One launch, of the first override with capacity (prioritized); false (and a Failed activity) when none has. */
  private launchOne(g: GroupRecord, now: number): boolean {
    const from = this.capacity(g);
    const types = g.overrides ?? [{ instanceType: g.launch!.instanceType ?? 'm5.large' }];
    const type = types.find((t) => this.account.ec2.capacity.available(t.instanceType));
    const az = `${this.account.region}a`;
    const cause = (to: number) =>
      `At ${eventTime(now)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${from} to ${to}.`;
    if (!type) {
      // As AWS records it (observed, kubernetes/autoscaler#1263, aws/aws-parallelcluster#1944): the EC2 error's
      // message, then "Launching EC2 instance failed.".
      const reason = `${this.account.ec2.capacity.insufficient(types[0]!.instanceType, az).message} Launching EC2 instance failed.`;
      this.record(g, undefined, {
        description: `Launching a new EC2 instance.  Status Reason: ${reason}`,
        cause: cause(Math.min(g.desired, from + (types[0]!.weightedCapacity ?? 1))),
        statusCode: 'Failed',
        statusMessage: reason,
        endTime: now,
        az,
      });
      return false;
    }
    const join = g.launch!.ecs;
    const { instanceId } = this.account.ec2.launchInstance({
      lifecycle: 'on-demand',
      asgName: g.name,
      instanceType: type.instanceType,
      az,
      tags: Object.fromEntries(g.tags.filter((t) => t.propagateAtLaunch).map((t) => [t.key, t.value])),
      ...(join ? { ecs: { ...join, cpu: type.cpu ?? join.cpu, memory: type.memory ?? join.memory } } : {}),
    });
    const state = { lifecycleState: g.pendingMs > 0 ? 'Pending' : 'InService', protectedFromScaleIn: g.newInstancesProtectedFromScaleIn };
    g.instances.set(instanceId, state);
    if (g.pendingMs > 0) {
      this.account.at(now + g.pendingMs, () => {
        if (state.lifecycleState === 'Pending') state.lifecycleState = 'InService';
      });
    }
    const w = type.weightedCapacity ?? 1;
    this.record(g, instanceId, {
      description: `Launching a new EC2 instance: ${instanceId}`,
      cause: cause(from + w),
      statusCode: 'Successful',
      endTime: now,
      az,
    });
    return true;
  }

  private retryLater(g: GroupRecord): void {
    if (g.retryLaunchAt !== undefined) return;
    g.retryLaunchAt = this.account.clock.now() + LAUNCH_RETRY_MS;
    this.account.at(g.retryLaunchAt, () => {
      g.retryLaunchAt = undefined;
      if (this.groups.get(g.name) === g) this.reconcile(g);
    });
  }

  private record(
    g: GroupRecord,
    instanceId: string | undefined,
    a: Pick<ActivityRecord, 'description' | 'cause' | 'statusCode' | 'statusMessage' | 'endTime'> & { az?: string },
  ): ActivityRecord {
    const az = a.az ?? (instanceId ? this.account.ec2.instance(instanceId)?.az : undefined) ?? `${this.account.region}a`;
    const { az: _az, ...rest } = a;
    const record: ActivityRecord = {
      id: uuid(this.account),
      asgName: g.name,
      instanceId,
      startTime: this.account.clock.now(),
      details: JSON.stringify({ 'Subnet ID': this.account.ec2.subnetFor(az), 'Availability Zone': az }),
      ...rest,
    };
    this.activities.push(record);
    return record;
  }
}

const badToken = () => simError('InvalidNextToken', 'The token is invalid.');

function toActivity(a: ActivityRecord) {
  return {
    ActivityId: a.id,
    AutoScalingGroupName: a.asgName,
    Description: a.description,
    Cause: a.cause,
    StartTime: new Date(a.startTime),
    ...(a.endTime !== undefined ? { EndTime: new Date(a.endTime) } : {}),
    StatusCode: a.statusCode,
    ...(a.statusMessage !== undefined ? { StatusMessage: a.statusMessage } : {}),
    Progress: a.statusCode === 'InProgress' ? 0 : 100,
    Details: a.details,
  };
}
