import { DescribeTasksCommand, InvalidParameterException, ListTasksCommand, paginateListTasks, StopTaskCommand } from '@aws-sdk/client-ecs';
import { SimulatedAccount } from '../../sim/account';
import { buildSpotCluster } from '../../sim/builders';

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
