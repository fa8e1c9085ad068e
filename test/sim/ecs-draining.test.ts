import { UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import { SimulatedAccount } from '../../sim/account';
import { M5_LARGE } from '../../sim/builders';

/**
 * One service `web` (desired 4, behind an instance-type target group with a 30 s
 * deregistration delay): two tasks on instance a, two on b, and `spare` empty instances.
 */
function world(options: { minimumHealthyPercent?: number; maximumPercent?: number; spare?: number } = {}) {
  const account = new SimulatedAccount();
  account.ecs.createCluster('c');
  const join = () => {
    const { instanceId } = account.ec2.launchInstance({ lifecycle: 'on-demand', instanceType: M5_LARGE.instanceType });
    return {
      instanceId,
      arn: account.ecs.registerContainerInstance({ cluster: 'c', ec2InstanceId: instanceId, cpu: M5_LARGE.cpu, memory: M5_LARGE.memory }),
    };
  };
  const [a, b] = [join(), join()];
  const spares = Array.from({ length: options.spare ?? 1 }, join);
  const tg = account.elbv2.createTargetGroup({ name: 'web', targetType: 'instance', port: 80, deregistrationDelaySeconds: 30 });
  const def = account.ecs.registerTaskDefinition({
    family: 'web',
    networkMode: 'bridge',
    containerDefinitions: [{ name: 'nginx', image: 'nginx', cpu: 256, memory: 512, portMappings: [{ containerPort: 80 }] }],
  });
  account.ecs.createService({
    cluster: 'c',
    name: 'web',
    taskDefinition: def.taskDefinitionArn!,
    desiredCount: 4,
    loadBalancers: [{ targetGroupArn: tg, containerName: 'nginx', containerPort: 80 }],
    minimumHealthyPercent: options.minimumHealthyPercent,
    maximumPercent: options.maximumPercent,
  });
  const start = (on: { arn: string }) =>
    account.ecs.startTask({ cluster: 'c', containerInstanceArn: on.arn, taskDefinition: def.taskDefinitionArn!, serviceName: 'web' });
  const old = [start(a), start(a)];
  for (let i = 0; i < 2; i += 1) start(b);
  const drainA = () =>
    account.clients().ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'c', containerInstances: [a.arn], status: 'DRAINING' }));
  const live = (instanceId: string) => account.ecs.tasksOn(instanceId).filter((t) => t.desiredStatus === 'RUNNING');
  return { account, a, b, spares, tg, old, drainA, live };
}

