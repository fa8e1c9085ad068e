import { CreateOrUpdateTagsCommand } from '@aws-sdk/client-auto-scaling';
import { TagResourceCommand, UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import { container } from '../../../sim/builders-common';
import { addForeignInstances } from '../../../sim/builders-capacity';
import { SCALE_IN_DRAINS_TAG, SCALE_IN_TAG } from '../../../shared/tags';
import { capacityCluster, capacityWorld, runningOf } from '../../support/capacity-world';

/**
 * A quiet cluster of our ASG's 4 instances (one `app` task each) that also holds an empty
 * instance of another team's ASG and an empty one launched by hand: the emptiest instances in
 * the cluster, and neither is ours to drain or remove.
 */
function sharedCluster() {
  const { account, built } = capacityCluster({ backend: 'asg', instances: 4, tasksPerInstance: 1 });
  const { foreign, byHand } = addForeignInstances(account, built.cluster);
  return { account, built, foreign, byHand };
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

  it('scales out and back in through our ASG alone while the cluster holds their instances', async () => {
    const { account, built, foreign, byHand } = sharedCluster();
    const world = capacityWorld(account, { SCALE_IN_COOLDOWN_SECONDS: '0' });
    const group = () => account.autoscaling.groupState(built.backend.id);
    account.ecs.services.setDesiredCount(built.cluster, 'app', 24); // more than every instance holds, theirs included
    const decisions: string[] = [];
    for (let minute = 0; minute < 6; minute++) decisions.push(world.report(await world.minute(), built.cluster).decision);
    expect(decisions).toContain('scale-out');
    expect(runningOf(account, built.cluster, 'app')).toBe(24);
    const peak = group().desired;
    expect(peak).toBeGreaterThan(4);
    account.ecs.services.setDesiredCount(built.cluster, 'app', 4);
    for (let minute = 0; minute < 30; minute++) decisions.push(world.report(await world.minute(), built.cluster).decision);
    expect(decisions).not.toContain('error');
    expect(group().desired).toBeLessThan(peak);
    expect(account.autoscaling.groupState('other-team').instances.map((i) => i.instanceId)).toEqual([foreign.instanceId]);
    for (const id of [foreign.instanceId, byHand.instanceId]) expect(account.ec2.instance(id)!.state).toBe('running');
    expect(account.ecs.killedByTermination()).toEqual([]);
  });

  it('never removes an instance an operator set DRAINING and anyone tagged as scaled in: our own record does not name it', async () => {
    // 50 % CPU: no scale-in or scale-out of its own.
    const { account, built } = capacityCluster({ backend: 'asg', instances: 4, tasksPerInstance: 2 });
    const world = capacityWorld(account);
    const victim = built.instances[0]!;
    const ecs = account.clients().ecs;
    await ecs.send(
      new UpdateContainerInstancesStateCommand({
        cluster: built.cluster,
        containerInstances: [victim.containerInstanceArn],
        status: 'DRAINING',
      }),
    );
    await ecs.send(
      new TagResourceCommand({
        resourceArn: victim.containerInstanceArn,
        tags: [{ key: 'ecs-steady:scale-in', value: new Date(account.clock.now()).toISOString() }],
      }),
    );
    for (let minute = 0; minute < 8; minute++) {
      const r = world.report(await world.minute(), built.cluster);
      expect(r.decision).not.toBe('remove-drained');
      expect(r.steps.filter((x) => x.ec2InstanceId === victim.instanceId)).toEqual([]);
    }
    expect(account.ec2.instance(victim.instanceId)!.state).toBe('running');
    expect(account.autoscaling.groupState(built.backend.id).instances.map((i) => i.instanceId)).toContain(victim.instanceId);
    expect(account.autoscaling.groupState(built.backend.id).desired).toBe(4);
  });

  it('never removes an operator’s DRAINING instance even when someone also forges our drain record: the old scale-in tag is no mark', async () => {
    const { account, built } = capacityCluster({ backend: 'asg', instances: 4, tasksPerInstance: 2 });
    const world = capacityWorld(account);
    const victim = built.instances[0]!;
    const clients = account.clients();
    await clients.ecs.send(
      new UpdateContainerInstancesStateCommand({
        cluster: built.cluster,
        containerInstances: [victim.containerInstanceArn],
        status: 'DRAINING',
      }),
    );
    // Both are tagging rights: the last release's scale-in tag on the instance, our record naming it on our ASG.
    await clients.ecs.send(
      new TagResourceCommand({
        resourceArn: victim.containerInstanceArn,
        tags: [{ key: SCALE_IN_TAG, value: new Date(account.clock.now()).toISOString() }],
      }),
    );
    await clients.autoscaling.send(
      new CreateOrUpdateTagsCommand({
        Tags: [
          {
            ResourceId: built.backend.id,
            ResourceType: 'auto-scaling-group',
            Key: SCALE_IN_DRAINS_TAG,
            Value: victim.instanceId,
            PropagateAtLaunch: false,
          },
        ],
      }),
    );
    for (let minute = 0; minute < 8; minute++) {
      const r = world.report(await world.minute(), built.cluster);
      expect(r.steps.filter((x) => x.ec2InstanceId === victim.instanceId && x.kind !== 'unmarkScaleIn')).toEqual([]);
    }
    expect(account.ec2.instance(victim.instanceId)!.state).toBe('running');
    expect(account.autoscaling.groupState(built.backend.id).instances.map((i) => i.instanceId)).toContain(victim.instanceId);
    expect(account.autoscaling.groupState(built.backend.id).desired).toBe(4);
  });

  it('cancels the scale-in when a batch job lands on the chosen instance before DRAINING, and takes another one next', async () => {
    // Two of the four instances run `app`, two are empty: the scale-in candidates. (An instance that runs a service
    // task is not used here: the simulator does not model ECS stopping the replacement a brief DRAINING started.)
    const { account, built } = capacityCluster({ backend: 'asg', instances: 4, tasksPerInstance: 0 });
    account.ecs.services.setDesiredCount(built.cluster, 'app', 2);
    account.clock.advance(60_000);
    const job = account.ecs.registerTaskDefinition({
      family: 'job',
      networkMode: 'bridge',
      containerDefinitions: [container('job', 'job', 128, 128)],
    });
    let landedOn: string | undefined;
    let jobArn: string | undefined;
    // The job launcher's RunTask lands between the candidate read and the mark: as the mark is written.
    account.failNext('ecs', 'PutAttributes', new Error('never thrown'), {
      when: (input: { attributes?: Array<{ name?: string; targetId?: string }> }) => {
        const mark = input.attributes?.find((a) => a.name === 'ecs-steady.retiring');
        if (landedOn || !mark) return false;
        landedOn = mark.targetId;
        jobArn = account.ecs.startTask({
          cluster: built.cluster,
          containerInstanceArn: landedOn!,
          taskDefinition: job.taskDefinitionArn!,
          group: 'family:job',
        });
        return false;
      },
    });
    const world = capacityWorld(account, { SCALE_IN_COOLDOWN_SECONDS: '0' });
    const first = world.report(await world.minute(), built.cluster);
    const chosen = built.instances.find((i) => i.containerInstanceArn === landedOn)!;
    expect(first.instanceToDrain).toBe(chosen.instanceId);
    const job1 = account.ecs.tasks.all().find((t) => t.arn === jobArn)!;
    expect(job1.lastStatus).toBe('RUNNING');
    expect(first.steps).toContainEqual(expect.objectContaining({ kind: 'setActive', ec2InstanceId: chosen.instanceId, ok: true }));
    const ci = () => account.ecs.containerInstancesOf(built.cluster).find((c) => c.ec2InstanceId === chosen.instanceId)!;
    expect(ci().status).toBe('ACTIVE');
    const drained: string[] = [];
    for (let minute = 0; minute < 6; minute++) {
      const r = world.report(await world.minute(), built.cluster);
      if (r.instanceToDrain) drained.push(r.instanceToDrain);
    }
    expect(drained.length).toBeGreaterThan(0);
    expect(drained).not.toContain(chosen.instanceId);
    expect(account.ecs.tasks.all().find((t) => t.arn === jobArn)!.lastStatus).toBe('RUNNING');
    expect(ci().status).toBe('ACTIVE');
    expect(ci().tags?.get('ecs-steady:scale-in')).toBeUndefined();
    expect(ci().attributes?.get('ecs-steady.retiring')).toBeUndefined();
  });
});
