import { DescribeServicesCommand, UpdateServiceCommand, type Service } from '@aws-sdk/client-ecs';
import { SimulatedAccount } from '../../sim/account';
import { container, joinInstances, M5_LARGE } from '../../sim/builders-common';

/** One cluster `c` of `n` m5.large instances and a task definition family per call. */
function world(n: number) {
  const account = new SimulatedAccount();
  account.ecs.createCluster('c');
  const instances = joinInstances(account, 'c', n, M5_LARGE, { lifecycle: 'on-demand' });
  const { ecs } = account.clients();
  const family = (name: string, cpu: number, memory: number, hostPorts: number[] = [], networkMode: 'bridge' | 'host' = 'bridge') =>
    account.ecs.registerTaskDefinition({
      family: name,
      networkMode,
      containerDefinitions: [
        {
          ...container(name, name, cpu, memory),
          portMappings: hostPorts.map((p) => ({ containerPort: 80, hostPort: networkMode === 'host' ? 80 : p, protocol: 'tcp' })),
        },
      ],
    }).taskDefinitionArn!;
  const describe = async (name: string): Promise<Service> =>
    (await ecs.send(new DescribeServicesCommand({ cluster: 'c', services: [name] }))).services![0]!;
  const live = (name: string) => account.ecs.tasks.all().filter((t) => t.serviceName === name && t.desiredStatus === 'RUNNING');
  return { account, ecs, instances, family, describe, live };
}

describe('simulated ECS rolling deployments (UpdateService with a new task definition)', () => {
  it('starts new tasks within maximumPercent, stops old ones as the new run, and completes: PRIMARY/ACTIVE, IN_PROGRESS → COMPLETED', async () => {
    const w = world(4);
    const v1 = w.family('app', 512, 1024);
    w.account.ecs.createService({ cluster: 'c', name: 'app', taskDefinition: v1, desiredCount: 4 });
    w.account.ecs.services.reconcile('c', 'app');
    w.account.advance(5_000);
    expect(w.live('app').filter((t) => t.lastStatus === 'RUNNING')).toHaveLength(4);

    const v2 = w.account.ecs.registerTaskDefinition({
      family: 'app',
      containerDefinitions: [container('app', 'app', 512, 1024)],
    }).taskDefinitionArn!;
    await w.ecs.send(new UpdateServiceCommand({ cluster: 'c', service: 'app', taskDefinition: v2 }));
    let svc = await w.describe('app');
    expect(svc.taskDefinition).toBe(v2);
    expect(svc.deployments!.map((d) => [d.status, d.taskDefinition, d.runningCount, d.pendingCount])).toEqual([
      ['PRIMARY', v2, 0, 4],
      ['ACTIVE', v1, 4, 0],
    ]);
    expect(svc.deployments![0]!.rolloutState).toBe('IN_PROGRESS');
    // maximumPercent 200 of 4: eight tasks at most; minimumHealthyPercent 100: no old one stops before a new one runs.
    expect(w.live('app')).toHaveLength(8);

    w.account.advance(5_000); // the new tasks run; the old ones are stopped
    svc = await w.describe('app');
    expect(w.live('app').every((t) => t.taskDefinitionArn === v2)).toBe(true);
    expect(svc.deployments!.map((d) => [d.status, d.rolloutState])).toEqual([['PRIMARY', 'COMPLETED']]);
    expect(svc.events![0]!.message).toContain('has reached a steady state');
  });

  it('with no room for the surge and minimumHealthyPercent 100, the deployment stays IN_PROGRESS and every old task keeps running', async () => {
    const w = world(1); // 2048 CPU: four 512-CPU tasks fill it
    const v1 = w.family('app', 512, 1024);
    w.account.ecs.createService({ cluster: 'c', name: 'app', taskDefinition: v1, desiredCount: 4 });
    w.account.ecs.services.reconcile('c', 'app');
    w.account.advance(5_000);
    const v2 = w.account.ecs.registerTaskDefinition({
      family: 'app',
      containerDefinitions: [container('app', 'app', 512, 1024)],
    }).taskDefinitionArn!;
    await w.ecs.send(new UpdateServiceCommand({ cluster: 'c', service: 'app', taskDefinition: v2 }));
    w.account.advance(60_000);
    const svc = await w.describe('app');
    expect(svc.deployments![0]).toMatchObject({ status: 'PRIMARY', rolloutState: 'IN_PROGRESS', runningCount: 0, pendingCount: 0 });
    expect(w.live('app').map((t) => t.taskDefinitionArn)).toEqual([v1, v1, v1, v1]);
    expect(svc.events![0]!.message).toContain('was unable to place a task');

    // Room arrives: the rollout goes on by itself.
    joinInstances(w.account, 'c', 1, M5_LARGE, { lifecycle: 'on-demand' });
    w.account.advance(10_000);
    expect((await w.describe('app')).deployments!.map((d) => d.rolloutState)).toEqual(['COMPLETED']);
  });

  it('with minimumHealthyPercent 50 and maximumPercent 100, stops half the old tasks first to make room, then the rest', async () => {
    const w = world(1);
    const v1 = w.family('app', 512, 1024);
    w.account.ecs.createService({ cluster: 'c', name: 'app', taskDefinition: v1, desiredCount: 4 });
    w.account.ecs.services.reconcile('c', 'app');
    w.account.advance(5_000);
    const v2 = w.account.ecs.registerTaskDefinition({
      family: 'app',
      containerDefinitions: [container('app', 'app', 512, 1024)],
    }).taskDefinitionArn!;
    await w.ecs.send(
      new UpdateServiceCommand({
        cluster: 'c',
        service: 'app',
        taskDefinition: v2,
        deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 100 },
      }),
    );
    expect(w.live('app').filter((t) => t.taskDefinitionArn === v1)).toHaveLength(2);
    w.account.advance(30_000);
    expect(w.live('app').map((t) => t.taskDefinitionArn)).toEqual([v2, v2, v2, v2]);
  });

  it('refuses an unknown task definition and changes nothing', async () => {
    const w = world(1);
    const v1 = w.family('app', 512, 1024);
    w.account.ecs.createService({ cluster: 'c', name: 'app', taskDefinition: v1, desiredCount: 1 });
    await expect(w.ecs.send(new UpdateServiceCommand({ cluster: 'c', service: 'app', taskDefinition: 'nope:9' }))).rejects.toThrow(
      /TaskDefinition not found/,
    );
    expect((await w.describe('app')).deployments).toHaveLength(1);
  });
});

