import { CreateOrUpdateTagsCommand } from '@aws-sdk/client-auto-scaling';
import { CLUSTER_TAG } from '../../../shared/tags';
import { joinInstances } from '../../../sim/builders-common';
import { capacityCluster, capacityWorld } from '../../support/capacity-world';

/**
 * Tag discovery (no CAPACITY_BACKENDS): `ecs-steady:cluster` says where to look, ECS's membership
 * decides. Someone holding only tagging rights rewrites our ASG's cluster tag, or tags another
 * team's ASG for our cluster: the cluster keeps scaling on the backend whose instances are
 * registered in it, and the mismatch is reported and counted.
 */
describe('capacityWriter with tag discovery: a backend serves the cluster its instances are registered in', () => {
  it('keeps scaling out at 100 % CPU on our ASG after its cluster tag was rewritten, and reports the mismatch', async () => {
    const { account, built } = capacityCluster({ backend: 'asg', instances: 2, tasksPerInstance: 4 });
    const world = capacityWorld(account);
    account.ecs.services.setDesiredCount(built.cluster, 'app', 10);
    expect(world.report(await world.minute(), built.cluster).decision).toBe('scale-out');
    for (let minute = 0; minute < 4; minute++) await world.minute();
    const before = account.autoscaling.groupState(built.backend.id).desired;
    await world.clients.autoscaling.send(
      new CreateOrUpdateTagsCommand({
        Tags: [
          {
            ResourceId: built.backend.id,
            ResourceType: 'auto-scaling-group',
            Key: CLUSTER_TAG,
            Value: 'elsewhere',
            PropagateAtLaunch: false,
          },
        ],
      }),
    );
    account.ecs.services.setDesiredCount(built.cluster, 'app', 24); // 100 % CPU and starved
    const r = world.report(await world.minute(), built.cluster);
    expect(r).toMatchObject({ decision: 'scale-out', backend: { kind: 'asg', id: built.backend.id } });
    expect(r.conflict).toMatch(
      /asg ecs-cap-asg: its ecs-steady:cluster tag says "elsewhere", but its instances are registered in cap-asg: it keeps serving cap-asg/,
    );
    expect(account.autoscaling.groupState(built.backend.id).desired).toBeGreaterThan(before);
    expect(world.clusterMetrics.get(built.cluster)!.values.get('capacityBackendConflicts')).toBe(1);
    // The cluster the tag now names is never scaled with it (its instances are not there).
    expect(world.writer.reports.filter((x) => x.cluster === 'elsewhere' && x.decision !== 'error')).toEqual([]);
  });

  it('never uses another team’s ASG tagged for our cluster whose instances are registered elsewhere, and reports it', async () => {
    const { account, built } = capacityCluster({ backend: 'asg', instances: 2, tasksPerInstance: 4 });
    const world = capacityWorld(account);
    // Theirs sorts first by name and, written by anyone, even carries our last-scale-out tag.
    account.ecs.createCluster('other-team');
    const theirs = joinInstances(
      account,
      'other-team',
      2,
      { instanceType: 'c5.large', cpu: 2048, memory: 3584 },
      {
        lifecycle: 'on-demand',
        asgName: 'aaa-other-team',
      },
    );
    account.autoscaling.createGroup({
      name: 'aaa-other-team',
      min: 0,
      max: 10,
      desired: 2,
      instanceIds: theirs.map((i) => i.instanceId),
      launch: { instanceType: 'c5.large', ecs: { cluster: 'other-team', cpu: 2048, memory: 3584 } },
      tags: [
        { key: CLUSTER_TAG, value: built.cluster },
        { key: 'ecs-steady:last-scale-out', value: '2026-01-01T00:00:00.000Z' },
      ],
    });
    account.ecs.services.setDesiredCount(built.cluster, 'app', 12); // 100 % CPU and starved
    const r = world.report(await world.minute(), built.cluster);
    expect(r).toMatchObject({ decision: 'scale-out', backend: { kind: 'asg', id: built.backend.id } });
    expect(r.conflict).toMatch(
      /asg aaa-other-team claims cap-asg \(ecs-steady:cluster=cap-asg\) but none of its 2 in-service instance\(s\) is registered in cap-asg: never used for it/,
    );
    expect(account.autoscaling.groupState('aaa-other-team').desired).toBe(2);
    expect(account.autoscaling.groupState(built.backend.id).desired).toBeGreaterThan(2);
    expect(world.clusterMetrics.get(built.cluster)!.values.get('capacityBackendConflicts')).toBe(1);
  });
});
