import { DescribeAutoScalingGroupsCommand, DescribeWarmPoolCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { SimulatedAccount } from '../../sim/account';
import { WARM_POOL_ENTRY_MS, WARM_START_TO_ECS_MS } from '../../sim/autoscaling-warm-pool';
import { buildCapacityCluster } from '../../sim/builders-capacity';

/** An ECS cluster on a plain ASG (2 × m5.large, max 10) with a warm pool of Stopped instances, prepared up to 4. */
function warmCluster(poolState: 'Stopped' | 'Running' | 'Hibernated' = 'Stopped') {
  const account = new SimulatedAccount();
  const b = buildCapacityCluster(account, { backend: 'asg', instances: 2, warmPool: { maxGroupPreparedCapacity: 4, poolState } });
  const { autoscaling } = account.clients();
  const pool = async () => autoscaling.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: b.backend.id }));
  const group = async () =>
    (await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [b.backend.id] }))).AutoScalingGroups![0]!;
  return { account, b, autoscaling, pool, group };
}

describe('simulated warm pools', () => {
  it('fills to MaxGroupPreparedCapacity − desired, Warmed:Pending then resting in the pool state, outside the group and ECS', async () => {
    const { account, b, pool, group } = warmCluster();
    expect((await pool()).Instances!.map((i) => i.LifecycleState)).toEqual(['Warmed:Pending', 'Warmed:Pending']);
    account.advance(WARM_POOL_ENTRY_MS);
    const out = await pool();
    expect(out.WarmPoolConfiguration).toMatchObject({ MaxGroupPreparedCapacity: 4, PoolState: 'Stopped', MinSize: 0 });
    expect(out.Instances!.map((i) => i.LifecycleState)).toEqual(['Warmed:Stopped', 'Warmed:Stopped']);
    expect(out.Instances!.map((i) => account.ec2.instance(i.InstanceId!)!.state)).toEqual(['stopped', 'stopped']);
    // Not in the group's instances (nor its capacity), not container instances.
    const g = await group();
    expect(g).toMatchObject({ DesiredCapacity: 2, WarmPoolSize: 2, WarmPoolConfiguration: { PoolState: 'Stopped' } });
    expect(g.Instances!.map((i) => i.InstanceId)).toEqual(b.instances.map((i) => i.instanceId));
    expect(account.ecs.containerInstances.of(b.cluster)).toHaveLength(2);
  });

  it.each(['Stopped', 'Running', 'Hibernated'] as const)(
    'a scale-out draws a %s instance from the pool: counted at once, registered with ECS after its warm start time',
    async (state) => {
      const { account, b, autoscaling, pool, group } = warmCluster(state);
      account.advance(WARM_POOL_ENTRY_MS);
      const [first] = (await pool()).Instances!.map((i) => i.InstanceId!);
      await autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: b.backend.id, DesiredCapacity: 3 }));
      expect((await group()).Instances!.map((i) => i.InstanceId)).toContain(first);
      expect((await pool()).Instances).toHaveLength(1); // 4 prepared − 3 desired
      expect(account.autoscaling.activities(b.backend.id).at(-1)!.description).toBe(
        `Launching a new EC2 instance from warm pool: ${first}`,
      );
      const registered = () => account.ecs.containerInstances.of(b.cluster).some((ci) => ci.ec2InstanceId === first);
      account.advance(WARM_START_TO_ECS_MS[state] - 1);
      expect(registered()).toBe(false);
      account.advance(1);
      expect(registered()).toBe(true);
    },
  );

  it('launches cold once the pool has no rested instance', async () => {
    const { account, b, autoscaling, group } = warmCluster();
    await autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: b.backend.id, DesiredCapacity: 3 })); // pool still Warmed:Pending
    const ids = (await group()).Instances!.map((i) => i.InstanceId!);
    expect(ids).toHaveLength(3);
    expect(account.autoscaling.activities(b.backend.id).at(-1)!.description).toMatch(/^Launching a new EC2 instance: i-/);
  });

  it('refuses ReuseOnScaleIn for a group whose instances join ECS, and a pool on a mixed instances policy', () => {
    const account = new SimulatedAccount();
    expect(() => buildCapacityCluster(account, { backend: 'asg', warmPool: { reuseOnScaleIn: true } })).toThrow(/ReuseOnScaleIn/);
    const mixed = buildCapacityCluster(account, { backend: 'asg', cluster: 'mixed' });
    expect(() => account.autoscaling.warmPools.put(mixed.backend.id)).toThrow(/mixed instances policy/);
  });
});
