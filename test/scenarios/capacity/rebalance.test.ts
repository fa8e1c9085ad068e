import { PutAttributesCommand, UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import type { Result } from '../../../functions/spot-interruption/handler';
import type { RebalanceOutcome } from '../../../functions/spot-interruption/rebalance';
import { SimulatedAccount } from '../../../sim/account';
import { simError } from '../../../sim/errors';
import { addForeignInstances, buildCapacityCluster } from '../../../sim/builders-capacity';
import { recommendRebalance } from '../../../sim/ec2-rebalance';
import { RETIRING_ATTRIBUTE } from '../../../shared/tags';
import { capacityWorld, runningOf } from '../../support/capacity-world';
import { secondsWithoutHealthy, stoppedBeforeTargetsDrained } from '../../support/drain-checks';
import { spotAsg } from '../../support/spot-asg';
import { spotWorld } from '../../support/spot-world';

const BOUND = '600'; // REBALANCE_DRAIN_MAX_SECONDS for these scenarios (the default is 1800): ten ticks, not thirty

const asRebalance = (r: Result): RebalanceOutcome => {
  if (!('outcome' in r) || r.outcome !== 'rebalance') throw new Error(`expected a rebalance result, got ${JSON.stringify(r)}`);
  return r as RebalanceOutcome;
};

/** A recommendation in replace-and-drain mode for the first instance of `opts`' cluster, which must leave it as it was. */
async function untouchedByRecommendation(opts: Parameters<typeof spotAsg>[0]) {
  const world = spotAsg(opts);
  const victim = world.b.instances[0]!.instanceId;
  const r = asRebalance(
    await spotWorld(world.account, { rebalance: 'replace-and-drain' }).handler(recommendRebalance(world.account, victim)),
  );
  expect(r.replacement?.outcome).toBe('not-needed');
  expect(r.drain?.outcome).toBe('not-ours');
  expect(world.ci(victim).status).toBe('ACTIVE');
  expect(world.mark(victim)).toBeUndefined();
  return { ...world, victim };
}

describe('rebalance recommendations', () => {
  it('does nothing by default (off): no replacement, no mark, the instance stays ACTIVE', async () => {
    const { account, b, ci, mark } = spotAsg();
    const victim = b.instances[0]!.instanceId;
    const r = asRebalance(await spotWorld(account).handler(recommendRebalance(account, victim)));
    expect(r.mode).toBe('off');
    expect(r.replacement).toBeUndefined();
    expect(
      account.calls.filter((c) => ['DetachInstances', 'PutAttributes', 'UpdateContainerInstancesState'].includes(c.operation)),
    ).toEqual([]);
    expect(ci(victim).status).toBe('ACTIVE');
    expect(mark(victim)).toBeUndefined();
  });

  it('replace: asks the ASG for the replacement within seconds, as at the notice, and leaves the instance serving', async () => {
    const { account, b, ci, mark } = spotAsg();
    const victim = b.instances[0]!.instanceId;
    const world = spotWorld(account, { rebalance: 'replace' });
    const event = recommendRebalance(account, victim);
    const r = asRebalance(await world.handler(event));
    expect(r.replacement).toMatchObject({ outcome: 'requested', action: 'detach', group: b.backend.id });
    expect((r.replacement!.at! - Date.parse(event.time)) / 1000).toBeLessThanOrEqual(5);
    expect(world.metrics.values.get('secondsToCapacityRequest')).toBeLessThanOrEqual(5);
    const group = account.autoscaling.groupState(b.backend.id);
    expect(group.desired).toBe(3);
    expect(group.instances.map((i) => i.instanceId)).not.toContain(victim);
    expect(ci(victim).status).toBe('ACTIVE');
    // Our mark only (no DRAINING): the tick's memory to attach it back if no notice follows.
    expect(mark(victim)).toMatch(/^rebalance@/);
    expect(r.mark?.outcome).toBe('marked');
  });

  it('replace-and-drain: DRAINING with our mark; ECS moves the tasks start-before-stop, every target group keeps healthy targets, no task stopped before its targets left', async () => {
    const { account, b, ci, mark } = spotAsg();
    const victim = b.instances[0]!.instanceId;
    const world = spotWorld(account, { rebalance: 'replace-and-drain' });
    const from = account.clock.now();
    const r = asRebalance(await world.handler(recommendRebalance(account, victim)));
    expect(r.replacement?.outcome).toBe('requested');
    expect(r.drain?.outcome).toBe('draining');
    expect(ci(victim).status).toBe('DRAINING');
    expect(mark(victim)).toMatch(/^rebalance@/);
    account.clock.advance(5 * 60_000);
    // We stopped nothing and deregistered nothing: ECS did, once each replacement was healthy.
    expect(account.calls.filter((c) => c.operation === 'StopTask' || c.operation === 'DeregisterTargets')).toEqual([]);
    const onVictim = account.ecs.tasks.all().filter((t) => t.containerInstanceArn === ci(victim).arn && t.lastStatus === 'RUNNING');
    expect(onVictim).toEqual([]);
    expect(runningOf(account, b.cluster, 'app')).toBe(3);
    expect(secondsWithoutHealthy(account, b.targetGroupArn!, from, account.clock.now())).toBe(0);
    expect(stoppedBeforeTargetsDrained(account, b.targetGroupArn!)).toEqual([]);
    expect(account.ecs.killedByTermination()).toEqual([]);
  });

  it('retries a refused mark within the recommendation (a later retry of the record would find the instance detached)', async () => {
    const { account, b, ci, mark } = spotAsg();
    const victim = b.instances[0]!.instanceId;
    // Past the SDK's own retries, so our retry policy must carry it.
    account.failNext('ecs', 'PutAttributes', () => simError('ServerException', 'simulated ECS outage', 500), { times: 10 });
    const world = spotWorld(account, { rebalance: 'replace-and-drain' });
    const r = asRebalance(await world.handler(recommendRebalance(account, victim)));
    expect(r.error).toBeUndefined();
    expect(r.drain?.outcome).toBe('draining');
    expect(ci(victim).status).toBe('DRAINING');
    expect(mark(victim)).toMatch(/^rebalance@/);
    expect(world.metrics.values.get('rebalanceFailures')).toBeUndefined();
  });

  it('hands the drain to a Spot notice that follows: the notice drain runs on the DRAINING instance and the tick never calls it off', async () => {
    const { account, b, ci, mark } = spotAsg();
    const victim = b.instances[0]!.instanceId;
    const spot = spotWorld(account, { rebalance: 'replace-and-drain' });
    const tick = capacityWorld(account, { REBALANCE_DRAIN_MAX_SECONDS: BOUND });
    await spot.handler(recommendRebalance(account, victim));
    // The notice comes just before the bound, so the tick's next looks fall inside its two minutes.
    account.clock.advance(9 * 60_000 + 30_000);
    const notice = await spot.handler(account.ec2.interruptSpot(victim));
    expect(notice).toMatchObject({ ec2InstanceId: victim, outcome: 'drained' });
    expect(mark(victim)).toMatch(/^spot-notice@/);
    expect(ci(victim).status).toBe('DRAINING');
    for (let m = 0; m < 3; m++) {
      const steps = tick.report(await tick.minute(), b.cluster).steps;
      expect(
        steps.filter((s) => s.ec2InstanceId === victim && (s.kind === 'endRebalance' || (s.kind === 'setActive' && !s.skipped))),
      ).toEqual([]);
    }
    expect(account.ec2.instance(victim)!.state).toBe('terminated');
    expect(account.ecs.killedByTermination()).toEqual([]);
  });

  it('a notice takes over only our rebalance drain: another retirement’s mark on a DRAINING instance stays as it is', async () => {
    const { account, b, ci, mark } = spotAsg();
    const victim = b.instances[1]!.instanceId;
    const clients = account.clients();
    const scaleIn = `scale-in@${new Date(account.clock.now()).toISOString()}`;
    await clients.ecs.send(
      new PutAttributesCommand({
        cluster: b.cluster,
        attributes: [{ name: RETIRING_ATTRIBUTE, value: scaleIn, targetId: ci(victim).arn }],
      }),
    );
    await clients.ecs.send(
      new UpdateContainerInstancesStateCommand({ cluster: b.cluster, containerInstances: [ci(victim).arn], status: 'DRAINING' }),
    );
    await spotWorld(account, { rebalance: 'replace-and-drain' }).handler(account.ec2.interruptSpot(victim));
    expect(mark(victim)).toBe(scaleIn);
  });

  it('yields to a notice in the same batch (AWS may send both together): one drain, one replacement', async () => {
    const { account, b, ci } = spotAsg();
    const victim = b.instances[0]!.instanceId;
    const world = spotWorld(account, { rebalance: 'replace-and-drain' });
    const { response, results } = await world.handleBatch([recommendRebalance(account, victim), account.ec2.interruptSpot(victim)]);
    expect(response.batchItemFailures).toEqual([]);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ ec2InstanceId: victim, outcome: 'drained', replacement: { outcome: 'requested' } });
    expect(account.calls.filter((c) => c.operation === 'DetachInstances')).toHaveLength(1);
    expect(ci(victim).status).toBe('DRAINING');
  });

  it('replace-and-drain leaves a Spot Fleet’s instance to the fleet: no replacement asked, no drain begun', async () => {
    await untouchedByRecommendation({ backend: 'spotFleet' });
  });

  it('calls the drain off when no notice follows within the bound: ACTIVE again, mark gone; capacity never removed it meanwhile', async () => {
    // Capacity Rebalancing: the group keeps the instance (no detach), so scale-in could have taken it for drained.
    const { account, b, ci, mark } = spotAsg({ capacityRebalance: true });
    const victim = b.instances[0]!.instanceId;
    await spotWorld(account, { rebalance: 'replace-and-drain' }).handler(recommendRebalance(account, victim));
    const tick = capacityWorld(account, { REBALANCE_DRAIN_MAX_SECONDS: BOUND, SCALE_IN_COOLDOWN_SECONDS: '0' });
    const statuses: string[] = [];
    // Ticks at 0…10 minutes after the recommendation: the bound (10 min) is reached at the last one.
    for (let m = 0; m <= 10; m++) {
      const r = tick.report(await tick.minute(), b.cluster);
      expect(r.decision).not.toBe('error');
      expect(r.steps.filter((s) => s.ec2InstanceId === victim && s.kind === 'retire')).toEqual([]);
      statuses.push(ci(victim).status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill('DRAINING'));
    expect(ci(victim).status).toBe('ACTIVE');
    expect(mark(victim)).toBeUndefined();
    expect(account.ec2.instance(victim)!.state).toBe('running');
    expect(account.autoscaling.groupState(b.backend.id).instances.map((i) => i.instanceId)).toContain(victim);
  });

  it('changes nothing for an instance not ours, nor for a forged mark on someone else’s drain', async () => {
    const { account } = await untouchedByRecommendation({ tagged: false });
    expect(
      account.calls.filter((c) => ['DetachInstances', 'PutAttributes', 'UpdateContainerInstancesState'].includes(c.operation)),
    ).toEqual([]);

    // A forged `rebalance` mark, long past the bound, on an on-demand instance drained by hand: never set ACTIVE by us.
    const other = new SimulatedAccount();
    const o = buildCapacityCluster(other, { backend: 'asg', instances: 2, tasksPerInstance: 1 });
    const { byHand } = addForeignInstances(other, o.cluster);
    const clients = other.clients();
    await clients.ecs.send(
      new UpdateContainerInstancesStateCommand({
        cluster: o.cluster,
        containerInstances: [byHand.containerInstanceArn],
        status: 'DRAINING',
      }),
    );
    const forged = `rebalance@${new Date(other.clock.now() - 24 * 3600_000).toISOString()}`;
    await clients.ecs.send(
      new PutAttributesCommand({
        cluster: o.cluster,
        attributes: [{ name: RETIRING_ATTRIBUTE, value: forged, targetId: byHand.containerInstanceArn }],
      }),
    );
    const tick = capacityWorld(other, { REBALANCE_DRAIN_MAX_SECONDS: BOUND });
    for (let m = 0; m < 3; m++) await tick.minute();
    const hand = other.ecs.containerInstancesOf(o.cluster).find((c) => c.ec2InstanceId === byHand.instanceId)!;
    expect(hand.status).toBe('DRAINING');
    expect(hand.attributes?.get(RETIRING_ATTRIBUTE)).toBe(forged);
  });
});
