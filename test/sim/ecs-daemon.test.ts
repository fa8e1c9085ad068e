import { DescribeServicesCommand, DescribeTasksCommand, UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import { SimulatedAccount } from '../../sim/account';
import { buildSpotCluster } from '../../sim/builders';
import { joinInstances, M5_LARGE } from '../../sim/builders-common';
import { addLogRouterDaemon, startAgents } from '../../sim/builders-daemon';

describe('simulated DAEMON services and task tags', () => {
  it('runs one DAEMON task on every ACTIVE instance, shows schedulingStrategy DAEMON, and places one on an instance that registers', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account, { fleetReplacesInstances: false });
    addLogRouterDaemon(account, c.cluster);
    const { ecs } = account.clients();
    const routers = (id: string) => account.ecs.tasksOn(id).filter((t) => t.serviceName === 'log-router' && t.desiredStatus === 'RUNNING');
    for (const i of c.instances) expect(routers(i.instanceId)).toHaveLength(1);
    let svc = (await ecs.send(new DescribeServicesCommand({ cluster: c.cluster, services: ['log-router'] }))).services![0]!;
    expect(svc).toMatchObject({ schedulingStrategy: 'DAEMON', desiredCount: 2, runningCount: 2 });

    const [fresh] = joinInstances(account, c.cluster, 1, M5_LARGE, { lifecycle: 'spot' });
    expect(routers(fresh!.instanceId)).toHaveLength(1);
    account.advance(5_000);
    svc = (await ecs.send(new DescribeServicesCommand({ cluster: c.cluster, services: ['log-router'] }))).services![0]!;
    expect(svc).toMatchObject({ desiredCount: 3, runningCount: 3 });
  });

  it('on a DRAINING instance, replaces no DAEMON task elsewhere and stops it only once nothing else runs there', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account, { spareInstances: 1, fleetReplacesInstances: false });
    addLogRouterDaemon(account, c.cluster);
    const victim = c.instances[1]!; // no batch task: ECS's own draining empties it
    await account.clients().ecs.send(
      new UpdateContainerInstancesStateCommand({
        cluster: c.cluster,
        containerInstances: [victim.containerInstanceArn],
        status: 'DRAINING',
      }),
    );
    account.advance(120_000);
    const on = account.ecs.tasksOn(victim.instanceId);
    const router = on.find((t) => t.serviceName === 'log-router')!;
    expect(router.stoppedAt).toBeDefined();
    for (const t of on.filter((x) => x.arn !== router.arn)) expect(t.stoppedAt!).toBeLessThanOrEqual(router.stopRequestedAt!);
    // Still one per remaining instance: none was placed twice on another.
    for (const i of [c.instances[0]!, c.spares[0]!])
      expect(account.ecs.tasksOn(i.instanceId).filter((t) => t.serviceName === 'log-router' && t.desiredStatus === 'RUNNING')).toHaveLength(
        1,
      );
  });

  it('answers task tags with DescribeTasks include TAGS only', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account);
    const [arn] = startAgents(account, c.cluster, [c.instances[1]!], { tags: { 'ecs-steady:agent': 'true' } });
    const { ecs } = account.clients();
    const plain = (await ecs.send(new DescribeTasksCommand({ cluster: c.cluster, tasks: [arn!] }))).tasks![0]!;
    expect(plain.tags).toBeUndefined();
    const tagged = (await ecs.send(new DescribeTasksCommand({ cluster: c.cluster, tasks: [arn!], include: ['TAGS'] }))).tasks![0]!;
    expect(tagged.tags).toEqual([{ key: 'ecs-steady:agent', value: 'true' }]);
  });
});
