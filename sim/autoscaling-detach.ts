import type { DescribeAutoScalingInstancesCommandInput, DetachInstancesCommandInput } from '@aws-sdk/client-auto-scaling';
import type { OperationTable, SimulatedAccount } from './account';
import type { GroupCapacity } from './autoscaling-capacity';
import { groupOf, type GroupRecord } from './autoscaling-lifecycle';
import { simError } from './errors';
import { ASG_DESCRIBE_INSTANCES_MAX, ASG_DETACH_INSTANCES_MAX } from './limits';
import { eventTime, uuid } from './util';

/**
 * DetachInstances and DescribeAutoScalingInstances.
 * "When you detach instances, you have the option of decrementing the desired capacity for the
 * Auto Scaling group. If you do not choose to decrement the capacity, Amazon EC2 Auto Scaling
 * launches new instances to replace the ones that you detach." The detached instance keeps
 * running outside the group. (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DetachInstances.html)
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
          return {
            ActivityId: uuid(this.account),
            AutoScalingGroupName: g.name,
            Description: `Detaching EC2 instance: ${id}`,
            Cause: `At ${eventTime(now)} instance ${id} was detached in response to a user request${input.ShouldDecrementDesiredCapacity ? ', shrinking the capacity' : ''}.`,
            StartTime: new Date(now),
            StatusCode: 'InProgress' as const,
            Progress: 50,
          };
        });
        if (input.ShouldDecrementDesiredCapacity) g.desired -= units;
        this.capacity.reconcile(g);
        return { Activities: activities };
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
