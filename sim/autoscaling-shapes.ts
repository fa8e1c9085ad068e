import type { AsgOverride } from './autoscaling-capacity';
import type { GroupRecord } from './autoscaling-lifecycle';
import { describedTags } from './autoscaling-tags';
import type { InstanceRecord } from './ec2';

/** What describing a group reads from the rest of the account. */
export interface GroupReads {
  instance: (id: string) => Pick<InstanceRecord, 'instanceType' | 'az'> | undefined;
  /** The instance's weighted capacity in its group (1 without overrides). */
  weightOf: (id: string) => number;
  /** The warm pool's fields of the group, if it has one. */
  warmPool: () => object;
}

/** A group as DescribeAutoScalingGroups answers it. */
export function describedGroup(g: GroupRecord, read: GroupReads) {
  return {
    AutoScalingGroupName: g.name,
    AutoScalingGroupARN: g.arn,
    MinSize: g.min,
    MaxSize: g.max,
    DesiredCapacity: g.desired,
    ...(g.overrides ? { DesiredCapacityType: 'units', MixedInstancesPolicy: mixedInstancesPolicy(g.name, g.overrides) } : {}),
    DefaultCooldown: 300,
    AvailabilityZones: [...new Set([...g.instances.keys()].map((id) => read.instance(id)?.az ?? ''))],
    Instances: [...g.instances].map(([id, s]) => {
      const inst = read.instance(id);
      return {
        InstanceId: id,
        InstanceType: inst?.instanceType,
        AvailabilityZone: inst?.az,
        LifecycleState: s.lifecycleState,
        HealthStatus: 'Healthy',
        ProtectedFromScaleIn: s.protectedFromScaleIn === true,
        ...(g.overrides ? { WeightedCapacity: String(read.weightOf(id)) } : {}),
      };
    }),
    CreatedTime: new Date(g.createdAt),
    HealthCheckType: 'EC2',
    TerminationPolicies: ['Default'],
    NewInstancesProtectedFromScaleIn: g.newInstancesProtectedFromScaleIn,
    CapacityRebalance: g.capacityRebalance === true,
    ...read.warmPool(),
    Tags: describedTags(g),
  };
}

/** MixedInstancesPolicy as DescribeAutoScalingGroups answers it (WeightedCapacity is a string in this API). */
function mixedInstancesPolicy(name: string, overrides: AsgOverride[]) {
  return {
    LaunchTemplate: {
      LaunchTemplateSpecification: { LaunchTemplateName: `${name}-template`, Version: '$Default' },
      Overrides: overrides.map((o) => ({ InstanceType: o.instanceType, WeightedCapacity: String(o.weightedCapacity ?? 1) })),
    },
    InstancesDistribution: { OnDemandAllocationStrategy: 'prioritized', OnDemandBaseCapacity: 0, OnDemandPercentageAboveBaseCapacity: 100 },
  };
}
