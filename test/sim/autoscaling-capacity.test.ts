import {
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  DescribeTagsCommand,
  SetDesiredCapacityCommand,
  SetInstanceProtectionCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { SimulatedAccount } from '../../sim/account';

const NAME = 'ecs-web-mixed';

/** A group of `n` m5.large (2 units each; m5.xlarge 4 units) joined to the cluster `web`, tagged for it. */
function mixedGroup(n: number, opts: { max?: number; min?: number } = {}) {
  const account = new SimulatedAccount();
  account.ecs.createCluster('web');
  const ids = Array.from({ length: n }, () => account.ec2.launchInstance({ instanceType: 'm5.large', asgName: NAME }).instanceId);
  account.autoscaling.createGroup({
    name: NAME,
    min: opts.min ?? 0,
    max: opts.max ?? 20,
    desired: 2 * n,
    instanceIds: ids,
    launch: { instanceType: 'm5.large', ecs: { cluster: 'web', cpu: 2048, memory: 7680 } },
    mixedInstances: [
      { instanceType: 'm5.large', weightedCapacity: 2 },
      { instanceType: 'm5.xlarge', weightedCapacity: 4, cpu: 4096, memory: 15_580 },
    ],
    tags: [
      { key: 'ecs-steady:cluster', value: 'web', propagateAtLaunch: true },
      { key: 'team', value: 'platform' },
    ],
  });
  const { autoscaling } = account.clients();
  const group = async () =>
    (await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [NAME] }))).AutoScalingGroups![0]!;
  return { account, autoscaling, ids, group };
}

