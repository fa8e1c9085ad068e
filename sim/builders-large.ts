import type { SimulatedAccount } from './account';
import { container, joinInstances, M5_4XLARGE } from './builders-common';

export interface LargeClusterOptions {
  /** Instances in all (default 4): the first (Spot) carries the tasks, the rest are empty. */
  instances?: number;
  /** Service tasks on the first instance (default 50). */
  tasks?: number;
  /** One service per target group (default 10); tasks are spread evenly over them. */
  targetGroups?: number;
  /** Network modes, used in turn per service (default bridge, awsvpc). */
  networkModes?: Array<'bridge' | 'awsvpc'>;
  deregistrationDelaySeconds?: number;
}

/** The benchmark cluster `large`: many service tasks behind many target groups on one Spot instance. */
export function buildLargeCluster(account: SimulatedAccount, opts: LargeClusterOptions = {}) {
  const cluster = 'large';
  const nTasks = opts.tasks ?? 50;
  const nGroups = Math.max(1, opts.targetGroups ?? 10);
  const modes = opts.networkModes ?? ['bridge', 'awsvpc'];
  const delay = opts.deregistrationDelaySeconds ?? 30;
  const clusterArn = account.ecs.createCluster(cluster);
  const all = joinInstances(account, cluster, Math.max(1, opts.instances ?? 4), M5_4XLARGE, { lifecycle: 'spot' });
  const spotFleetRequestId = account.ec2.createSpotFleet({ targetCapacity: all.length, instanceIds: all.map((i) => i.instanceId) });
  const albArn = account.elbv2.createLoadBalancer('large-alb');
  const victim = all[0]!;

  const services: Array<{ name: string; targetGroupArn: string; networkMode: string; taskArns: string[] }> = [];
  for (let g = 0; g < nGroups; g++) {
    const name = `svc-${String(g).padStart(2, '0')}`;
    const networkMode = modes[g % modes.length]!;
    const count = Math.floor(nTasks / nGroups) + (g < nTasks % nGroups ? 1 : 0);
    const targetGroupArn = account.elbv2.createTargetGroup({
      name,
      targetType: networkMode === 'awsvpc' ? 'ip' : 'instance',
      port: 8080,
      deregistrationDelaySeconds: delay,
      loadBalancerArns: [albArn],
    });
    const def = account.ecs.registerTaskDefinition({
      family: name,
      networkMode,
      containerDefinitions: [container(name, 'app', 128, 256, [8080])],
    });
    account.ecs.createService({
      cluster,
      name,
      taskDefinition: def.taskDefinitionArn!,
      desiredCount: count,
      loadBalancers: [{ targetGroupArn, containerName: 'app', containerPort: 8080 }],
    });
    const taskArns = Array.from({ length: count }, () =>
      account.ecs.startTask({
        cluster,
        containerInstanceArn: victim.containerInstanceArn,
        taskDefinition: def.taskDefinitionArn!,
        serviceName: name,
      }),
    );
    services.push({ name, targetGroupArn, networkMode, taskArns });
  }
  return {
    cluster,
    clusterArn,
    spotFleetRequestId,
    victim,
    others: all.slice(1),
    services,
    targetGroupArns: services.map((s) => s.targetGroupArn),
    taskArns: services.flatMap((s) => s.taskArns),
    deregistrationDelaySeconds: delay,
  };
}
