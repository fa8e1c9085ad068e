import {
  ClusterNotFoundException,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  InvalidParameterException,
  ListContainerInstancesCommand,
  ListTasksCommand,
  paginateListContainerInstances,
  paginateListTasks,
  StopTaskCommand,
  UpdateContainerInstancesStateCommand,
} from '@aws-sdk/client-ecs';
import { SimulatedAccount } from '../../sim/account';
import { buildSpotCluster } from '../../sim/builders';

function manyInstances(n: number) {
  const account = new SimulatedAccount();
  account.ecs.createCluster('big');
  const ids = Array.from({ length: n }, () => {
    const { instanceId } = account.ec2.launchInstance({ lifecycle: 'on-demand' });
    return {
      instanceId,
      arn: account.ecs.registerContainerInstance({ cluster: 'big', ec2InstanceId: instanceId, cpu: 1024, memory: 2048 }),
    };
  });
  return { account, ecs: account.clients().ecs, ids };
}

const resource = (list: Array<{ name?: string; integerValue?: number }> | undefined, name: string) =>
  list?.find((r) => r.name === name)?.integerValue;

describe('simulated ECS container instances', () => {
  it('pages ListContainerInstances 100 at a time and finds one instance with the ec2InstanceId filter, spaces or not', async () => {
    const { ecs, ids } = manyInstances(250);
    const pages: number[] = [];
    for await (const p of paginateListContainerInstances({ client: ecs, pageSize: 100 }, { cluster: 'big' }))
      pages.push(p.containerInstanceArns!.length);
    expect(pages).toEqual([100, 100, 50]);

    const target = ids[137]!;
    for (const filter of [`ec2InstanceId == ${target.instanceId}`, `ec2InstanceId==${target.instanceId}`]) {
      const out = await ecs.send(new ListContainerInstancesCommand({ cluster: 'big', filter }));
      expect(out.containerInstanceArns).toEqual([target.arn]);
      expect(out.nextToken).toBeUndefined();
    }
    const none = await ecs.send(new ListContainerInstancesCommand({ cluster: 'big', filter: 'ec2InstanceId == i-0000000000000000' }));
    expect(none.containerInstanceArns).toEqual([]);
  });

  it('filters by status and never lists INACTIVE (deregistered) instances', async () => {
    const { account, ecs, ids } = manyInstances(3);
    await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'big', containerInstances: [ids[0]!.arn], status: 'DRAINING' }));
    account.ec2.terminate(ids[1]!.instanceId, 'api');
    expect((await ecs.send(new ListContainerInstancesCommand({ cluster: 'big', status: 'DRAINING' }))).containerInstanceArns).toEqual([
      ids[0]!.arn,
    ]);
    expect((await ecs.send(new ListContainerInstancesCommand({ cluster: 'big' }))).containerInstanceArns).toEqual([
      ids[0]!.arn,
      ids[2]!.arn,
    ]);
    const inactive = new ListContainerInstancesCommand({ cluster: 'big', status: 'INACTIVE' as 'ACTIVE' });
    await expect(ecs.send(inactive)).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('answers ClusterNotFoundException for an unknown cluster and InvalidParameterException for maxResults 101', async () => {
    const { ecs } = manyInstances(1);
    await expect(ecs.send(new ListContainerInstancesCommand({ cluster: 'nope' }))).rejects.toBeInstanceOf(ClusterNotFoundException);
    await expect(ecs.send(new ListContainerInstancesCommand({ cluster: 'big', maxResults: 101 }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
  });

  it('enforces 100 per DescribeContainerInstances and 10 per UpdateContainerInstancesState with AWS wording', async () => {
    const { ecs, ids } = manyInstances(101);
    const arns = ids.map((i) => i.arn);
    // AWS names the field instanceIds in its answer, not containerInstances (sim/limits.ts cites where it was seen).
    await expect(ecs.send(new DescribeContainerInstancesCommand({ cluster: 'big', containerInstances: arns }))).rejects.toThrow(
      'instanceIds can have at most 100 items.',
    );
    await expect(
      ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'big', containerInstances: arns.slice(0, 11), status: 'DRAINING' })),
    ).rejects.toThrow('instanceIds can have at most 10 items.');
    const ok = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'big', containerInstances: arns.slice(0, 100) }));
    expect(ok.containerInstances).toHaveLength(100);
  });

  it('reports unknown instances as MISSING and treats DRAINING twice as success', async () => {
    const { ecs, ids } = manyInstances(2);
    const refs = [ids[0]!.arn, 'arn:aws:ecs:eu-west-1:123456789012:container-instance/big/unknown'];
    for (let i = 0; i < 2; i++) {
      const out = await ecs.send(
        new UpdateContainerInstancesStateCommand({ cluster: 'big', containerInstances: refs, status: 'DRAINING' }),
      );
      expect(out.containerInstances?.map((c) => c.status)).toEqual(['DRAINING']);
      expect(out.failures).toEqual([{ arn: refs[1], reason: 'MISSING' }]);
    }
  });

  it('reports remaining CPU/memory as registered minus every task not yet STOPPED', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account);
    const { ecs } = account.clients();
    const first = c.instances[0]!;
    const describe = async () =>
      (await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'web', containerInstances: [first.containerInstanceArn] })))
        .containerInstances![0]!;
    let ci = await describe();
    // 2 × frontend (256/512) + api (512/1024) + worker (256/512) + batch (512/1024)
    expect(resource(ci.registeredResources, 'CPU')).toBe(2048);
    expect(resource(ci.remainingResources, 'CPU')).toBe(2048 - 1792);
    expect(resource(ci.remainingResources, 'MEMORY')).toBe(7680 - 3584);
    expect(ci.runningTasksCount).toBe(5);

    await ecs.send(new StopTaskCommand({ cluster: 'web', task: c.tasks.batch }));
    ci = await describe();
    expect(resource(ci.remainingResources, 'CPU')).toBe(256); // still stopping: still reserved
    account.advance(1_000);
    ci = await describe();
    expect(resource(ci.remainingResources, 'CPU')).toBe(256 + 512);
    expect(ci.runningTasksCount).toBe(4);
  });
});