describe('simulated Auto Scaling capacity', () => {
  it('describes the mixed instances policy with its weights, each instance weight and the group tags', async () => {
    const { group, ids } = mixedGroup(2);
    const g = await group();
    expect(g).toMatchObject({ DesiredCapacity: 4, DesiredCapacityType: 'units' });
    expect(g.MixedInstancesPolicy!.LaunchTemplate!.Overrides).toEqual([
      { InstanceType: 'm5.large', WeightedCapacity: '2' },
      { InstanceType: 'm5.xlarge', WeightedCapacity: '4' },
    ]);
    expect(g.Instances!.map((i) => [i.InstanceId, i.WeightedCapacity, i.ProtectedFromScaleIn])).toEqual(ids.map((id) => [id, '2', false]));
    expect(g.Tags).toEqual([
      { ResourceId: NAME, ResourceType: 'auto-scaling-group', Key: 'ecs-steady:cluster', Value: 'web', PropagateAtLaunch: true },
      { ResourceId: NAME, ResourceType: 'auto-scaling-group', Key: 'team', Value: 'platform', PropagateAtLaunch: false },
    ]);
  });

  it('finds a group by its tag through DescribeAutoScalingGroups filters and DescribeTags', async () => {
    const { account, autoscaling } = mixedGroup(1);
    account.autoscaling.createGroup({
      name: 'other',
      min: 0,
      max: 1,
      desired: 0,
      instanceIds: [],
      tags: [{ key: 'ecs-steady:cluster', value: 'batch' }],
    });
    const found = await autoscaling.send(
      new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: 'tag:ecs-steady:cluster', Values: ['web'] }] }),
    );
    expect(found.AutoScalingGroups!.map((g) => g.AutoScalingGroupName)).toEqual([NAME]);
    const tags = await autoscaling.send(new DescribeTagsCommand({ Filters: [{ Name: 'key', Values: ['ecs-steady:cluster'] }] }));
    expect(tags.Tags!.map((t) => [t.ResourceId, t.Value])).toEqual([
      [NAME, 'web'],
      ['other', 'batch'],
    ]);
  });

  it('launches instances until the weighted sum reaches the desired capacity, and they join ECS with the propagated tags', async () => {
    const { account, autoscaling, ids } = mixedGroup(1);
    await autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: NAME, DesiredCapacity: 7 }));
    const state = account.autoscaling.groupState(NAME);
    // 2 + 2 + 2 + 2 = 8 ≥ 7: launches stop at the first sum that covers desired.
    expect(state).toMatchObject({ desired: 7, capacity: 8 });
    const fresh = state.instances.map((i) => i.instanceId).filter((id) => !ids.includes(id));
    expect(fresh).toHaveLength(3);
    expect(account.ec2.instance(fresh[0]!)!.tags).toMatchObject({ 'ecs-steady:cluster': 'web', 'aws:autoscaling:groupName': NAME });
    account.advance(60_000);
    expect(account.ecs.containerInstanceRecord(fresh[0]!)).toMatchObject({ status: 'ACTIVE', cluster: 'web' });
  });

  it('refuses a desired capacity above MaxSize with AWS wording', async () => {
    const { autoscaling } = mixedGroup(1, { max: 6 });
    await expect(autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: NAME, DesiredCapacity: 8 }))).rejects.toMatchObject(
      {
        name: 'ValidationError',
        message: 'New SetDesiredCapacity value 8 is above max value 6 for the AutoScalingGroup.',
      },
    );
  });

  it('terminates with ShouldDecrementDesiredCapacity true: desired drops by the instance weight, no replacement', async () => {
    const { account, autoscaling, ids } = mixedGroup(3);
    await autoscaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: ids[1], ShouldDecrementDesiredCapacity: true }));
    const state = account.autoscaling.groupState(NAME);
    expect(state).toMatchObject({ desired: 4, capacity: 4 });
    expect(state.instances.map((i) => i.instanceId)).toEqual([ids[0], ids[2]]);
    expect(account.ec2.instance(ids[1]!)!.state).toBe('terminated');
  });

  it('terminates with ShouldDecrementDesiredCapacity false: a replacement is launched', async () => {
    const { account, autoscaling, ids } = mixedGroup(2);
    await autoscaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: ids[0], ShouldDecrementDesiredCapacity: false }));
    const state = account.autoscaling.groupState(NAME);
    expect(state).toMatchObject({ desired: 4, capacity: 4 });
    expect(state.instances.map((i) => i.instanceId)).not.toContain(ids[0]);
    expect(state.instances).toHaveLength(2);
  });

  it('skips instances protected from scale in when desired is lowered', async () => {
    const { account, autoscaling, ids, group } = mixedGroup(3);
    await autoscaling.send(
      new SetInstanceProtectionCommand({ AutoScalingGroupName: NAME, InstanceIds: [ids[0]!], ProtectedFromScaleIn: true }),
    );
    expect((await group()).Instances!.find((i) => i.InstanceId === ids[0])!.ProtectedFromScaleIn).toBe(true);
    await autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: NAME, DesiredCapacity: 2 }));
    expect(ids.map((id) => account.ec2.instance(id)!.state)).toEqual(['running', 'terminated', 'terminated']);
  });

  it('refuses protection for an instance outside the group and more than 50 instances at once', async () => {
    const { autoscaling } = mixedGroup(1);
    await expect(
      autoscaling.send(
        new SetInstanceProtectionCommand({ AutoScalingGroupName: NAME, InstanceIds: ['i-0aaaaaaaaaaaaaaaa'], ProtectedFromScaleIn: true }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining('is not part of Auto Scaling group') });
    const many = Array.from({ length: 51 }, (_, i) => `i-0${String(i).padStart(16, '0')}`);
    await expect(
      autoscaling.send(new SetInstanceProtectionCommand({ AutoScalingGroupName: NAME, InstanceIds: many, ProtectedFromScaleIn: true })),
    ).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('records launches and terminations as scaling activities, newest first', async () => {
    const { autoscaling, ids } = mixedGroup(1);
    await autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: NAME, DesiredCapacity: 4 }));
    await autoscaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: ids[0], ShouldDecrementDesiredCapacity: true }));
    const { Activities } = await autoscaling.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: NAME }));
    expect(Activities!.map((a) => [a.Description!.replace(/i-0[0-9a-f]+/, 'i-…'), a.StatusCode])).toEqual([
      ['Terminating EC2 instance: i-…', 'Successful'],
      ['Launching a new EC2 instance: i-…', 'Successful'],
    ]);
    expect(Activities![1]!.Cause).toMatch(
      /an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 2 to 4\.$/,
    );
  });

  it('records a failed launch with InsufficientInstanceCapacity as AWS words it, and launches once capacity returns', async () => {
    const { account, autoscaling } = mixedGroup(1);
    account.ec2.capacity.exhaust('m5.large');
    account.ec2.capacity.exhaust('m5.xlarge');
    await autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: NAME, DesiredCapacity: 4 }));
    const failed = (await autoscaling.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: NAME }))).Activities![0]!;
    expect(failed).toMatchObject({
      StatusCode: 'Failed',
      StatusMessage:
        'We currently do not have sufficient m5.large capacity in the Availability Zone you requested (eu-west-1a). Our system will be working on provisioning additional capacity. You can currently get m5.large capacity by not specifying an Availability Zone in your request or choosing eu-west-1b, eu-west-1c. Launching EC2 instance failed.',
      Description: expect.stringMatching(/^Launching a new EC2 instance\. {2}Status Reason: We currently do not have sufficient m5\.large/),
      Progress: 100,
    });
    account.ec2.capacity.restore('m5.xlarge');
    account.advance(30_000);
    const state = account.autoscaling.groupState(NAME);
    expect(state.capacity).toBe(6);
    expect(state.instances.map((i) => account.ec2.instance(i.instanceId)!.instanceType)).toEqual(['m5.large', 'm5.xlarge']);
  });
});

describe('simulated Auto Scaling launches', () => {
  it('keeps a launched instance Pending for launchPendingMs, counted towards desired, then InService', async () => {
    const account = new SimulatedAccount();
    account.autoscaling.createGroup({ name: 'g', min: 0, max: 4, desired: 0, instanceIds: [], launch: {}, launchPendingMs: 45_000 });
    const { autoscaling } = account.clients();
    await autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'g', DesiredCapacity: 1 }));
    const states = async () =>
      (
        await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['g'] }))
      ).AutoScalingGroups![0]!.Instances!.map((i) => i.LifecycleState);
    expect(await states()).toEqual(['Pending']);
    account.advance(44_999);
    expect(await states()).toEqual(['Pending']);
    account.advance(1);
    expect(await states()).toEqual(['InService']);
  });
});
