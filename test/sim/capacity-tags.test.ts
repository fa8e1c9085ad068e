import { CreateOrUpdateTagsCommand, DescribeAutoScalingGroupsCommand, type Tag } from '@aws-sdk/client-auto-scaling';
import {
  CreateTagsCommand,
  DescribeFleetsCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeSpotFleetRequestsCommand,
} from '@aws-sdk/client-ec2';
import { SimulatedAccount } from '../../sim/account';
import { buildCapacityCluster } from '../../sim/builders';

const clients = (account: SimulatedAccount) => account.clients({ maxAttempts: 1 });

describe('simulated Auto Scaling CreateOrUpdateTags', () => {
  it('adds and overwrites group tags, seen by DescribeAutoScalingGroups and its tag filters', async () => {
    const account = new SimulatedAccount();
    const c = buildCapacityCluster(account, { backend: 'asg', tagged: false });
    const { autoscaling } = clients(account);
    const tag = (Key: string, Value: string) => ({
      ResourceId: c.backend.id,
      ResourceType: 'auto-scaling-group',
      Key,
      Value,
      PropagateAtLaunch: false,
    });
    await autoscaling.send(new CreateOrUpdateTagsCommand({ Tags: [tag('ecs-steady:cluster', 'web'), tag('team', 'a')] }));
    await autoscaling.send(new CreateOrUpdateTagsCommand({ Tags: [tag('team', 'b')] }));
    const byKey = await autoscaling.send(
      new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: 'tag-key', Values: ['ecs-steady:cluster'] }] }),
    );
    expect(byKey.AutoScalingGroups!.map((g) => g.AutoScalingGroupName)).toEqual([c.backend.id]);
    expect(byKey.AutoScalingGroups![0]!.Tags).toEqual([
      { ResourceId: c.backend.id, ResourceType: 'auto-scaling-group', Key: 'ecs-steady:cluster', Value: 'web', PropagateAtLaunch: false },
      { ResourceId: c.backend.id, ResourceType: 'auto-scaling-group', Key: 'team', Value: 'b', PropagateAtLaunch: false },
    ]);
    const byValue = await autoscaling.send(new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: 'tag:team', Values: ['a'] }] }));
    expect(byValue.AutoScalingGroups).toEqual([]);
  });

  it('refuses a tag without ResourceType, another resource type, an unknown group, and more than 50 tags, changing nothing', async () => {
    const account = new SimulatedAccount();
    const c = buildCapacityCluster(account, { backend: 'asg', tagged: false });
    const { autoscaling } = clients(account);
    const send = (Tags: Array<Partial<Tag> & { Key: string }>) => autoscaling.send(new CreateOrUpdateTagsCommand({ Tags: Tags as Tag[] }));
    await expect(send([{ ResourceId: c.backend.id, Key: 'k', Value: 'v', PropagateAtLaunch: true }])).rejects.toMatchObject({
      name: 'ValidationError',
      message: `Incomplete tags information for these tags. Tag - 'Key:k,PropagateAtLaunch:true,ResourceId:${c.backend.id},ResourceType:null' , `,
    });
    await expect(send([{ ResourceId: c.backend.id, ResourceType: 'instance', Key: 'k', Value: 'v' }])).rejects.toMatchObject({
      name: 'ValidationError',
    });
    await expect(
      send([
        { ResourceId: c.backend.id, ResourceType: 'auto-scaling-group', Key: 'ok', Value: 'v' },
        { ResourceId: 'nope', ResourceType: 'auto-scaling-group', Key: 'k', Value: 'v' },
      ]),
    ).rejects.toMatchObject({ name: 'ValidationError', message: 'AutoScalingGroup not found - AutoScaling Group nope not found' });
    const many = Array.from({ length: 51 }, (_, i) => ({
      ResourceId: c.backend.id,
      ResourceType: 'auto-scaling-group',
      Key: `k${i}`,
      Value: 'v',
    }));
    await expect(send(many)).rejects.toMatchObject({ name: 'LimitExceeded' });
    const out = await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [c.backend.id] }));
    expect(out.AutoScalingGroups![0]!.Tags).toEqual([]);
  });
});

