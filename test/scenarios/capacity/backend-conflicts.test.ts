import type { SimulatedAccount } from '../../../sim/account';
import { capacityCluster, capacityWorld } from '../../support/capacity-world';

/** Another team's empty ASG, tagged for `cluster` by someone (its name sorts before ours). */
function foreignGroup(account: SimulatedAccount, tagFor: string, name = 'aaa-other-team') {
  account.autoscaling.createGroup({
    name,
    min: 0,
    max: 10,
    desired: 0,
    instanceIds: [],
    launch: { instanceType: 'c5.large', ecs: { cluster: 'other-team', cpu: 2048, memory: 3584 } },
    tags: [{ key: 'ecs-steady:cluster', value: tagFor }],
  });
}

describe('capacityWriter: a second backend tagged for a cluster by anyone', () => {
  it('keeps scaling out through the backend it already used (our state tags), reports the other and never touches it', async () => {
    const { account, built } = capacityCluster({ backend: 'asg', instances: 2, tasksPerInstance: 4 });
    const world = capacityWorld(account);
    account.ecs.services.setDesiredCount(built.cluster, 'app', 10);
    expect(world.report(await world.minute(), built.cluster).decision).toBe('scale-out');
    for (let minute = 0; minute < 3; minute++) await world.minute();
    const before = account.autoscaling.groupState(built.backend.id).desired;
    foreignGroup(account, built.cluster);
    account.ecs.services.setDesiredCount(built.cluster, 'app', 20); // 100 % CPU and starved
    const r = world.report(await world.minute(), built.cluster);
    expect(r.decision).toBe('scale-out');
    expect(r.backend).toEqual({ kind: 'asg', id: built.backend.id });
    expect(r.conflict).toMatch(
      /2 capacity backends tagged for cap-asg: asg ecs-cap-asg is used \(its instances are registered in cap-asg\); asg aaa-other-team ignored/,
    );
    expect(account.autoscaling.groupState(built.backend.id).desired).toBeGreaterThan(before);
    expect(account.autoscaling.groupState('aaa-other-team').desired).toBe(0);
    expect(world.clusterMetrics.get(built.cluster)!.values.get('capacityBackendConflicts')).toBe(1);
  });

  it('with CAPACITY_BACKENDS set, takes no backend and no cluster from a tag', async () => {
    const { account, built } = capacityCluster({ backend: 'asg', instances: 2, tasksPerInstance: 4 });
    const world = capacityWorld(account, { CAPACITY_BACKENDS: `${built.cluster}=asg:${built.backend.id}` });
    foreignGroup(account, built.cluster);
    foreignGroup(account, 'ghost', 'ghost-group');
    account.ecs.services.setDesiredCount(built.cluster, 'app', 12);
    const result = await world.minute();
    expect(result.clusters.map((c) => c.cluster)).toEqual([built.cluster]);
    const r = world.report(result, built.cluster);
    expect(r).toMatchObject({ decision: 'scale-out', backend: { kind: 'asg', id: built.backend.id } });
    expect(r.conflict).toBeUndefined();
    expect(account.autoscaling.groupState('aaa-other-team').desired).toBe(0);
  });
});
