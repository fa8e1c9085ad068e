import { SimulatedAccount } from '../../../sim/account';
import { buildCapacityCluster } from '../../../sim/builders-capacity';
import { asReport, spotWorld } from '../../support/spot-world';

describe('spotInterruption: replacement at the notice, for a wave', () => {
  it('asks for all 200 replacements of a 200-instance wave: the group lookups go out 50 instances a call, not one each into throttling', async () => {
    const account = new SimulatedAccount();
    const b = buildCapacityCluster(account, { backend: 'asg', instances: 200, max: 400, tasksPerInstance: 1, lifecycle: 'spot' });
    const world = spotWorld(account);
    const { results } = await world.handleBatch(b.instances.map((i) => account.ec2.interruptSpot(i.instanceId)));
    expect(results.map((r) => asReport(r).replacement?.outcome)).toEqual(b.instances.map(() => 'requested'));
    const lookups = account.calls.filter((c) => c.service === 'autoscaling' && c.operation === 'DescribeAutoScalingInstances');
    // The wave's first moment: one call per 50 victims (each maybe retried by the SDK with the same ids).
    const first = lookups.filter((c) => c.at === lookups[0]!.at).map((c) => (c.input as { InstanceIds: string[] }).InstanceIds.length);
    expect(first).toEqual([50, 50, 50, 50]);
    expect(account.autoscaling.groupState(b.backend.id).desired).toBe(200);
  });

  it('detaches the 200 victims of one group 20 a call, all within seconds of the notice, and dates the group once', async () => {
    const account = new SimulatedAccount();
    const b = buildCapacityCluster(account, { backend: 'asg', instances: 200, max: 400, tasksPerInstance: 1, lifecycle: 'spot' });
    const world = spotWorld(account);
    const noticeAt = account.clock.now();
    const { results } = await world.handleBatch(b.instances.map((i) => account.ec2.interruptSpot(i.instanceId)));
    const requested = results.map((r) => asReport(r).replacement!);
    expect(requested.every((r) => r.outcome === 'requested' && r.at! - noticeAt <= 5_000)).toBe(true);
    const detaches = account.calls.filter((c) => c.service === 'autoscaling' && c.operation === 'DetachInstances' && !c.error);
    const ids = detaches.flatMap((c) => (c.input as { InstanceIds: string[] }).InstanceIds);
    expect(detaches).toHaveLength(10); // ⌈200 / 20⌉, not one per victim
    expect(ids.sort()).toEqual(b.instances.map((i) => i.instanceId).sort());
    expect(account.calls.filter((c) => c.operation === 'CreateOrUpdateTags' && !c.error)).toHaveLength(1);
  });
});
