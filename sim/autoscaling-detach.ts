import type {
  AttachInstancesCommandInput,
  DescribeAutoScalingInstancesCommandInput,
  DetachInstancesCommandInput,
} from '@aws-sdk/client-auto-scaling';
import type { OperationTable, SimulatedAccount } from './account';
import type { GroupCapacity } from './autoscaling-capacity';
import { groupOf, type GroupRecord } from './autoscaling-lifecycle';
import { simError } from './errors';
import { ASG_ATTACH_INSTANCES_MAX, ASG_DESCRIBE_INSTANCES_MAX, ASG_DETACH_INSTANCES_MAX } from './limits';
import { eventTime } from './util';

/**
 * DetachInstances, AttachInstances and DescribeAutoScalingInstances.
 * "When you detach instances, you have the option of decrementing the desired capacity for the
 * Auto Scaling group. If you do not choose to decrement the capacity, Amazon EC2 Auto Scaling
 * launches new instances to replace the ones that you detach." The detached instance keeps
 * running outside the group. (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DetachInstances.html)
 * "When you attach instances, Amazon EC2 Auto Scaling increases the desired capacity of the group by
 * the number of instances being attached. If the number of instances being attached plus the desired
 * capacity of the group exceeds the maximum size of the group, the operation fails."
 * (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_AttachInstances.html). Both are
 * listed by DescribeScalingActivities, as the console shows them ("Detaching EC2 instance: i-…",
 * "Attaching an existing EC2 instance: i-…").
 */
export class GroupDetach {
  constructor(
    private readonly account: SimulatedAccount,
    private readonly groups: Map<string, GroupRecord>,
    private readonly capacity: GroupCapacity,
  ) {}

  operations(): OperationTable {
    return {
      DetachInstances: (input: DetachInstancesCommandInput) => {
        const g = groupOf(this.groups, input.AutoScalingGroupName);
        const ids = input.InstanceIds ?? [];
        if (ids.length > ASG_DETACH_INSTANCES_MAX)
          throw simError('ValidationError', `The number of instances to detach must not exceed ${ASG_DETACH_INSTANCES_MAX}.`);
        if (input.ShouldDecrementDesiredCapacity === undefined)
          throw simError('ValidationError', 'ShouldDecrementDesiredCapacity is required.');
        for (const id of ids) {
          const s = g.instances.get(id);
          // Only InService or Standby instances can be detached (the error wording is assumed).
          if (!s) throw simError('ValidationError', `The instance ${id} is not part of Auto Scaling group ${g.name}.`);
          if (s.lifecycleState !== 'InService' && s.lifecycleState !== 'Standby')
            throw simError('ValidationError', `The instance ${id} is not in InService or Standby.`);
        }
        const units = ids.reduce((n, id) => n + this.capacity.weightOf(g, id), 0);
        if (input.ShouldDecrementDesiredCapacity && g.desired - units < g.min)
          throw simError('ValidationError', `Detaching with a decrement would take desired capacity below min size ${g.min}.`);
        const now = this.account.clock.now();
        const activities = ids.map((id) => {
          g.instances.delete(id);
          const inst = this.account.ec2.instance(id);
          if (inst) delete inst.tags['aws:autoscaling:groupName'];
          const cause = `At ${eventTime(now)} instance ${id} was detached in response to a user request${input.ShouldDecrementDesiredCapacity ? ', shrinking the capacity' : ''}.`;
          const a = this.capacity.recordMembership(g, id, `Detaching EC2 instance: ${id}`, cause);
          return {
            ActivityId: a.id,
            AutoScalingGroupName: g.name,
            Description: a.description,
            Cause: cause,
            StartTime: new Date(now),
            StatusCode: 'InProgress' as const,
            Progress: 50,
          };
        });
        if (input.ShouldDecrementDesiredCapacity) g.desired -= units;
        this.capacity.reconcile(g);
        return { Activities: activities };
      },
      AttachInstances: (input: AttachInstancesCommandInput) => {
        const g = groupOf(this.groups, input.AutoScalingGroupName);
        const ids = input.InstanceIds ?? [];
        if (ids.length > ASG_ATTACH_INSTANCES_MAX)
          throw simError('ValidationError', `The number of instances to attach must not exceed ${ASG_ATTACH_INSTANCES_MAX}.`);
        for (const id of ids) {
          const inst = this.account.ec2.instance(id);
          // "The instance must be in the running state" and "must not be a member of another Auto Scaling group"
          // (Attach EC2 instances to your Auto Scaling group, User Guide); the error wordings are assumed.
          if (!inst) throw simError('ValidationError', `Instance Id not found - No managed instance found for instance ID: ${id}`);
          if (inst.state !== 'running') throw simError('ValidationError', `Instance ${id} is not in a running state.`);
          if ([...this.groups.values()].some((o) => o.instances.has(id)))
            throw simError('ValidationError', `The instance ${id} is already part of an Auto Scaling group.`);
        }
        const units = ids.reduce((n, id) => n + this.capacity.weightOf(g, id), 0);
        // The same text SetDesiredCapacity answers above max (assumed for AttachInstances).
        if (g.desired + units > g.max)
          throw simError(
            'ValidationError',
            `New SetDesiredCapacity value ${g.desired + units} is above max value ${g.max} for the AutoScalingGroup.`,
          );
        const now = this.account.clock.now();
        for (const id of ids) {
          g.instances.set(id, { lifecycleState: 'InService', protectedFromScaleIn: g.newInstancesProtectedFromScaleIn });
          this.account.ec2.instance(id)!.tags['aws:autoscaling:groupName'] = g.name;
          const cause = `At ${eventTime(now)} an instance was added in response to a user request. Keeping the capacity at the new ${g.desired + units}.`;
          this.capacity.recordMembership(g, id, `Attaching an existing EC2 instance: ${id}`, cause);
        }
        g.desired += units;
        this.capacity.reconcile(g);
        return {};
      },
      DescribeAutoScalingInstances: (input: DescribeAutoScalingInstancesCommandInput) => {
        const ids = input.InstanceIds ?? [];
        if (ids.length > ASG_DESCRIBE_INSTANCES_MAX)
          throw simError('ValidationError', `The number of instance ids must not exceed ${ASG_DESCRIBE_INSTANCES_MAX}.`);
        const out = [];
        for (const g of this.groups.values())
          for (const [id, s] of g.instances) {
            if (ids.length > 0 && !ids.includes(id)) continue;
            const inst = this.account.ec2.instance(id);
            out.push({
              InstanceId: id,
              InstanceType: inst?.instanceType,
              AutoScalingGroupName: g.name,
              AvailabilityZone: inst?.az,
              LifecycleState: s.lifecycleState,
              HealthStatus: 'HEALTHY',
              ProtectedFromScaleIn: s.protectedFromScaleIn === true,
              ...(g.overrides ? { WeightedCapacity: String(this.capacity.weightOf(g, id)) } : {}),
            });
          }
        return { AutoScalingInstances: out };
      },
    };
  }
}