describe('simulated EC2 CreateTags', () => {
  it('tags an EC2 Fleet, a Spot Fleet request and an instance in one call, seen by their Describe calls', async () => {
    const account = new SimulatedAccount();
    const fleet = buildCapacityCluster(account, { backend: 'ec2Fleet', cluster: 'a', tagged: false });
    const spot = buildCapacityCluster(account, { backend: 'spotFleet', cluster: 'b' });
    const instanceId = fleet.instances[0]!.instanceId;
    const { ec2 } = clients(account);
    await ec2.send(
      new CreateTagsCommand({
        Resources: [fleet.backend.id, spot.backend.id, instanceId],
        Tags: [{ Key: 'ecs-steady:cluster', Value: 'x' }],
      }),
    );
    const f = (await ec2.send(new DescribeFleetsCommand({ FleetIds: [fleet.backend.id] }))).Fleets![0]!;
    expect(f.Tags).toEqual([{ Key: 'ecs-steady:cluster', Value: 'x' }]);
    const s = (await ec2.send(new DescribeSpotFleetRequestsCommand({ SpotFleetRequestIds: [spot.backend.id] })))
      .SpotFleetRequestConfigs![0]!;
    expect(s.Tags).toEqual([{ Key: 'ecs-steady:cluster', Value: 'x' }]); // overwritten: "the value is overwritten"
    const i = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations![0]!.Instances![0]!;
    expect(i.Tags).toContainEqual({ Key: 'ecs-steady:cluster', Value: 'x' });
  });

  it('answers the not-found error of the resource kind, or InvalidID, and tags nothing', async () => {
    const account = new SimulatedAccount();
    const fleet = buildCapacityCluster(account, { backend: 'ec2Fleet', tagged: false });
    const { ec2 } = clients(account);
    const tag = (Resources: string[]) => ec2.send(new CreateTagsCommand({ Resources, Tags: [{ Key: 'k', Value: 'v' }] }));
    await expect(tag([fleet.backend.id, 'fleet-00000000-0000-0000-0000-000000000000'])).rejects.toMatchObject({
      name: 'InvalidFleetId.NotFound',
    });
    await expect(tag(['sfr-00000000-0000-4000-8000-000000000000'])).rejects.toMatchObject({ name: 'InvalidSpotFleetRequestId.NotFound' });
    await expect(tag(['i-0000000000000000'])).rejects.toMatchObject({ name: 'InvalidInstanceID.NotFound' });
    await expect(tag(['vol-1'])).rejects.toMatchObject({ name: 'InvalidID' });
    expect(account.ec2.fleets.fleet(fleet.backend.id)!.tags).toEqual({});
  });
});

describe('simulated EC2 DescribeInstanceTypes', () => {
  it('answers vCPUs and MiB of the types asked for', async () => {
    const { ec2 } = clients(new SimulatedAccount());
    const out = await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['m5.large', 'm5.xlarge', 'm5.4xlarge'] }));
    expect(out.InstanceTypes!.map((t) => [t.InstanceType, t.VCpuInfo!.DefaultVCpus, t.MemoryInfo!.SizeInMiB])).toEqual([
      ['m5.large', 2, 8192],
      ['m5.xlarge', 4, 16_384],
      ['m5.4xlarge', 16, 65_536],
    ]);
  });

  it('answers InvalidInstanceType for a type EC2 does not have, and pages through all types', async () => {
    const { ec2 } = clients(new SimulatedAccount());
    await expect(
      ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['m5.large', 'm5.huge' as 'm5.large'] })),
    ).rejects.toMatchObject({
      name: 'InvalidInstanceType',
      message: 'The following supplied instance types do not exist: [m5.huge]',
    });
    await expect(ec2.send(new DescribeInstanceTypesCommand({ MaxResults: 101 }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    const first = await ec2.send(new DescribeInstanceTypesCommand({ MaxResults: 5 }));
    const second = await ec2.send(new DescribeInstanceTypesCommand({ MaxResults: 5, NextToken: first.NextToken }));
    expect(first.InstanceTypes).toHaveLength(5);
    expect(second.NextToken).toBeUndefined();
    expect([...first.InstanceTypes!, ...second.InstanceTypes!].map((t) => t.InstanceType)).toEqual(
      expect.arrayContaining(['m5.large', 'm5.xlarge', 'm5.4xlarge', 'c5.large', 'r5.2xlarge']),
    );
  });
});