describe('simulated ECS tasks', () => {
  it('lists by instance, service, family and startedBy, and pages', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account, { instances: 2 });
    const { ecs } = account.clients();
    const first = c.instances[0]!;
    const onFirst = await ecs.send(new ListTasksCommand({ cluster: 'web', containerInstance: first.containerInstanceArn }));
    expect(new Set(onFirst.taskArns)).toEqual(new Set(c.tasksByInstance[first.instanceId]));
    expect((await ecs.send(new ListTasksCommand({ cluster: 'web', serviceName: 'web-frontend' }))).taskArns).toHaveLength(4);
    expect((await ecs.send(new ListTasksCommand({ cluster: 'web', family: 'nightly-report' }))).taskArns).toEqual([c.tasks.batch]);
    expect((await ecs.send(new ListTasksCommand({ cluster: 'web', startedBy: 'job-runner' }))).taskArns).toEqual([c.tasks.batch]);
    const pages: number[] = [];
    for await (const p of paginateListTasks({ client: ecs, pageSize: 3 }, { cluster: 'web' })) pages.push(p.taskArns!.length);
    expect(pages).toEqual([3, 3, 3]);
  });

  it('describes bridge tasks with unique dynamic host ports and awsvpc tasks with their ENI', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account);
    const { ecs } = account.clients();
    const out = await ecs.send(
      new DescribeTasksCommand({ cluster: 'web', tasks: [...c.tasks.frontend.slice(0, 2), c.tasks.api[0]!, c.tasks.batch] }),
    );
    const [f1, f2, api, batch] = out.tasks!;
    const ports = [f1!, f2!].map((t) => t.containers![0]!.networkBindings![0]!);
    expect(ports.map((b) => b.hostPort)).toEqual([32768, 32769]);
    expect(ports[0]).toEqual({ bindIP: '0.0.0.0', containerPort: 80, hostPort: 32768, protocol: 'tcp' });
    expect(f1!.group).toBe('service:web-frontend');
    expect(f1!.startedBy).toMatch(/^ecs-svc\/\d{19}$/);
    expect(f1!).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING', cpu: '256', memory: '512', launchType: 'EC2' });

    const details = Object.fromEntries(api!.attachments![0]!.details!.map((d) => [d.name, d.value]));
    expect(api!.attachments![0]).toMatchObject({ type: 'ElasticNetworkInterface', status: 'ATTACHED' });
    expect(details.networkInterfaceId).toMatch(/^eni-/);
    expect(details.subnetId).toMatch(/^subnet-/);
    expect(api!.containers![0]!.networkInterfaces![0]!.privateIpv4Address).toBe(details.privateIPv4Address);
    expect(api!.containers![0]!.networkBindings).toEqual([]);

    expect(batch).toMatchObject({ group: 'family:nightly-report', startedBy: 'job-runner' });
    expect(batch!.overrides?.containerOverrides?.[0]?.command).toEqual(['--date', '2026-11-22']);
  });

  it('answers MISSING for unknown tasks and refuses more than 100', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account);
    const { ecs } = account.clients();
    const out = await ecs.send(
      new DescribeTasksCommand({ cluster: 'web', tasks: [c.tasks.batch, 'arn:aws:ecs:eu-west-1:123456789012:task/web/gone'] }),
    );
    expect(out.tasks).toHaveLength(1);
    expect(out.failures).toEqual([{ arn: 'arn:aws:ecs:eu-west-1:123456789012:task/web/gone', reason: 'MISSING' }]);
    const tooMany = Array.from({ length: 101 }, (_, i) => `t${i}`);
    await expect(ecs.send(new DescribeTasksCommand({ cluster: 'web', tasks: tooMany }))).rejects.toThrow(
      'taskIds can have at most 100 items.',
    );
  });

  it('StopTask is idempotent: STOPPED after stopDelayMs, a second stop returns the task unchanged, an unknown task is not found', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account);
    const { ecs } = account.clients();
    const first = await ecs.send(new StopTaskCommand({ cluster: 'web', task: c.tasks.batch, reason: 'draining' }));
    expect(first.task).toMatchObject({
      desiredStatus: 'STOPPED',
      lastStatus: 'RUNNING',
      stoppedReason: 'draining',
      stopCode: 'UserInitiated',
    });
    account.advance(500);
    // A repeated stop while stopping changes nothing (reason, request time, when it stops).
    const repeated = await ecs.send(new StopTaskCommand({ cluster: 'web', task: c.tasks.batch, reason: 'repeated' }));
    expect(repeated.task).toMatchObject({ desiredStatus: 'STOPPED', lastStatus: 'RUNNING', stoppedReason: 'draining' });
    account.advance(499);
    expect(account.ecs.task(c.tasks.batch)!.lastStatus).toBe('RUNNING');
    account.advance(1);
    const record = account.ecs.task(c.tasks.batch)!;
    expect(record).toMatchObject({
      lastStatus: 'STOPPED',
      stoppedBy: 'api',
      stopRequestedAt: account.clock.now() - 1000,
      stoppedAt: account.clock.now(),
    });

    const again = await ecs.send(new StopTaskCommand({ cluster: 'web', task: c.tasks.batch, reason: 'again' }));
    expect(again.task).toMatchObject({ lastStatus: 'STOPPED', stoppedReason: 'draining' });
    const listed = await ecs.send(new ListTasksCommand({ cluster: 'web', desiredStatus: 'STOPPED' }));
    expect(listed.taskArns).toEqual([c.tasks.batch]);

    const gone = ecs.send(new StopTaskCommand({ cluster: 'web', task: 'arn:aws:ecs:eu-west-1:123456789012:task/web/unknown' }));
    await expect(gone).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(gone).rejects.toThrow('The referenced task was not found.');
  });
});

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
