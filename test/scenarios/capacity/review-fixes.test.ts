import { SimulatedAccount } from '../../../sim/account';
import { buildCapacityCluster } from '../../../sim/builders-capacity';
import { serverError } from '../../../sim/errors';
import { runTaskFailure, runTaskResult } from '../../support/capacity-events';
import { capacityWorld } from '../../support/capacity-world';
import { container } from '../../../sim/builders-common';

describe('scaleTick: what a cold review found', () => {
  it('reports every configured cluster as an error, with metrics, when no backend can be read all tick long', async () => {
    const account = new SimulatedAccount();
    buildCapacityCluster(account, { cluster: 'web', backend: 'asg', instances: 2 });
    account.failDuring('ec2', 'DescribeSpotFleetRequests', () => serverError('ec2'), { from: 0, to: Number.MAX_SAFE_INTEGER });
    const world = capacityWorld(account, { CLUSTERS: 'web' });
    const r = world.report(await world.tick(), 'web');
    expect(r).toMatchObject({ decision: 'error', error: expect.stringMatching(/capacity backends could not be read/) });
    expect(world.clusterMetrics.get('web')!.values.get('capacityTickErrors')).toBe(1);
  });

  it('rides out a short outage of the backend reads inside the tick', async () => {
    const account = new SimulatedAccount();
    const b = buildCapacityCluster(account, { cluster: 'web', backend: 'asg', instances: 2, tasksPerInstance: 4 });
    account.ecs.services.setDesiredCount('web', 'app', 12);
    const now = account.clock.now();
    account.failDuring('ec2', 'DescribeSpotFleetRequests', () => serverError('ec2'), { from: now, to: now + 5_000 });
    const world = capacityWorld(account);
    expect(world.report(await world.tick(), 'web').decision).toBe('scale-out');
    expect(account.autoscaling.groupState(b.backend.id).desired).toBeGreaterThan(2);
  });

  it('looks past emptier instances that run batch jobs to find one it can scale in', async () => {
    const account = new SimulatedAccount();
    const b = buildCapacityCluster(account, { backend: 'asg', instances: 8, tasksPerInstance: 0 });
    const job = account.ecs.registerTaskDefinition({
      family: 'job',
      networkMode: 'bridge',
      containerDefinitions: [container('job', 'job', 128, 128)],
    });
    // The five lowest ids run a small batch job each (ties in task count go by id: they are read first), and are never candidates.
    const byId = [...b.instances].sort((x, y) => (x.instanceId < y.instanceId ? -1 : 1));
    for (const i of byId.slice(0, 5))
      account.ecs.startTask({
        cluster: b.cluster,
        containerInstanceArn: i.containerInstanceArn,
        taskDefinition: job.taskDefinitionArn!,
        group: 'family:job',
      });
    account.ecs.services.setDesiredCount(b.cluster, 'app', 3); // placed on the three instances with the most room
    account.clock.advance(60_000);
    const world = capacityWorld(account, { SCALE_IN_COOLDOWN_SECONDS: '0' });
    const r = world.report(await world.minute(), b.cluster);
    expect(r.decision).toBe('scale-in');
    expect(byId.slice(5).map((i) => i.instanceId)).toContain(r.instanceToDrain);
  });
});

describe('runTaskFailure: what a cold review found', () => {
  it('asks once for a result SNS delivered twice within one batch', async () => {
    const account = new SimulatedAccount();
    const b = buildCapacityCluster(account, { backend: 'asg', instances: 2, tasksPerInstance: 4 });
    const once = new SimulatedAccount();
    const b1 = buildCapacityCluster(once, { backend: 'asg', instances: 2, tasksPerInstance: 4 });
    for (const [acc, cluster] of [
      [account, b.cluster],
      [once, b1.cluster],
    ] as const) {
      const fn = runTaskFailure(acc);
      const message = runTaskResult(cluster, `${cluster}-app:1`, 3, acc.clock.now(), { reasons: ['RESOURCE:CPU'] });
      fn.publish(message);
      if (acc === account) fn.publish(message); // the duplicate, in the same batch
      await fn.source.run();
    }
    expect(account.autoscaling.groupState(b.backend.id).desired).toBe(once.autoscaling.groupState(b1.backend.id).desired);
  });
});
