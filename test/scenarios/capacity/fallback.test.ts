import { BACKOFF_TAG } from '../../../shared/tags';
import { SimulatedAccount } from '../../../sim/account';
import { addOnDemandFallback, buildCapacityCluster } from '../../../sim/builders-capacity';
import { serverError } from '../../../sim/errors';
import { capacityWorld, runningOf } from '../../support/capacity-world';

/**
 * A Spot Fleet cluster at full CPU whose Spot pools (m5.large, m5.xlarge) are dry, and an
 * on-demand ASG of c5.large tagged as its fallback (the simulator's capacity knob is per
 * instance type, so the fallback launches another type), with no instance yet.
 */
function drySpot() {
  const account = new SimulatedAccount();
  const b = buildCapacityCluster(account, { backend: 'spotFleet', instances: 2, tasksPerInstance: 4 });
  addOnDemandFallback(account, b.cluster, { name: 'batch-on-demand', dryPool: true });
  return { account, b };
}

describe('scaleTick: launch failure and the fallback backend', () => {
  it('raises the on-demand fallback once Spot capacity has not arrived within the arrival time, and backs the fleet off', async () => {
    const { account, b } = drySpot();
    const world = capacityWorld(account, { CAPACITY_ARRIVAL_SECONDS: '180' });
    account.ecs.services.setDesiredCount(b.cluster, 'app', 12); // 4 more than fit
    const asked = world.report(await world.minute(), b.cluster);
    expect(asked.decision).toBe('scale-out');
    const askedAt = account.clock.now() - 60_000;
    const fleet = () => account.ec2.spotFleets.fleet(b.backend.id)!;
    const spotTarget = fleet().targetCapacity;
    expect(spotTarget).toBeGreaterThan(2);

    let fellBackAt: number | undefined;
    const decisions: string[] = [];
    for (let minute = 0; minute < 10; minute++) {
      const r = world.report(await world.minute(), b.cluster);
      decisions.push(r.decision);
      if (r.decision === 'fallback' && fellBackAt === undefined) fellBackAt = account.clock.now() - 60_000;
    }
    // Within the arrival time plus one tick; once only.
    expect(fellBackAt).toBeDefined();
    expect(fellBackAt! - askedAt).toBeLessThanOrEqual(180_000 + 60_000);
    expect(decisions.filter((d) => d === 'fallback')).toHaveLength(1);
    // The fleet is back at what it holds, backing off; the ASG launched; the service runs in full.
    expect(fleet().targetCapacity).toBe(2);
    expect(account.ec2.spotFleets.fleet(b.backend.id)!.tags[BACKOFF_TAG]).toBeDefined();
    expect(account.autoscaling.groupState('batch-on-demand').desired).toBeGreaterThanOrEqual(2);
    expect(runningOf(account, b.cluster, 'app')).toBe(12);
    expect(world.clusterMetrics.get(b.cluster)!.values.get('decisionsFallback')).toBe(1);
  });

  it('drains the fallback instances first once the cluster is quiet again', async () => {
    const { account, b } = drySpot();
    const world = capacityWorld(account, { CAPACITY_ARRIVAL_SECONDS: '180', SCALE_IN_COOLDOWN_SECONDS: '0' });
    account.ecs.services.setDesiredCount(b.cluster, 'app', 12);
    for (let minute = 0; minute < 8; minute++) await world.minute();
    const onDemand = account.autoscaling.groupState('batch-on-demand').instances.map((i) => i.instanceId);
    expect(onDemand.length).toBeGreaterThan(0);
    account.ecs.services.setDesiredCount(b.cluster, 'app', 4);
    const drained: string[] = [];
    for (let minute = 0; minute < 10; minute++) {
      const r = world.report(await world.minute(), b.cluster);
      if (r.instanceToDrain) drained.push(r.instanceToDrain);
    }
    expect(drained.length).toBeGreaterThan(0);
    expect(drained.slice(0, onDemand.length).every((id) => onDemand.includes(id))).toBe(true);
    expect(account.ecs.killedByTermination()).toEqual([]);
  });

  it('writes no back-off while the fleet could not be lowered, and falls back properly once ModifySpotFleetRequest answers again', async () => {
    const { account, b } = drySpot();
    const world = capacityWorld(account, { CAPACITY_ARRIVAL_SECONDS: '180' });
    account.ecs.services.setDesiredCount(b.cluster, 'app', 12);
    expect(world.report(await world.minute(), b.cluster).decision).toBe('scale-out');
    const fleet = () => account.ec2.spotFleets.fleet(b.backend.id)!;
    const asked = fleet().targetCapacity;
    // The Spot Fleet API is down for the next 6 minutes: the fallback's first step (lowering the fleet) fails.
    const from = account.clock.now();
    account.failDuring('ec2', 'ModifySpotFleetRequest', () => serverError('ec2'), { from, to: from + 6 * 60_000 });
    const skipped: string[] = [];
    for (let minute = 0; minute < 6; minute++) {
      // A group whose write was refused waits out the queue's visibility timeout: some minutes have no report.
      const r = (await world.minute()).clusters.find((c) => c.cluster === b.cluster);
      skipped.push(...(r?.steps ?? []).filter((s) => s.skipped?.startsWith('depends on')).map((s) => s.kind));
      // Never a back-off over a fleet still asking for the units it did not launch; the fallback not raised past them.
      expect(fleet().tags[BACKOFF_TAG]).toBeUndefined();
      expect(fleet().targetCapacity).toBe(asked);
      expect(account.autoscaling.groupState('batch-on-demand').desired).toBe(0);
    }
    expect(skipped).toEqual(expect.arrayContaining(['setDesired', 'recordAction']));
    for (let minute = 0; minute < 6; minute++) await world.minute();
    expect(fleet().targetCapacity).toBe(2);
    expect(fleet().tags[BACKOFF_TAG]).toBeDefined();
    expect(account.autoscaling.groupState('batch-on-demand').desired).toBeGreaterThanOrEqual(2);
  });
});