describe("ECS's own reaction to a DRAINING instance (on by default, as on AWS)", () => {
  it('is on by default', () => {
    expect(new SimulatedAccount().ecs.drainingReplacesServiceTasks).toBe(true);
  });

  it('minimumHealthyPercent 100 / maximumPercent 200: replacements first, old tasks deregistered once those are healthy, stopped after the delay', async () => {
    const { account, spares, old, drainA, live } = world();
    const t0 = account.clock.now();
    await drainA();
    expect(live(spares[0]!.instanceId).map((t) => t.lastStatus)).toEqual(['PENDING', 'PENDING']);

    account.advance(account.ecs.placementDelayMs); // replacements RUNNING, targets `initial`
    expect(old.map((arn) => account.ecs.task(arn)!.drainRetiringAt)).toEqual([undefined, undefined]);
    account.advance(account.elbv2.healthCheckDelayMs); // replacements healthy: the old ones may go
    const retiredAt = account.clock.now();
    expect(old.map((arn) => account.ecs.task(arn)!.drainRetiringAt)).toEqual([retiredAt, retiredAt]);
    expect(account.elbv2.targetHistory().filter((t) => t.deregisteredBy === 'ecs')).toHaveLength(2);

    account.advance(30_000 - 1);
    expect(old.map((arn) => account.ecs.task(arn)!.desiredStatus)).toEqual(['RUNNING', 'RUNNING']);
    account.advance(1);
    for (const arn of old)
      expect(account.ecs.task(arn)).toMatchObject({
        desiredStatus: 'STOPPED',
        stoppedBy: 'ecs',
        stopCode: 'ServiceSchedulerInitiated',
        stopRequestedAt: t0 + 40_000,
      });
    expect(account.ecs.services.counts(account.ecs.services.get('c', 'web')!)).toEqual({ running: 4, pending: 0 });
  });

  it('minimumHealthyPercent 50 / maximumPercent 100: takes two old tasks first, starts their replacements only once they have stopped', async () => {
    const { account, a, spares, drainA, live } = world({ minimumHealthyPercent: 50, maximumPercent: 100 });
    await drainA();
    expect(live(spares[0]!.instanceId)).toEqual([]); // no room above 100 %
    expect(live(a.instanceId).map((t) => t.drainRetiringAt)).toEqual([account.clock.now(), account.clock.now()]);

    account.advance(30_000); // deregistration delay over: the old ones are stopped, the scheduler replaces them
    expect(live(a.instanceId)).toEqual([]);
    expect(live(spares[0]!.instanceId).map((t) => t.lastStatus)).toEqual(['PENDING', 'PENDING']);
  });

  it('stops PENDING service tasks on the draining instance at once, and leaves standalone tasks alone', async () => {
    const { account, a, drainA } = world();
    const service = account.ecs.services.get('c', 'web')!;
    const pending = account.ecs.tasks.start({
      cluster: 'c',
      containerInstanceArn: a.arn,
      taskDefinition: service.taskDefinitionArn,
      serviceName: 'web',
      pending: true,
    });
    const batch = account.ecs.startTask({
      cluster: 'c',
      containerInstanceArn: a.arn,
      taskDefinition: service.taskDefinitionArn,
      group: 'family:batch',
    });
    await drainA();
    expect(account.ecs.task(pending.arn)).toMatchObject({ desiredStatus: 'STOPPED', stoppedBy: 'ecs' });
    account.advance(120_000);
    expect(account.ecs.task(batch)!.desiredStatus).toBe('RUNNING');
  });

  it('leaves the old tasks while there is no room, and replaces them when capacity registers', async () => {
    const { account, a, old, drainA, live } = world({ spare: 0 });
    // b holds two tasks (512 of 2048 CPU): room for 6 more, so fill it up first.
    account.ecs.services.get('c', 'web')!.desiredCount = 4;
    const filler = account.ecs.registerTaskDefinition({
      family: 'filler',
      containerDefinitions: [{ name: 'f', image: 'f', cpu: 1536, memory: 512 }],
    });
    const b = account.ecs.containerInstancesOf('c').find((ci) => ci.arn !== a.arn)!;
    account.ecs.startTask({ cluster: 'c', containerInstanceArn: b.arn, taskDefinition: filler.taskDefinitionArn!, group: 'family:filler' });
    await drainA();
    account.advance(120_000);
    expect(old.map((arn) => account.ecs.task(arn)!.desiredStatus)).toEqual(['RUNNING', 'RUNNING']);

    const { instanceId } = account.ec2.launchInstance({ lifecycle: 'on-demand', instanceType: M5_LARGE.instanceType });
    account.ecs.registerContainerInstance({ cluster: 'c', ec2InstanceId: instanceId, cpu: M5_LARGE.cpu, memory: M5_LARGE.memory });
    expect(live(instanceId)).toHaveLength(2);
    account.advance(account.ecs.placementDelayMs + account.elbv2.healthCheckDelayMs + 30_000);
    expect(old.map((arn) => account.ecs.task(arn)!.desiredStatus)).toEqual(['STOPPED', 'STOPPED']);
  });

  it('takes an old task whose targets someone else deregistered at once (it is not healthy), stopping it when they have drained', async () => {
    const { account, old, tg, drainA } = world();
    const victim = account.ecs.task(old[0]!)!;
    account.elbv2.deregisterTarget(tg, victim.targets[0]!, 'api');
    account.advance(10_000);
    await drainA();
    expect(account.ecs.task(old[0]!)!.drainRetiringAt).toBe(account.clock.now());
    expect(account.ecs.task(old[1]!)!.drainRetiringAt).toBeUndefined(); // healthy: waits for the replacements
    account.advance(20_000); // 30 s after the first deregistration
    expect(account.ecs.task(old[0]!)).toMatchObject({ desiredStatus: 'STOPPED', stoppedBy: 'ecs' });
  });

  it('does nothing of the kind when the knob is off', async () => {
    const { account, spares, old, drainA, live } = world();
    account.ecs.drainingReplacesServiceTasks = false; // off: this test is about the knob
    await drainA();
    account.advance(120_000);
    expect(live(spares[0]!.instanceId)).toEqual([]);
    expect(old.map((arn) => account.ecs.task(arn)!.desiredStatus)).toEqual(['RUNNING', 'RUNNING']);
  });
});
