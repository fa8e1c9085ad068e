import { container } from '../../../sim/builders-common';
import { capacityCluster, capacityWorld, runningOf } from '../../support/capacity-world';

describe('scaleTick sizes capacity the way ECS places tasks', () => {
  it("leaves every new instance's DAEMON share out of its room: one scale-out, sized right the first time", async () => {
    const { account, built } = capacityCluster({ backend: 'asg', instances: 2, tasksPerInstance: 2 });
    const agent = account.ecs.registerTaskDefinition({
      family: 'agent',
      networkMode: 'bridge',
      containerDefinitions: [container('agent', 'agent', 512, 1024)],
    });
    account.ecs.createService({
      cluster: built.cluster,
      name: 'agent',
      taskDefinition: agent.taskDefinitionArn!,
      desiredCount: 0,
      schedulingStrategy: 'DAEMON',
    });
    const world = capacityWorld(account);
    account.ecs.services.setDesiredCount(built.cluster, 'app', 8); // 4 → 8: 2 fit beside the agents, 2 do not

    const decisions: string[] = [];
    for (let minute = 0; minute < 8; minute++) decisions.push(world.report(await world.minute(), built.cluster).decision);
    // 8 app tasks (4096 CPU) and an agent (512) on every instance: 2 more m5.large keep CPU under 85 % (6656 / 8192);
    // sizing on the bare shape asks 1, and a second scale-out follows once the new instance's agent has taken its share.
    expect(decisions.filter((d) => d === 'scale-out')).toHaveLength(1);
    expect(account.autoscaling.groupState(built.backend.id).desired).toBe(4);
    expect(runningOf(account, built.cluster, 'app')).toBe(8);
    expect(runningOf(account, built.cluster, 'agent')).toBe(4);
  });

  it('opens one instance per task that holds a fixed host port, though the free room would hold them all', async () => {
    const { account, built } = capacityCluster({ backend: 'asg', instances: 2, tasksPerInstance: 1 });
    const edge = account.ecs.registerTaskDefinition({
      family: 'edge',
      networkMode: 'bridge',
      containerDefinitions: [
        { ...container('edge', 'edge', 256, 512), portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }] },
      ],
    });
    account.ecs.createService({ cluster: built.cluster, name: 'edge', taskDefinition: edge.taskDefinitionArn!, desiredCount: 2 });
    account.ecs.services.reconcile(built.cluster, 'edge');
    const world = capacityWorld(account);
    account.ecs.services.setDesiredCount(built.cluster, 'edge', 4); // both instances hold port 8080 already

    const first = world.report(await world.minute(), built.cluster);
    expect(first.decision).toBe('scale-out');
    expect(first.counts?.desired).toBe(4);
    for (let minute = 0; minute < 4 && runningOf(account, built.cluster, 'edge') < 4; minute++) await world.minute();
    expect(runningOf(account, built.cluster, 'edge')).toBe(4);
    const hosts = account.ecs.tasks
      .all()
      .filter((t) => t.serviceName === 'edge' && t.desiredStatus === 'RUNNING')
      .map((t) => t.ec2InstanceId);
    expect(new Set(hosts).size).toBe(4);
  });
});
