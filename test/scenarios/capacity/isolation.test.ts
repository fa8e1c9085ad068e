import { CreateOrUpdateTagsCommand } from '@aws-sdk/client-auto-scaling';
import { SimulatedAccount } from '../../../sim/account';
import { buildCapacityCluster } from '../../../sim/builders-capacity';
import { serverError } from '../../../sim/errors';
import { capacityWorld, runningOf } from '../../support/capacity-world';

/** A cluster whose `app` wants 4 more tasks than fit: the next tick must scale it out. */
function starved(account: SimulatedAccount, cluster: string) {
  const b = buildCapacityCluster(account, { cluster, backend: 'asg', instances: 2, tasksPerInstance: 2 });
  account.ecs.services.setDesiredCount(cluster, 'app', 12);
  return b;
}

describe('scaleTick: one broken cluster never stops the others', () => {
  it('reports a cluster with a bad tag and one whose reads keep failing, scales the healthy one out, and one with two backends through one of them', async () => {
    const account = new SimulatedAccount();
    const healthy = starved(account, 'healthy');
    buildCapacityCluster(account, { cluster: 'twice', backend: 'spotFleet', instances: 1, tasksPerInstance: 0 });
    starved(account, 'twice');
    const badTag = starved(account, 'bad-tag');
    await account.clients().autoscaling.send(
      new CreateOrUpdateTagsCommand({
        Tags: [
          {
            ResourceId: badTag.backend.id,
            ResourceType: 'auto-scaling-group',
            Key: 'ecs-steady:max-step',
            Value: 'lots',
            PropagateAtLaunch: false,
          },
        ],
      }),
    );
    starved(account, 'down');
    account.failNext('ecs', 'ListContainerInstances', () => serverError('ecs'), {
      times: 1000,
      when: (input: { cluster?: string }) => input.cluster === 'down',
    });

    const world = capacityWorld(account);
    const result = await world.tick();
    const by = (c: string) => world.report(result, c);
    expect(by('healthy').decision).toBe('scale-out');
    expect(account.autoscaling.groupState(healthy.backend.id).desired).toBe(4);
    // Neither carries our state tags yet: the first by kind and id keeps working, the other is reported.
    expect(by('twice')).toMatchObject({
      decision: 'scale-out',
      backend: { kind: 'asg', id: 'ecs-twice' },
      conflict: expect.stringMatching(
        /2 capacity backends tagged for twice: asg ecs-twice is used \(first by kind and id\); spotFleet sfr-/,
      ),
    });
    expect(by('bad-tag')).toMatchObject({
      decision: 'error',
      error: expect.stringMatching(/ecs-steady:max-step="lots": expected a whole number/),
    });
    expect(by('down')).toMatchObject({ decision: 'error', error: expect.stringMatching(/ServiceUnavailable|InternalFailure|Server/) });
    expect(account.autoscaling.groupState(badTag.backend.id).desired).toBe(2);
    for (const c of ['bad-tag', 'down']) expect(world.clusterMetrics.get(c)!.values.get('capacityTickErrors')).toBe(1);
    expect(world.clusterMetrics.get('twice')!.values.get('capacityBackendConflicts')).toBe(1);
    expect(world.clusterMetrics.get('healthy')!.values.get('decisionsScaleOut')).toBe(1);

    for (let minute = 0; minute < 4; minute++) await world.minute();
    expect(runningOf(account, 'healthy', 'app')).toBe(12);
  });

  it('decides the same under ECS throttling on the Describe and List calls, only later', async () => {
    const account = new SimulatedAccount();
    const clusters = ['a', 'b', 'c'].map((c) => starved(account, c));
    account.rateLimits.set('ecs:cluster-resource-read', { capacity: 3, refillPerSecond: 1 });
    const world = capacityWorld(account);
    const started = account.clock.now();
    const result = await world.tick();
    for (const b of clusters) {
      expect(world.report(result, b.cluster).decision).toBe('scale-out');
      expect(account.autoscaling.groupState(b.backend.id).desired).toBe(4);
    }
    expect(account.calls.some((c) => c.throttledBy === 'ecs:cluster-resource-read')).toBe(true);
    expect(account.clock.now() - started).toBeLessThan(50_000);
  });

  it('changes nothing in dry-run, and says what it would have done', async () => {
    const account = new SimulatedAccount();
    const b = starved(account, 'dry');
    const world = capacityWorld(account, { DRY_RUN: 'true' });
    const r = world.report(await world.tick(), 'dry');
    expect(r).toMatchObject({ decision: 'scale-out', dryRun: true, plannedDesired: 4 });
    expect(r.steps.every((s) => s.skipped === 'dry run')).toBe(true);
    expect(account.autoscaling.groupState(b.backend.id).desired).toBe(2);
    expect(account.calls.filter((c) => /^(Set|Terminate|Modify|Create|Tag|Update)/.test(c.operation))).toEqual([]);
  });
});
