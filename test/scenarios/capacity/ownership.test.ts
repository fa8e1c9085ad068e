import { M5_LARGE, joinInstances } from '../../../sim/builders-common';
import { capacityCluster, capacityWorld, runningOf } from '../../support/capacity-world';

/**
 * A quiet cluster of our ASG's 4 instances (one `app` task each) that also holds an empty
 * instance of another team's ASG and an empty one launched by hand: the emptiest instances in
 * the cluster, and neither is ours to drain or remove.
 */
function sharedCluster() {
  const { account, built } = capacityCluster({ backend: 'asg', instances: 4, tasksPerInstance: 1 });
  const [foreign] = joinInstances(account, built.cluster, 1, M5_LARGE, { lifecycle: 'on-demand', asgName: 'other-team' });
  account.autoscaling.createGroup({
    name: 'other-team',
    min: 1,
    max: 1,
    desired: 1,
    instanceIds: [foreign!.instanceId],
    launch: { instanceType: M5_LARGE.instanceType, ecs: { cluster: built.cluster, cpu: M5_LARGE.cpu, memory: M5_LARGE.memory } },
    tags: [],
  });
  const [byHand] = joinInstances(account, built.cluster, 1, M5_LARGE, { lifecycle: 'on-demand' });
  return { account, built, foreign: foreign!, byHand: byHand! };
}

describe('scale-in takes out only instances a backend of ours holds', () => {
  it('never marks, drains or removes another team’s or a hand-launched instance, and keeps scaling in around them', async () => {
    const { account, built, foreign, byHand } = sharedCluster();
    const world = capacityWorld(account, { SCALE_IN_COOLDOWN_SECONDS: '0' });
    const theirs = [foreign.instanceId, byHand.instanceId];
    const drained: string[] = [];
    for (let minute = 0; minute < 20; minute++) {
      const r = world.report(await world.minute(), built.cluster);
      expect(r.decision).not.toBe('error');
      if (r.instanceToDrain) drained.push(r.instanceToDrain);
      expect(r.steps.filter((s) => s.ec2InstanceId && theirs.includes(s.ec2InstanceId))).toEqual([]);
    }
    expect(drained.length).toBeGreaterThanOrEqual(2);
    expect(drained.every((id) => built.instances.some((i) => i.instanceId === id))).toBe(true);
    for (const id of theirs) {
      expect(account.ec2.instance(id)!.state).toBe('running');
      expect(account.ecs.containerInstancesOf(built.cluster).find((ci) => ci.ec2InstanceId === id)!.status).toBe('ACTIVE');
    }
    expect(account.autoscaling.groupState('other-team').instances.map((i) => i.instanceId)).toEqual([foreign.instanceId]);
    expect(account.autoscaling.groupState(built.backend.id).desired).toBe(4 - drained.length);
    expect(runningOf(account, built.cluster, 'app')).toBe(4);
    expect(account.ecs.killedByTermination()).toEqual([]);
  });
});
