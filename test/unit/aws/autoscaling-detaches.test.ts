import { AutoScalingGroupsAdapter } from '../../../shared/aws/autoscaling-groups';
import { batchedDetaches } from '../../../shared/aws/autoscaling-detaches';
import { LAST_SCALE_OUT_TAG } from '../../../shared/tags';
import { SimulatedAccount } from '../../../sim/account';
import { buildCapacityCluster } from '../../../sim/builders-capacity';
import { serverError } from '../../../sim/errors';

/** Two groups: 45 instances in one, 3 in the other. One attempt per call: the SDK's own retries would hide which callers a call carried. */
function twoGroups() {
  const account = new SimulatedAccount();
  const a = buildCapacityCluster(account, { backend: 'asg', cluster: 'big', instances: 45, max: 100, tasksPerInstance: 0 });
  const b = buildCapacityCluster(account, { backend: 'asg', cluster: 'small', instances: 3, max: 10, tasksPerInstance: 0 });
  const writes = batchedDetaches(new AutoScalingGroupsAdapter(account.clients({ maxAttempts: 1 }).autoscaling), account.clock);
  const detachCalls = () =>
    account.calls
      .filter((c) => c.operation === 'DetachInstances')
      .map((c) => {
        const input = c.input as { AutoScalingGroupName: string; InstanceIds: string[] };
        return [input.AutoScalingGroupName, input.InstanceIds.length] as const;
      });
  return { account, a, b, writes, detachCalls };
}

describe('batchedDetaches', () => {
  it('detaches 48 concurrent victims of two groups with one DetachInstances per 20 instances of a group (20, 20, 5 and 3), keeping desired', async () => {
    const { account, a, b, writes, detachCalls } = twoGroups();
    const asks = [
      ...a.instances.map((i) => [a.backend.id, i.instanceId]),
      ...b.instances.map((i) => [b.backend.id, i.instanceId]),
    ] as const;
    await Promise.all(asks.map(([group, id]) => writes.detachKeepingCapacity(group, id)));
    expect(detachCalls().sort()).toEqual(
      [
        [a.backend.id, 20],
        [a.backend.id, 20],
        [a.backend.id, 5],
        [b.backend.id, 3],
      ].sort(),
    );
    for (const g of [a, b]) {
      const state = account.autoscaling.groupState(g.backend.id);
      expect(state.desired).toBe(g.instances.length); // not decremented: the group launches the replacements
      expect(g.instances.every((i) => !state.instances.some((x) => x.instanceId === i.instanceId))).toBe(true);
    }
  });

  it('sends one last-scale-out tag per group for the callers of one moment, dated by the latest', async () => {
    const { account, a, b, writes } = twoGroups();
    const at = account.clock.now();
    await Promise.all([...a.instances.map((_, i) => writes.recordScaleOut(a.backend.id, at + i)), writes.recordScaleOut(b.backend.id, at)]);
    const tags = account.calls.filter((c) => c.operation === 'CreateOrUpdateTags');
    expect(tags).toHaveLength(2);
    const valueFor = (group: string) =>
      tags
        .flatMap((c) => (c.input as { Tags: Array<{ ResourceId: string; Key: string; Value: string }> }).Tags)
        .find((t) => t.ResourceId === group && t.Key === LAST_SCALE_OUT_TAG)?.Value;
    expect(valueFor(a.backend.id)).toBe(new Date(at + a.instances.length - 1).toISOString());
    expect(valueFor(b.backend.id)).toBe(new Date(at).toISOString());
  });

  it('fails only the instance Auto Scaling refuses: the refused part is sent again one instance a call', async () => {
    const { account, a, writes, detachCalls } = twoGroups();
    const ids = a.instances.slice(0, 20).map((i) => i.instanceId);
    // Already out of the group (another batch of the wave detached it): the whole call of 20 is refused.
    await writes.detachKeepingCapacity(a.backend.id, ids[7]!);
    const settled = await Promise.allSettled(ids.map((id) => writes.detachKeepingCapacity(a.backend.id, id)));
    expect(settled.map((s) => s.status)).toEqual(ids.map((_, i) => (i === 7 ? 'rejected' : 'fulfilled')));
    expect(((settled[7] as PromiseRejectedResult).reason as Error).name).toBe('ValidationError');
    // 1 (the earlier one), then 20 refused, then 20 alone.
    expect(detachCalls().map(([, n]) => n)).toEqual([1, 20, ...ids.map(() => 1)]);
    expect(account.autoscaling.groupState(a.backend.id).instances.some((x) => ids.includes(x.instanceId))).toBe(false);
  });

  it('fails every caller a call carried on an error that is not about an instance, without splitting it', async () => {
    const { account, a, writes, detachCalls } = twoGroups();
    account.failNext('autoscaling', 'DetachInstances', () => serverError('autoscaling'), { times: 1 });
    const ids = a.instances.slice(0, 5).map((i) => i.instanceId);
    const settled = await Promise.allSettled(ids.map((id) => writes.detachKeepingCapacity(a.backend.id, id)));
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
    expect(detachCalls()).toEqual([[a.backend.id, 5]]);
  });
});
