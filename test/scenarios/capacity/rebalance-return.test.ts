import { DetachInstancesCommand } from '@aws-sdk/client-auto-scaling';
import { PutAttributesCommand as EcsPutAttributesCommand } from '@aws-sdk/client-ecs';
import { SimulatedAccount } from '../../../sim/account';
import { buildCapacityCluster } from '../../../sim/builders-capacity';
import { joinInstances, M5_LARGE } from '../../../sim/builders-common';
import { recommendRebalance } from '../../../sim/ec2-rebalance';
import { RETIRING_ATTRIBUTE } from '../../../shared/tags';
import { capacityWorld, runningOf } from '../../support/capacity-world';
import { spotWorld } from '../../support/spot-world';

const BOUND = '600'; // REBALANCE_DRAIN_MAX_SECONDS: ten ticks
const TICK_ENV = { REBALANCE_DRAIN_MAX_SECONDS: BOUND, SCALE_IN_COOLDOWN_SECONDS: '0' };

/** A Spot ASG of ours without Capacity Rebalancing (3 × m5.large, one `app` task each): a recommendation detaches keeping desired. */
function spotAsg(max?: number, tasksPerInstance = 1) {
  const account = new SimulatedAccount();
  const b = buildCapacityCluster(account, {
    backend: 'asg',
    instances: 3,
    tasksPerInstance,
    lifecycle: 'spot',
    ...(max ? { max } : {}),
  });
  const ci = (id: string) => account.ecs.containerInstancesOf(b.cluster).find((c) => c.ec2InstanceId === id)!;
  const mark = (id: string) => ci(id).attributes?.get(RETIRING_ATTRIBUTE);
  const group = () => account.autoscaling.groupState(b.backend.id);
  const inGroup = (id: string) => group().instances.some((i) => i.instanceId === id);
  /** Running EC2 instances registered in the cluster that no Auto Scaling group holds: what nobody would ever remove. */
  const orphans = () =>
    account.ecs
      .containerInstancesOf(b.cluster)
      .map((c) => c.ec2InstanceId)
      .filter((id) => account.ec2.instance(id)?.state === 'running' && !inGroup(id));
  const attaches = () => account.calls.filter((c) => c.operation === 'AttachInstances');
  return { account, b, ci, mark, group, inGroup, orphans, attaches };
}

