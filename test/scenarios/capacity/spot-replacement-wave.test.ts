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
});
