import { PutAttributesCommand } from '@aws-sdk/client-ecs';
import { SimulatedAccount } from '../../../sim/account';
import { buildCapacityCluster } from '../../../sim/builders-capacity';
import { recommendRebalance } from '../../../sim/ec2-rebalance';
import { simError } from '../../../sim/errors';
import { RETIRING_ATTRIBUTE } from '../../../shared/tags';
import { capacityWorld } from '../../support/capacity-world';
import { spotAsg } from '../../support/spot-asg';
import { spotWorld } from '../../support/spot-world';

const BOUND = '600'; // REBALANCE_DRAIN_MAX_SECONDS: ten ticks

/** A Spot ASG of ours (3 × m5.large, one `app` task each behind an ALB target group), a drain that keeps serving begun on one. */
async function drainingOnRecommendation() {
  const { account, b, ci: ciOf, mark: markOf } = spotAsg();
  const victim = b.instances[0]!.instanceId;
  const ci = () => ciOf(victim);
  await spotWorld(account, { rebalance: 'replace-and-drain' }).handler(recommendRebalance(account, victim));
  expect(ci().status).toBe('DRAINING');
  // The notice comes half a minute before the bound: the tick's next looks fall inside its two minutes.
  account.clock.advance(9 * 60_000 + 30_000);
  return { account, b, victim, ci, mark: () => markOf(victim) };
}

describe('rebalance drains meet Spot notices safely', () => {
  it('a notice re-marks our rebalance drain as its own even after the mode was switched off', async () => {
    const { account, victim, mark } = await drainingOnRecommendation();
    const off = spotWorld(account, { rebalance: 'off' });
    await off.handler(account.ec2.interruptSpot(victim));
    expect(mark()).toMatch(/^spot-notice@/);
    expect(off.metrics.values.get('rebalanceFailures')).toBeUndefined();
  });

  it('a re-mark that fails until the reclaim counts in rebalanceFailures (not only a warning)', async () => {
    const { account, victim, mark } = await drainingOnRecommendation();
    const now = account.clock.now();
    account.failDuring('ecs', 'PutAttributes', () => simError('ServerException', 'simulated ECS outage', 500), {
      from: now,
      to: now + 130_000,
    });
    const spot = spotWorld(account, { rebalance: 'replace-and-drain' });
    await spot.handler(account.ec2.interruptSpot(victim));
    expect(spot.metrics.values.get('rebalanceFailures')).toBe(1);
    expect(mark()).toMatch(/^rebalance@/);
  });

  it('the tick never calls off a drain whose instance EC2 has marked for termination (a notice it never saw)', async () => {
    const { account, b, victim, ci, mark } = await drainingOnRecommendation();
    account.ec2.interruptSpot(victim); // delivered nowhere: no re-mark happens
    const tick = capacityWorld(account, { REBALANCE_DRAIN_MAX_SECONDS: BOUND });
    const details: string[] = [];
    for (let m = 0; m < 2; m++) {
      const steps = tick.report(await tick.minute(), b.cluster).steps;
      details.push(...steps.filter((s) => s.ec2InstanceId === victim && s.kind === 'endRebalance').map((s) => s.detail ?? ''));
      if (account.ec2.instance(victim)!.state === 'running') expect(ci().status).toBe('DRAINING');
    }
    expect(details[0]).toMatch(/^kept: .*marked-for-termination/);
    expect(mark()).toMatch(/^rebalance@/);
    const metrics = tick.clusterMetrics.get(b.cluster)!.values;
    expect([metrics.get('rebalanceCallOffs'), metrics.get('rebalanceCallOffsKept')]).toEqual([0, 1]);
  });

  it('counts a call-off in the report and in rebalanceCallOffs; every tick before it emits zeros', async () => {
    const { account, b, victim, ci, mark } = await drainingOnRecommendation();
    const tick = capacityWorld(account, { REBALANCE_DRAIN_MAX_SECONDS: BOUND });
    const first = tick.report(await tick.minute(), b.cluster); // 9.5 minutes: before the bound
    expect([first.rebalanceCallOffs, first.rebalanceCallOffsKept]).toEqual([0, 0]);
    // Sums over every tick so far (the recorder's values are a snapshot: read again after each tick).
    const counted = () => ['rebalanceCallOffs', 'rebalanceCallOffsKept'].map((n) => tick.clusterMetrics.get(b.cluster)!.values.get(n));
    expect(counted()).toEqual([0, 0]);
    const second = tick.report(await tick.minute(), b.cluster);
    expect([second.rebalanceCallOffs, second.rebalanceCallOffsKept]).toEqual([1, 0]);
    expect(counted()).toEqual([1, 0]);
    expect([ci().status, mark()]).toEqual(['ACTIVE', undefined]);
    expect(account.ec2.instance(victim)!.state).toBe('running');
  });

  it('the tick removes a rebalance mark left on an ACTIVE instance only once past the bound (re-read first)', async () => {
    const account = new SimulatedAccount();
    const b = buildCapacityCluster(account, { backend: 'asg', instances: 3, tasksPerInstance: 1, lifecycle: 'spot' });
    const victim = b.instances[0]!.instanceId;
    const ci = () => account.ecs.containerInstancesOf(b.cluster).find((c) => c.ec2InstanceId === victim)!;
    const stale = `rebalance@${new Date(account.clock.now() - 8 * 60_000).toISOString()}`;
    await account
      .clients()
      .ecs.send(
        new PutAttributesCommand({ cluster: b.cluster, attributes: [{ name: RETIRING_ATTRIBUTE, value: stale, targetId: ci().arn }] }),
      );
    const tick = capacityWorld(account, { REBALANCE_DRAIN_MAX_SECONDS: BOUND });
    const cleared = async () =>
      tick.report(await tick.minute(), b.cluster).steps.filter((s) => s.ec2InstanceId === victim && s.kind === 'clearRebalanceMark');
    // Eight minutes old: past the grace (five), not the bound (ten).
    expect(await cleared()).toEqual([]);
    expect(ci().attributes?.get(RETIRING_ATTRIBUTE)).toBe(stale);
    await tick.minute();
    expect(await cleared()).toEqual([expect.objectContaining({ ok: true, detail: expect.stringMatching(/^removed: /) })]);
    expect(ci().attributes?.get(RETIRING_ATTRIBUTE)).toBeUndefined();
    expect(ci().status).toBe('ACTIVE');
  });
});
