import { BACKOFF_TAG } from '../../../shared/tags';
import { SimulatedAccount } from '../../../sim/account';
import { addOnDemandFallback, buildCapacityCluster, type CapacityBackendKind } from '../../../sim/builders-capacity';
import { placementFailure, placementFailureEvent } from '../../support/capacity-events';
import { capacityWorld, runningOf } from '../../support/capacity-world';

/**
 * A cluster at full CPU whose backend's pools (m5.large, m5.xlarge) are dry, with an on-demand
 * ASG of c5.large tagged as its fallback, and the default arrival time (600 s). The backend says
 * at once that it cannot launch (a Failed scaling activity; a fleet's history error record, which
 * EC2 shows up to 30 s later): the fallback must not wait for the arrival time.
 */
function dry(backend: CapacityBackendKind) {
  const account = new SimulatedAccount();
  const b = buildCapacityCluster(account, { backend, instances: 2, tasksPerInstance: 4 });
  addOnDemandFallback(account, b.cluster, { dryPool: true });
  return { account, b };
}

/** When the backend first reported a failed launch. */
function firstFailure(account: SimulatedAccount, kind: CapacityBackendKind, id: string): { at: number } | undefined {
  if (kind === 'asg') {
    const a = account.autoscaling.activities(id).find((x) => x.statusCode === 'Failed');
    return a && { at: a.startTime };
  }
  const history = kind === 'ec2Fleet' ? account.ec2.fleets.fleet(id)!.history : account.ec2.spotFleets.fleet(id)!.history;
  return history[0];
}

describe('capacity: a launch failure moves the fallback within a tick, not after the arrival time', () => {
  it.each<CapacityBackendKind>(['spotFleet', 'ec2Fleet', 'asg'])(
    '%s with dry pools: the fallback is raised on the first tick after the first failed launch, once, and the service runs in full',
    async (kind) => {
      const { account, b } = dry(kind);
      const world = capacityWorld(account);
      account.ecs.services.setDesiredCount(b.cluster, 'app', 12); // 4 more than fit
      expect(world.report(await world.minute(), b.cluster).decision).toBe('scale-out');

      const decisions: string[] = [];
      for (let minute = 0; minute < 6; minute++) decisions.push(world.report(await world.minute(), b.cluster).decision);
      const failure = firstFailure(account, kind, b.backend.id);
      expect(failure).toBeDefined();
      const raised = account.calls.find(
        (c) =>
          c.operation === 'SetDesiredCapacity' &&
          !c.error &&
          (c.input as { AutoScalingGroupName?: string }).AutoScalingGroupName === 'on-demand-fallback',
      );
      expect(raised).toBeDefined();
      // Within one tick (60 s, plus the tick's own calls) of the first failed launch — whether the history shows it yet or
      // only the fleet's ActivityStatus does — far inside the 600 s arrival time.
      expect(raised!.at - failure!.at).toBeGreaterThanOrEqual(0);
      expect(raised!.at - failure!.at).toBeLessThanOrEqual(62_000);
      expect(decisions.filter((d) => d === 'fallback')).toHaveLength(1);
      expect(account.autoscaling.groupState('on-demand-fallback').desired).toBeGreaterThanOrEqual(2);
      account.advance(120_000);
      expect(runningOf(account, b.cluster, 'app')).toBe(12);
    },
  );

  it('an event re-plan reads them too: a placement failure 40 s after a Spot scale-out falls back at once, no tick needed', async () => {
    const { account, b } = dry('spotFleet');
    const fn = placementFailure(account);
    account.ecs.services.setDesiredCount(b.cluster, 'app', 12);
    fn.publish(placementFailureEvent(account, b.cluster, 'app', account.clock.now(), 'evt-1'));
    await fn.source.run();
    expect(fn.writer.reports.at(-1)!.decision).toBe('scale-out');
    const failedAt = account.ec2.spotFleets.fleet(b.backend.id)!.history[0]!.at;
    account.advance(40_000);
    fn.publish(placementFailureEvent(account, b.cluster, 'app', account.clock.now(), 'evt-2'));
    await fn.source.run();
    const r = fn.writer.reports.at(-1)!;
    expect(r.decision).toBe('fallback');
    expect(account.autoscaling.groupState('on-demand-fallback').desired).toBeGreaterThanOrEqual(2);
    const raised = account.calls.find((c) => c.operation === 'SetDesiredCapacity' && !c.error)!;
    expect(raised.at - failedAt).toBeLessThan(45_000);
  });

  it('names the failed launch as the reason', async () => {
    const { account, b } = dry('spotFleet');
    const world = capacityWorld(account);
    account.ecs.services.setDesiredCount(b.cluster, 'app', 12);
    await world.minute();
    let reasons: string[] = [];
    for (let minute = 0; minute < 4 && reasons.length === 0; minute++) {
      const r = world.report(await world.minute(), b.cluster);
      if (r.decision === 'fallback') reasons = r.reasons;
    }
    expect(reasons.join('\n')).toMatch(/reported a failed launch at .*There is no Spot capacity available that matches your request/);
    expect(account.ec2.spotFleets.fleet(b.backend.id)!.tags[BACKOFF_TAG]).toBeDefined();
  });

  it('without a fallback the history is not read (no call the decision could not use)', async () => {
    const account = new SimulatedAccount();
    const b = buildCapacityCluster(account, { backend: 'spotFleet', instances: 2, tasksPerInstance: 4 });
    account.ec2.capacity.exhaust('m5.large');
    account.ec2.capacity.exhaust('m5.xlarge');
    const world = capacityWorld(account);
    account.ecs.services.setDesiredCount(b.cluster, 'app', 12);
    for (let minute = 0; minute < 4; minute++) await world.minute();
    expect(account.ec2.spotFleets.fleet(b.backend.id)!.history.length).toBeGreaterThan(0);
    expect(account.countCalls('ec2', 'DescribeSpotFleetRequestHistory')).toBe(0);
  });

  it('a capacity that arrives is not a failure: the history is read at most once per tick and nothing falls back', async () => {
    const account = new SimulatedAccount();
    const b = buildCapacityCluster(account, { backend: 'spotFleet', instances: 2, tasksPerInstance: 4 });
    addOnDemandFallback(account, b.cluster);
    const world = capacityWorld(account);
    account.ecs.services.setDesiredCount(b.cluster, 'app', 12);
    const decisions: string[] = [];
    for (let minute = 0; minute < 4; minute++) decisions.push(world.report(await world.minute(), b.cluster).decision);
    expect(decisions).not.toContain('fallback');
    expect(account.countCalls('ec2', 'DescribeSpotFleetRequestHistory')).toBeLessThanOrEqual(4);
    expect(runningOf(account, b.cluster, 'app')).toBe(12);
  });
});
