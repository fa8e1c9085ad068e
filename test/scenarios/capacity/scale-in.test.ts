import { TagResourceCommand, UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import { capacityCluster, capacityWorld, runningOf } from '../../support/capacity-world';
import { stoppedBeforeTargetsDrained } from '../../support/drain-checks';

describe('scaleTick: scale-in', () => {
  it('scales a quiet cluster in one instance at a time, stopping no task before its targets drained, and removes exactly the drained one', async () => {
    const { account, built } = capacityCluster({
      backend: 'asg',
      instances: 4,
      tasksPerInstance: 1,
      loadBalanced: { deregistrationDelaySeconds: 120 },
    });
    const world = capacityWorld(account, { SCALE_IN_COOLDOWN_SECONDS: '0' });
    const group = () => account.autoscaling.groupState(built.backend.id);
    const drained: string[] = [];
    let maxDraining = 0;
    for (let minute = 0; minute < 20; minute++) {
      const r = world.report(await world.minute(), built.cluster);
      if (r.instanceToDrain) drained.push(r.instanceToDrain);
      const draining = account.ecs.containerInstancesOf(built.cluster).filter((ci) => ci.status === 'DRAINING').length;
      maxDraining = Math.max(maxDraining, draining);
      expect(r.decision).not.toBe('error');
    }
    // 4 tasks of 512 CPU: 25 % on 4 instances, 33 % on 3, 50 % on 2 (not under the 50 % threshold).
    expect(group().desired).toBe(2);
    expect(drained).toHaveLength(2);
    expect(maxDraining).toBe(1);
    // Exactly the drained instances were terminated; the others stay in service.
    const gone = built.instances.filter((i) => account.ec2.instance(i.instanceId)?.state !== 'running').map((i) => i.instanceId);
    expect(gone.sort()).toEqual([...drained].sort());
    expect(
      group()
        .instances.map((i) => i.instanceId)
        .sort(),
    ).toEqual(
      built.instances
        .map((i) => i.instanceId)
        .filter((id) => !drained.includes(id))
        .sort(),
    );
    expect(account.ecs.killedByTermination()).toEqual([]);
    expect(stoppedBeforeTargetsDrained(account, built.targetGroupArn!)).toEqual([]);
    expect(runningOf(account, built.cluster, 'app')).toBe(4);
  });

  it('resumes a drain that outlasts one tick (300 s deregistration delay) and removes the instance once it is empty', async () => {
    const { account, built } = capacityCluster({
      backend: 'asg',
      instances: 3,
      tasksPerInstance: 1,
      loadBalanced: { deregistrationDelaySeconds: 300 },
    });
    const world = capacityWorld(account, { SCALE_IN_COOLDOWN_SECONDS: '0', MAX_DRAINING: '1' });
    const decisions: string[] = [];
    const removals: boolean[] = [];
    for (let minute = 0; minute < 10; minute++) {
      const r = world.report(await world.minute(), built.cluster);
      decisions.push(r.decision);
      removals.push(r.steps.some((s) => s.kind === 'retire' && s.detail === 'removed'));
    }
    // Scale-in; the drain goes on over the next ticks (resumed by retire) and nothing else starts meanwhile; the empty
    // instance is removed by the resumed retirement after the 300 s deregistration delay; only then may the next scale-in start.
    expect(decisions[0]).toBe('scale-in');
    const removedAt = removals.indexOf(true);
    expect(removedAt).toBeGreaterThanOrEqual(5);
    expect(removals.filter(Boolean)).toHaveLength(1);
    expect(decisions.slice(1, removedAt + 1).every((d) => d === 'none')).toBe(true);
    expect(decisions.indexOf('scale-in', 1) === -1 || decisions.indexOf('scale-in', 1) > removedAt).toBe(true);
    expect(account.autoscaling.groupState(built.backend.id).desired).toBeLessThanOrEqual(2);
    expect(account.ecs.killedByTermination()).toEqual([]);
    expect(stoppedBeforeTargetsDrained(account, built.targetGroupArn!)).toEqual([]);
  });

  it('removes a stale scale-in mark, so a later drain by someone else is never taken for ours and removed', async () => {
    // 75 % CPU: no scale-in or scale-out of its own; one instance carries a mark a crashed tick left behind.
    const { account, built } = capacityCluster({ backend: 'asg', instances: 3, tasksPerInstance: 3 });
    const world = capacityWorld(account);
    const stale = built.instances[0]!;
    await account.clients().ecs.send(
      new TagResourceCommand({
        resourceArn: stale.containerInstanceArn,
        tags: [{ key: 'ecs-steady:scale-in', value: '2026-11-23T09:00:00.000Z' }],
      }),
    );
    const first = world.report(await world.minute(), built.cluster);
    expect(first.steps).toContainEqual(expect.objectContaining({ kind: 'unmarkScaleIn', ec2InstanceId: stale.instanceId, ok: true }));
    // Later someone else drains it (an operator, agentHealth): not ours to remove.
    await account.clients().ecs.send(
      new UpdateContainerInstancesStateCommand({
        cluster: built.cluster,
        containerInstances: [stale.containerInstanceArn],
        status: 'DRAINING',
      }),
    );
    for (let minute = 0; minute < 5; minute++) {
      const r = world.report(await world.minute(), built.cluster);
      expect(r.steps.filter((x) => x.ec2InstanceId === stale.instanceId)).toEqual([]);
    }
    expect(account.ec2.instance(stale.instanceId)!.state).toBe('running');
    expect(account.autoscaling.groupState(built.backend.id).instances.map((i) => i.instanceId)).toContain(stale.instanceId);
  });
});