describe('simulated ECS DAEMON services and fixed host ports', () => {
  it('places one daemon task on every ACTIVE instance, first on an instance that registers later, and sets desiredCount itself', async () => {
    const w = world(2);
    const agent = w.family('agent', 128, 256);
    w.account.ecs.createService({ cluster: 'c', name: 'agent', taskDefinition: agent, desiredCount: 0, schedulingStrategy: 'DAEMON' });
    expect(new Set(w.live('agent').map((t) => t.ec2InstanceId))).toEqual(new Set(w.instances.map((i) => i.instanceId)));
    const [late] = joinInstances(w.account, 'c', 1, M5_LARGE, { lifecycle: 'on-demand' });
    expect(w.live('agent').filter((t) => t.ec2InstanceId === late!.instanceId)).toHaveLength(1);
    const svc = await w.describe('agent');
    expect(svc).toMatchObject({ schedulingStrategy: 'DAEMON', desiredCount: 3 });
  });

  it('places at most one task of a fixed host port per instance; a second service on the same port conflicts', async () => {
    const w = world(2);
    const web = w.family('web', 256, 512, [80]);
    w.account.ecs.createService({ cluster: 'c', name: 'web', taskDefinition: web, desiredCount: 3 });
    w.account.ecs.services.reconcile('c', 'web');
    expect(w.live('web')).toHaveLength(2);
    expect(new Set(w.live('web').map((t) => t.ec2InstanceId)).size).toBe(2);
    expect(w.account.ecs.unplaced('web')).toBe(1);

    const other = w.family('other', 256, 512, [80], 'host');
    w.account.ecs.createService({ cluster: 'c', name: 'other', taskDefinition: other, desiredCount: 1 });
    w.account.ecs.services.reconcile('c', 'other');
    expect(w.live('other')).toHaveLength(0);
    expect(() =>
      w.account.ecs.startTask({ cluster: 'c', containerInstanceArn: w.instances[0]!.containerInstanceArn, taskDefinition: other }),
    ).toThrow(/already uses host port 80/);
  });
});
