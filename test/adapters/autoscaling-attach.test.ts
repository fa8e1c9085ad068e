import { DetachInstancesCommand } from '@aws-sdk/client-auto-scaling';
import { AutoScalingGroupsAdapter } from '../../shared/aws/autoscaling-groups';
import { SimulatedAccount } from '../../sim/account';
import { buildCapacityCluster } from '../../sim/builders-capacity';

const MIN = 60_000;

describe('AutoScalingGroupsAdapter: the facts and the call that put a detached instance back', () => {
  it('finds a detach keeping desired only in its time window, never one that shrank the group, and attaches raising desired', async () => {
    const account = new SimulatedAccount();
    const b = buildCapacityCluster(account, { backend: 'asg', instances: 3, lifecycle: 'spot', max: 3 });
    const { autoscaling } = account.clients();
    const groups = new AutoScalingGroupsAdapter(autoscaling);
    const [kept, shrunk] = [b.instances[0]!.instanceId, b.instances[1]!.instanceId];
    const detach = (id: string, decrement: boolean) =>
      autoscaling.send(
        new DetachInstancesCommand({ AutoScalingGroupName: b.backend.id, InstanceIds: [id], ShouldDecrementDesiredCapacity: decrement }),
      );
    const at = account.clock.now();
    await detach(kept, false);
    await detach(shrunk, true);
    account.advance(5 * MIN);
    expect(await groups.detachedKeepingCapacity(b.backend.id, kept, at - MIN, at + MIN)).toBe(true);
    expect(await groups.detachedKeepingCapacity(b.backend.id, kept, at + 1, at + MIN)).toBe(false);
    expect(await groups.detachedKeepingCapacity(b.backend.id, shrunk, at - MIN, at + MIN)).toBe(false);
    expect(account.calls.filter((c) => c.operation === 'DescribeScalingActivities').map((c) => c.input)[0]).toEqual({
      AutoScalingGroupName: b.backend.id,
      MaxRecords: 100,
    });

    const desired = account.autoscaling.groupState(b.backend.id).desired;
    expect(await groups.groupOfInstance(kept)).toBeUndefined();
    await groups.attach(b.backend.id, kept);
    expect(await groups.groupOfInstance(kept)).toEqual({ groupName: b.backend.id, lifecycleState: 'InService' });
    expect(account.autoscaling.groupState(b.backend.id).desired).toBe(desired + 1);
    // At its max (3), the group refuses one more: AWS's error reaches the caller.
    await expect(groups.attach(b.backend.id, shrunk)).rejects.toThrow(/above max value 3/);
  });
});
