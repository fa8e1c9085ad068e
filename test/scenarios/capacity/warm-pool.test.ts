import { DescribeWarmPoolCommand } from '@aws-sdk/client-auto-scaling';
import { SimulatedAccount } from '../../../sim/account';
import { WARM_POOL_ENTRY_MS } from '../../../sim/autoscaling-warm-pool';
import { buildCapacityCluster } from '../../../sim/builders-capacity';
import { capacityWorld, runningOf } from '../../support/capacity-world';

/** 2 full m5.large (4 tasks of 512 CPU each) on a plain ASG; with a warm pool of Stopped instances prepared up to 6, rested. */
function cluster(warm: boolean) {
  const account = new SimulatedAccount();
  const b = buildCapacityCluster(account, {
    backend: 'asg',
    instances: 2,
    tasksPerInstance: 4,
    ...(warm ? { warmPool: { maxGroupPreparedCapacity: 6, poolState: 'Stopped' as const } } : {}),
  });
  account.advance(WARM_POOL_ENTRY_MS);
  return { account, b, before: new Set(b.instances.map((i) => i.instanceId)) };
}

/** When the first task of `app` on an instance that was not there at the start began to run. */
function firstRunningOnNew(account: SimulatedAccount, clusterName: string, before: ReadonlySet<string>): number | undefined {
  const started = account.ecs.tasks
    .all()
    .filter((t) => t.cluster === clusterName && t.serviceName === 'app' && !before.has(t.ec2InstanceId) && t.startedAt !== undefined)
    .map((t) => t.startedAt!);
  return started.length > 0 ? Math.min(...started) : undefined;
}

async function timeToRunning(warm: boolean) {
  const { account, b, before } = cluster(warm);
  const world = capacityWorld(account);
  account.ecs.services.setDesiredCount(b.cluster, 'app', 12); // 4 more than fit
  expect(world.report(await world.minute(), b.cluster).decision).toBe('scale-out');
  const request = account.calls.find((c) => c.operation === 'SetDesiredCapacity' && !c.error)!;
  for (let m = 0; m < 3; m++) await world.minute();
  return { account, b, request, running: firstRunningOnNew(account, b.cluster, before) };
}

describe('capacity with an ASG warm pool', () => {
  it('a scale-out draws from the pool: the first task runs on new capacity within 45 s of the request (a cold launch takes over a minute)', async () => {
    const warm = await timeToRunning(true);
    const cold = await timeToRunning(false);
    expect(warm.running! - warm.request.at).toBeLessThanOrEqual(45_000);
    expect(cold.running! - cold.request.at).toBeGreaterThan(60_000);
    expect(warm.account.autoscaling.activities(warm.b.backend.id).some((a) => a.description.includes('from warm pool'))).toBe(true);
    expect(runningOf(warm.account, warm.b.cluster, 'app')).toBe(12);
  });

  it('scale-in terminates the drained instance (ECS groups cannot reuse it) and the pool refills to what it may prepare', async () => {
    const { account, b } = await timeToRunning(true);
    account.ecs.services.setDesiredCount(b.cluster, 'app', 4);
    const world = capacityWorld(account, { SCALE_IN_COOLDOWN_SECONDS: '0' });
    let drained: string | undefined;
    for (let m = 0; m < 15 && !drained; m++) drained = world.report(await world.minute(), b.cluster).instanceToDrain;
    expect(drained).toBeDefined();
    for (let m = 0; m < 10 && account.ec2.instance(drained!)!.state !== 'terminated'; m++) await world.minute();
    expect(account.ec2.instance(drained!)!.state).toBe('terminated');
    const { autoscaling } = account.clients();
    const pool = await autoscaling.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: b.backend.id }));
    const desired = account.autoscaling.groupState(b.backend.id).desired;
    expect(pool.Instances!.map((i) => i.InstanceId)).not.toContain(drained);
    expect(pool.Instances).toHaveLength(6 - desired);
    expect(account.ecs.killedByTermination()).toEqual([]);
  });
});
