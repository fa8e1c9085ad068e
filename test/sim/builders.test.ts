import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeTargetGroupAttributesCommand, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SimulatedAccount } from '../../sim/account';
import { buildAsgCluster, buildLargeCluster, buildSpotCluster } from '../../sim/builders';
import { TargetsAdapter } from '../../shared/aws/elbv2-targets';
import { drainPorts } from '../../shared/drain/ports';
import { readInto } from '../../shared/drain/snapshot';
import { initialState } from '../../shared/drain/state';

describe('simulator builders', () => {
  it('buildSpotCluster: two Spot instances in a fleet, every service running as described, targets healthy', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account);
    const { ecs, elbv2 } = account.clients();
    expect(c.instances).toHaveLength(2);
    for (const i of c.instances) {
      expect(account.ec2.instance(i.instanceId)).toMatchObject({
        lifecycle: 'spot',
        tags: { 'aws:ec2spot:fleet-request-id': c.spotFleetRequestId },
      });
      const tasks = account.ecs.tasksOn(i.instanceId);
      const frontend = tasks.filter((t) => t.serviceName === 'web-frontend');
      expect(frontend).toHaveLength(2);
      expect(new Set(frontend.map((t) => t.containers[0]!.bindings[0]!.hostPort)).size).toBe(2);
      expect(tasks.filter((t) => t.serviceName === 'api')).toHaveLength(1);
    }
    expect(account.ecs.task(c.tasks.batch)).toMatchObject({
      group: 'family:nightly-report',
      startedBy: 'job-runner',
      ec2InstanceId: c.instances[0]!.instanceId,
    });

    const services = (await ecs.send(new DescribeServicesCommand({ cluster: 'web', services: ['web-frontend', 'api', 'worker'] })))
      .services!;
    expect(services.map((s) => [s.serviceName, s.desiredCount, s.runningCount, s.loadBalancers!.length])).toEqual([
      ['web-frontend', 4, 4, 1],
      ['api', 2, 2, 2],
      ['worker', 2, 2, 0],
    ]);
    for (const tg of Object.values(c.targetGroups)) {
      const health = (await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))).TargetHealthDescriptions!;
      expect(health.map((h) => h.TargetHealth!.State)).toEqual(
        tg === c.targetGroups.frontend ? ['healthy', 'healthy', 'healthy', 'healthy'] : ['healthy', 'healthy'],
      );
      const attrs = (await elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg }))).Attributes!;
      expect(attrs).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '30' });
    }
    // Every target the drain will compute from the tasks is registered: instance id + host port, ENI IP + container port.
    const apiTask = account.ecs.task(c.tasks.api[0]!)!;
    expect(apiTask.targets).toEqual([
      { targetGroupArn: c.targetGroups.api, id: apiTask.eni!.privateIp, port: 8080 },
      { targetGroupArn: c.targetGroups.apiInternal, id: apiTask.eni!.privateIp, port: 8081 },
    ]);
  });

  it('buildLargeCluster: 50 service tasks over 10 target groups on one Spot instance, bridge and awsvpc mixed', () => {
    const account = new SimulatedAccount();
    const c = buildLargeCluster(account, { instances: 3, tasks: 50, targetGroups: 10 });
    expect(c.taskArns).toHaveLength(50);
    expect(c.services.map((s) => s.taskArns.length)).toEqual(Array(10).fill(5));
    expect(new Set(c.services.map((s) => s.networkMode))).toEqual(new Set(['bridge', 'awsvpc']));
    expect(account.ecs.tasksOn(c.victim.instanceId)).toHaveLength(50);
    for (const o of c.others) expect(account.ecs.tasksOn(o.instanceId)).toEqual([]);
    const targets = c.targetGroupArns.flatMap((tg) => account.elbv2.currentTargets(tg));
    expect(targets).toHaveLength(50);
    expect(targets.every((t) => t.state === 'healthy')).toBe(true);
  });

  it('buildAsgCluster: on-demand instances in an ASG with a 300 s terminating hook', () => {
    const account = new SimulatedAccount();
    const c = buildAsgCluster(account);
    const group = account.autoscaling.groupState(c.asgName);
    expect(group.instances.map((i) => i.lifecycleState)).toEqual(['InService', 'InService', 'InService']);
    expect(c.instances.every((i) => account.ec2.instance(i.instanceId)!.lifecycle === 'on-demand')).toBe(true);
    expect(account.ecs.tasksOn(c.instances[0]!.instanceId)).toHaveLength(3);
    const { detail } = account.autoscaling.beginTermination(c.asgName, c.instances[0]!.instanceId);
    const action = account.autoscaling.lifecycleAction(detail.LifecycleActionToken)!;
    expect(action.timeoutAt - action.startedAt).toBe(300_000);
  });

  it("serves the project's own ECS and ELBv2 adapters, with half the calls throttled", async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account);
    account.ecs.createCluster('other');
    account.faults.throttleRate = 0.5;
    const clients = account.clients();
    const ports = drainPorts(clients);
    const victim = c.instances[1]!;
    // The instance lookup (ListContainerInstances in every cluster, then Describe) is the drain's first read.
    const state = initialState(victim.instanceId);
    const warnings: string[] = [];
    await readInto(
      state,
      { kind: 'lookup' },
      ports,
      { clusters: ['other', 'missing', 'web'], keepServing: false, warn: (m) => warnings.push(m) },
      account.clock.now(),
      {},
    );
    expect(state.lookup).toBe('found');
    expect(state.instance).toMatchObject({
      cluster: 'web',
      containerInstanceArn: victim.containerInstanceArn,
      status: 'ACTIVE',
      runningTasksCount: 4,
    });
    expect(warnings).toEqual(['cluster missing not searched: ClusterNotFoundException']);
    const arns = await ports.tasks.listRunningOn('web', victim.containerInstanceArn);
    const { tasks } = await ports.tasks.describe('web', arns);
    expect(tasks).toHaveLength(4);

    const health = await new TargetsAdapter(clients.elbv2).groupHealth(c.targetGroups.frontend);
    const stateOf = (port: number) => health.find((h) => h.id === victim.instanceId && h.port === port)?.state ?? 'unused';
    expect([stateOf(32768), stateOf(40000)]).toEqual(['healthy', 'unused']);
    expect(account.calls.some((call) => call.error === 'ThrottlingException')).toBe(true);
  });
});
