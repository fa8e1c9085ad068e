import { SimulatedAccount } from '../../../sim/account';
import { addOnDemandFallback, buildCapacityCluster, type CapacityClusterOptions } from '../../../sim/builders-capacity';
import { capacityWorld } from '../../support/capacity-world';
import { asReport, spotWorld } from '../../support/spot-world';

function spotAsg(opts: Partial<CapacityClusterOptions> = {}) {
  const account = new SimulatedAccount();
  const b = buildCapacityCluster(account, { backend: 'asg', instances: 3, tasksPerInstance: 1, lifecycle: 'spot', ...opts });
  const world = spotWorld(account);
  const running = () =>
    account.ecs.containerInstancesOf(b.cluster).filter((ci) => account.ec2.instance(ci.ec2InstanceId)?.state === 'running');
  return { account, b, world, running };
}

describe('spotInterruption: replacement at the notice', () => {
  it('detaches the instance from its ASG without lowering desired, so the replacement launches at once and only once', async () => {
    const { account, b, world, running } = spotAsg();
    const victim = b.instances[0]!.instanceId;
    const notice = account.ec2.interruptSpot(victim);
    const result = asReport(await world.handler(notice));
    expect(result.replacement).toMatchObject({ outcome: 'requested', action: 'detach', group: b.backend.id });
    const group = account.autoscaling.groupState(b.backend.id);
    expect(group.desired).toBe(3);
    expect(group.instances.map((i) => i.instanceId)).not.toContain(victim);
    // The replacement was launched at the notice, before the reclaim.
    const launched = group.instances.map((i) => i.instanceId).filter((id) => !b.instances.some((x) => x.instanceId === id));
    expect(launched).toHaveLength(1);
    expect(account.ec2.instance(launched[0]!)!.launchTime).toBeLessThan(Date.parse(notice.time) + 120_000);
    expect(world.metrics.values.get('secondsToCapacityRequest')).toBeLessThanOrEqual(5);

    account.clock.advance(10 * 60_000); // the reclaim, and long after
    expect(account.ec2.instance(victim)!.state).toBe('terminated');
    expect(account.autoscaling.groupState(b.backend.id).instances).toHaveLength(3);
    expect(running()).toHaveLength(3); // 2 left + 1 replacement: no double replacement
    expect(account.ecs.killedByTermination()).toEqual([]);
  });

  it('leaves the replacement to an ASG with Capacity Rebalancing, to a Spot Fleet, and to groups that are not ours', async () => {
    for (const opts of [{ capacityRebalance: true }, { backend: 'spotFleet' as const }, { tagged: false }]) {
      const { account, b, world } = spotAsg(opts);
      const result = asReport(await world.handler(account.ec2.interruptSpot(b.instances[0]!.instanceId)));
      expect(result.replacement?.outcome).toBe('not-needed');
      expect(account.calls.filter((c) => c.operation === 'DetachInstances')).toEqual([]);
    }
  });

  it('dates the replacement as capacity just asked for, so a tick with a fallback does not take it for late capacity', async () => {
    const { account, b, world } = spotAsg();
    addOnDemandFallback(account, b.cluster, { name: 'on-demand' });
    account.clock.advance(60 * 60_000); // the group's last scale-out, if any, is long past
    const tick = capacityWorld(account, { CAPACITY_ARRIVAL_SECONDS: '60' });
    await world.handler(account.ec2.interruptSpot(b.instances[0]!.instanceId));
    const decisions: string[] = [];
    for (let minute = 0; minute < 4; minute++) decisions.push(tick.report(await tick.minute(), b.cluster).decision);
    expect(decisions).not.toContain('fallback');
    expect(account.autoscaling.groupState('on-demand').desired).toBe(0);
    expect(account.autoscaling.groupState(b.backend.id).desired).toBe(3);
  });

  it('asks for nothing in dry-run', async () => {
    const { account, b } = spotAsg();
    const world = spotWorld(account, { dryRun: true });
    const result = asReport(await world.handler(account.ec2.interruptSpot(b.instances[0]!.instanceId)));
    expect(result.replacement?.outcome).toBe('skipped');
    expect(account.autoscaling.groupState(b.backend.id).instances).toHaveLength(3);
  });
});