describe('rebalance recommendations: a detached instance never stays outside its group', () => {
  it.each(['replace', 'replace-and-drain'] as const)(
    '%s, no notice: the instance waits outside its group until the bound, then goes back ACTIVE; scale-in brings desired to the planner’s need, no orphan',
    async (mode) => {
      const w = spotAsg();
      const victim = w.b.instances[0]!.instanceId;
      await spotWorld(w.account, { rebalance: mode }).handler(recommendRebalance(w.account, victim));
      expect(w.inGroup(victim)).toBe(false);
      expect(w.mark(victim)).toMatch(/^rebalance@/);
      expect(w.ci(victim).status).toBe(mode === 'replace' ? 'ACTIVE' : 'DRAINING');
      const tick = capacityWorld(w.account, TICK_ENV);
      const desiredAtRecommendation = w.group().desired;
      // Ticks at 0…9 minutes: before the bound the mark stays (not removed as stale), nothing is attached,
      // and the group keeps the replacement (no scale-in while the instance it replaces still looks like room).
      for (let m = 0; m < 10; m++) {
        expect(tick.report(await tick.minute(), w.b.cluster).decision).not.toBe('error');
        expect(w.mark(victim)).toMatch(/^rebalance@/);
        expect(w.group().desired).toBeGreaterThanOrEqual(desiredAtRecommendation);
      }
      expect(w.attaches()).toEqual([]);
      const desiredBefore = w.group().desired;
      const r = tick.report(await tick.minute(), w.b.cluster);
      const end = r.steps.find((s) => s.kind === 'endRebalance' && s.ec2InstanceId === victim);
      expect(end).toMatchObject({ ok: true, detail: expect.stringMatching(/^called off: .*attached to /) });
      expect(w.inGroup(victim)).toBe(true);
      expect(w.group().desired).toBe(desiredBefore + 1);
      expect(w.ci(victim).status).toBe('ACTIVE');
      expect(w.mark(victim)).toBeUndefined();
      // What the planner needs from here on (it may shrink the group through scale-in: drain, then remove exactly
      // that instance); it settles with no step left to take and every running instance inside the group.
      for (let m = 0; m < 30; m++) await tick.minute();
      const settled = tick.report(await tick.minute(), w.b.cluster);
      expect(settled.steps).toEqual([]);
      expect(w.orphans()).toEqual([]);
      const g = w.group();
      expect(g.instances.filter((i) => i.lifecycleState === 'InService')).toHaveLength(g.desired);
      expect(runningOf(w.account, w.b.cluster, 'app')).toBe(3);
      expect(w.account.ecs.killedByTermination()).toEqual([]);
    },
  );

  it('a notice that follows: Spot takes the instance, nothing is attached', async () => {
    const w = spotAsg();
    const victim = w.b.instances[0]!.instanceId;
    const spot = spotWorld(w.account, { rebalance: 'replace' });
    const tick = capacityWorld(w.account, TICK_ENV);
    await spot.handler(recommendRebalance(w.account, victim));
    w.account.clock.advance(9 * 60_000 + 30_000);
    await spot.handler(w.account.ec2.interruptSpot(victim));
    for (let m = 0; m < 5; m++) await tick.minute();
    expect(w.account.ec2.instance(victim)!.state).toBe('terminated');
    expect(w.attaches()).toEqual([]);
    expect(w.orphans()).toEqual([]);
  });

  it('never attaches on a forged mark: an instance someone else detached, or one never in our group', async () => {
    const w = spotAsg();
    const clients = w.account.clients();
    // Someone else's detach (an hour before the mark), then a forged `rebalance` mark past the bound.
    const detached = w.b.instances[1]!.instanceId;
    await clients.autoscaling.send(
      new DetachInstancesCommand({ AutoScalingGroupName: w.b.backend.id, InstanceIds: [detached], ShouldDecrementDesiredCapacity: false }),
    );
    w.account.clock.advance(60 * 60_000);
    // A Spot instance that joined the cluster by hand, in no group ever.
    const [stranger] = joinInstances(w.account, w.b.cluster, 1, M5_LARGE, { lifecycle: 'spot' });
    const forged = `rebalance@${new Date(w.account.clock.now() - 11 * 60_000).toISOString()}`;
    for (const id of [detached, stranger!.instanceId])
      await clients.ecs.send(
        new EcsPutAttributesCommand({
          cluster: w.b.cluster,
          attributes: [{ name: RETIRING_ATTRIBUTE, value: forged, targetId: w.ci(id).arn }],
        }),
      );
    const tick = capacityWorld(w.account, TICK_ENV);
    for (let m = 0; m < 3; m++) await tick.minute();
    expect(w.attaches()).toEqual([]);
    expect(w.inGroup(detached)).toBe(false);
    expect(w.inGroup(stranger!.instanceId)).toBe(false);
    // The memory that led nowhere is dropped, so the tick stops looking at it.
    expect(w.mark(detached)).toBeUndefined();
    expect(w.mark(stranger!.instanceId)).toBeUndefined();
  });

  it('reports a refused attach (the group at its max) and tries again each tick, never terminating the instance', async () => {
    // Three tasks per instance (75 % CPU): nothing to scale in, so the group stays at its max of 3 meanwhile.
    const w = spotAsg(3, 3);
    const victim = w.b.instances[0]!.instanceId;
    await spotWorld(w.account, { rebalance: 'replace-and-drain' }).handler(recommendRebalance(w.account, victim));
    const tick = capacityWorld(w.account, TICK_ENV);
    for (let m = 0; m < 10; m++) await tick.minute();
    for (let m = 0; m < 2; m++) {
      const r = tick.report(await tick.minute(), w.b.cluster);
      const end = r.steps.find((s) => s.kind === 'endRebalance' && s.ec2InstanceId === victim);
      expect(end).toMatchObject({ ok: false, error: expect.stringMatching(/above max/) });
      expect(w.mark(victim)).toMatch(/^rebalance@/);
      expect(w.account.ec2.instance(victim)!.state).toBe('running');
    }
    expect(w.attaches().length).toBeGreaterThanOrEqual(2);
  });
});
