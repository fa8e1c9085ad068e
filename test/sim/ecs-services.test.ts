import { DescribeServicesCommand, StopTaskCommand, UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import { SimulatedAccount } from '../../sim/account';
import { buildSpotCluster } from '../../sim/builders';

describe('simulated ECS services and scheduler', () => {
  it('deregisters a stopped service task from every target group itself, then replaces it: PENDING, RUNNING, targets initial → healthy', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account, { spareInstances: 1 });
    const { ecs } = account.clients();
    const victim = account.ecs.task(c.tasks.api[0]!)!;
    await ecs.send(new StopTaskCommand({ cluster: 'web', task: victim.arn }));

    const byEcs = account.elbv2.targetHistory().filter((t) => t.deregisteredBy === 'ecs');
    expect(byEcs.map((t) => [t.targetGroupArn, t.id, t.port, t.state])).toEqual([
      [c.targetGroups.api, victim.eni!.privateIp, 8080, 'draining'],
      [c.targetGroups.apiInternal, victim.eni!.privateIp, 8081, 'draining'],
    ]);

    let svc = (await ecs.send(new DescribeServicesCommand({ cluster: 'web', services: ['api'] }))).services![0]!;
    expect(svc).toMatchObject({ desiredCount: 2, runningCount: 1, pendingCount: 1 });
    const replacement = account.ecs.tasksOn(c.spares[0]!.instanceId).find((t) => t.serviceName === 'api')!;
    expect(replacement.lastStatus).toBe('PENDING');

    account.advance(5_000);
    svc = (await ecs.send(new DescribeServicesCommand({ cluster: 'web', services: ['api'] }))).services![0]!;
    expect(svc).toMatchObject({ runningCount: 2, pendingCount: 0 });
    const fresh = account.elbv2.targetHistory(c.targetGroups.api).find((t) => t.id === account.ecs.task(replacement.arn)!.eni!.privateIp)!;
    expect(fresh.state).toBe('initial');
    account.advance(5_000);
    expect(account.elbv2.targetHistory(c.targetGroups.api).find((t) => t.id === fresh.id)!.state).toBe('healthy');
  });

  it('counts a replacement with no room as unplaced (not pending) and places it when capacity arrives', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account, { fleetReplacesInstances: false });
    const { ecs } = account.clients();
    // Both instances are busy; DRAINING the first leaves only the second, which has 768 CPU free.
    await ecs.send(
      new UpdateContainerInstancesStateCommand({
        cluster: 'web',
        containerInstances: [c.instances[0]!.containerInstanceArn],
        status: 'DRAINING',
      }),
    );
    for (const t of c.tasksByInstance[c.instances[0]!.instanceId]!) await ecs.send(new StopTaskCommand({ cluster: 'web', task: t }));
    // frontend (2 × 256) fits in 768; the api task (512) then does not.
    expect(account.ecs.unplaced('web-frontend')).toBe(0);
    expect(account.ecs.unplaced('api')).toBe(1);
    const api = (await ecs.send(new DescribeServicesCommand({ cluster: 'web', services: ['api'] }))).services![0]!;
    expect(api).toMatchObject({ desiredCount: 2, runningCount: 1, pendingCount: 0 });
    expect(api.events![0]!.message).toContain('was unable to place a task');

    const { instanceId } = account.ec2.launchInstance({ lifecycle: 'spot', instanceType: 'm5.large' });
    account.ecs.registerContainerInstance({ cluster: 'web', ec2InstanceId: instanceId, cpu: 2048, memory: 7680 });
    expect(account.ecs.unplaced('api')).toBe(0);
    expect(account.ecs.tasksOn(instanceId).map((t) => t.serviceName)).toContain('api');
  });

  it('does not replace anything when replaceStoppedServiceTasks is off', async () => {
    const account = new SimulatedAccount();
    account.ecs.replaceStoppedServiceTasks = false;
    const c = buildSpotCluster(account, { spareInstances: 1 });
    await account.clients().ecs.send(new StopTaskCommand({ cluster: 'web', task: c.tasks.worker[0]! }));
    expect(account.ecs.tasksOn(c.spares[0]!.instanceId)).toEqual([]);
  });

  it("with drainingReplacesServiceTasks, ECS replaces a DRAINING instance's service tasks, then deregisters and stops the old ones", async () => {
    const account = new SimulatedAccount();
    account.ecs.drainingReplacesServiceTasks = true; // the default (as on AWS); said here because it is the subject
    const c = buildSpotCluster(account, { spareInstances: 1 });
    const { ecs } = account.clients();
    const first = c.instances[0]!;
    const services = account.ecs.tasksOn(first.instanceId).filter((t) => t.serviceName);
    await ecs.send(
      new UpdateContainerInstancesStateCommand({ cluster: 'web', containerInstances: [first.containerInstanceArn], status: 'DRAINING' }),
    );
    expect(account.elbv2.targetHistory().filter((t) => t.deregisteredBy === 'ecs')).toEqual([]); // not before the replacements run

    account.advance(5_000); // the replacements run; the worker's (no load balancer) counts as healthy at once
    const status = (name: string) => services.filter((t) => t.serviceName === name).map((t) => account.ecs.task(t.arn)!.desiredStatus);
    expect(status('worker')).toEqual(['STOPPED']);
    expect(account.elbv2.targetHistory().filter((t) => t.deregisteredBy === 'ecs')).toEqual([]); // LB replacements not healthy yet

    account.advance(account.elbv2.healthCheckDelayMs); // their targets turn healthy: now ECS lets the old ones go
    const deregistered = account.elbv2.targetHistory().filter((t) => t.deregisteredBy === 'ecs');
    expect(deregistered).toHaveLength(2 + 2); // frontend ×2, api in two groups
    // Tasks behind load balancers wait out the deregistration delay; the worker (no LB) stopped at once.
    expect([...status('web-frontend'), ...status('api')]).toEqual(['RUNNING', 'RUNNING', 'RUNNING']);

    account.advance(30_000); // the deregistration delay
    for (const t of services)
      expect(account.ecs.task(t.arn)).toMatchObject({ desiredStatus: 'STOPPED', stoppedBy: 'ecs', stopCode: 'ServiceSchedulerInitiated' });
    expect(account.ecs.task(c.tasks.batch)!.desiredStatus).toBe('RUNNING'); // standalone tasks are not ECS's to move
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster: 'web', services: ['web-frontend', 'api', 'worker'] }))).services!;
    expect(svc.map((x) => [x.runningCount, x.pendingCount])).toEqual([
      [4, 0],
      [2, 0],
      [2, 0],
    ]);
  });

  it('describes at most 10 services and reports unknown ones as MISSING', async () => {
    const account = new SimulatedAccount();
    buildSpotCluster(account);
    const { ecs } = account.clients();
    const names = Array.from({ length: 11 }, (_, i) => `s${i}`);
    await expect(ecs.send(new DescribeServicesCommand({ cluster: 'web', services: names }))).rejects.toThrow(
      'service names can have at most 10 items.',
    );
    const out = await ecs.send(new DescribeServicesCommand({ cluster: 'web', services: ['web-frontend', 'ghost'] }));
    expect(out.services![0]).toMatchObject({
      serviceName: 'web-frontend',
      desiredCount: 4,
      runningCount: 4,
      deployments: [{ status: 'PRIMARY' }],
    });
    expect(out.services![0]!.loadBalancers).toEqual([
      { targetGroupArn: expect.stringContaining('targetgroup/web-frontend/'), containerName: 'nginx', containerPort: 80 },
    ]);
    expect(out.failures).toEqual([{ arn: 'arn:aws:ecs:eu-west-1:123456789012:service/web/ghost', reason: 'MISSING' }]);
  });
});
