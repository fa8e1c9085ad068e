import type { SimulatedAccount } from './account';
import { container, joinInstances, M5_LARGE } from './builders-common';
import type { ServiceLoadBalancer } from './ecs-common';

export interface SpotClusterOptions {
  /** Spot instances carrying the workload (default 2). */
  instances?: number;
  /** Extra empty Spot instances with room for replacements (default 0). */
  spareInstances?: number;
  deregistrationDelaySeconds?: number;
  /** The fleet launches (and ECS registers, 60 s later) a replacement for a reclaimed instance (default true). */
  fleetReplacesInstances?: boolean;
}

/**
 * The demo cluster `web`: Spot instances (m5.large) in a Spot Fleet running
 * - `web-frontend`: bridge mode, 2 tasks per instance, dynamic host ports, behind an ALB
 *   instance-type target group;
 * - `api`: awsvpc, 1 task per instance, in two ip-type target groups (public ALB on 8080,
 *   internal NLB on 8081);
 * - `worker`: 1 task per instance, no load balancer;
 * - a standalone batch task (`family:nightly-report`, startedBy `job-runner`) on the first instance.
 */
export function buildSpotCluster(account: SimulatedAccount, opts: SpotClusterOptions = {}) {
  const cluster = 'web';
  const delay = opts.deregistrationDelaySeconds ?? 30;
  const clusterArn = account.ecs.createCluster(cluster);
  const instances = joinInstances(account, cluster, opts.instances ?? 2, M5_LARGE, { lifecycle: 'spot' });
  const spares = joinInstances(account, cluster, opts.spareInstances ?? 0, M5_LARGE, { lifecycle: 'spot' });
  const spotFleetRequestId = account.ec2.createSpotFleet({
    targetCapacity: instances.length + spares.length,
    instanceIds: [...instances, ...spares].map((i) => i.instanceId),
    ...(opts.fleetReplacesInstances === false
      ? {}
      : { launch: { instanceType: M5_LARGE.instanceType, ecs: { cluster, cpu: M5_LARGE.cpu, memory: M5_LARGE.memory } } }),
  });

  const albArn = account.elbv2.createLoadBalancer('web-alb');
  const nlbArn = account.elbv2.createLoadBalancer('web-internal', 'net');
  const targetGroups = {
    frontend: account.elbv2.createTargetGroup({
      name: 'web-frontend',
      targetType: 'instance',
      port: 80,
      deregistrationDelaySeconds: delay,
      loadBalancerArns: [albArn],
    }),
    api: account.elbv2.createTargetGroup({
      name: 'api',
      targetType: 'ip',
      port: 8080,
      deregistrationDelaySeconds: delay,
      loadBalancerArns: [albArn],
    }),
    apiInternal: account.elbv2.createTargetGroup({
      name: 'api-internal',
      targetType: 'ip',
      port: 8081,
      protocol: 'TCP',
      deregistrationDelaySeconds: delay,
      loadBalancerArns: [nlbArn],
    }),
  };

  const defs = {
    frontend: account.ecs.registerTaskDefinition({
      family: 'web-frontend',
      networkMode: 'bridge',
      containerDefinitions: [container('web-frontend', 'nginx', 256, 512, [80])],
    }),
    api: account.ecs.registerTaskDefinition({
      family: 'api',
      networkMode: 'awsvpc',
      containerDefinitions: [container('api', 'api', 512, 1024, [8080, 8081])],
    }),
    worker: account.ecs.registerTaskDefinition({
      family: 'worker',
      networkMode: 'bridge',
      containerDefinitions: [container('worker', 'worker', 256, 512)],
    }),
    batch: account.ecs.registerTaskDefinition({
      family: 'nightly-report',
      networkMode: 'bridge',
      containerDefinitions: [container('nightly-report', 'report', 512, 1024)],
    }),
  };
  const n = instances.length;
  const lb = (targetGroupArn: string, containerName: string, containerPort: number): ServiceLoadBalancer => ({
    targetGroupArn,
    containerName,
    containerPort,
  });
  const services = {
    frontend: 'web-frontend',
    api: 'api',
    worker: 'worker',
  } as const;
  account.ecs.createService({
    cluster,
    name: services.frontend,
    taskDefinition: defs.frontend.taskDefinitionArn!,
    desiredCount: 2 * n,
    loadBalancers: [lb(targetGroups.frontend, 'nginx', 80)],
  });
  account.ecs.createService({
    cluster,
    name: services.api,
    taskDefinition: defs.api.taskDefinitionArn!,
    desiredCount: n,
    loadBalancers: [lb(targetGroups.api, 'api', 8080), lb(targetGroups.apiInternal, 'api', 8081)],
  });
  account.ecs.createService({ cluster, name: services.worker, taskDefinition: defs.worker.taskDefinitionArn!, desiredCount: n });

  const tasks = { frontend: [] as string[], api: [] as string[], worker: [] as string[], batch: '' };
  const tasksByInstance: Record<string, string[]> = {};
  for (const i of instances) {
    const on = (taskDefinition: string, serviceName?: string) => {
      const arn = account.ecs.startTask({ cluster, containerInstanceArn: i.containerInstanceArn, taskDefinition, serviceName });
      (tasksByInstance[i.instanceId] ??= []).push(arn);
      return arn;
    };
    tasks.frontend.push(on(defs.frontend.taskDefinitionArn!, services.frontend), on(defs.frontend.taskDefinitionArn!, services.frontend));
    tasks.api.push(on(defs.api.taskDefinitionArn!, services.api));
    tasks.worker.push(on(defs.worker.taskDefinitionArn!, services.worker));
  }
  const first = instances[0]!;
  tasks.batch = account.ecs.startTask({
    cluster,
    containerInstanceArn: first.containerInstanceArn,
    taskDefinition: defs.batch.taskDefinitionArn!,
    group: 'family:nightly-report',
    startedBy: 'job-runner',
    overrides: { containerOverrides: [{ name: 'report', command: ['--date', '2026-11-22'] }] },
  });
  tasksByInstance[first.instanceId]!.push(tasks.batch);

  return {
    cluster,
    clusterArn,
    spotFleetRequestId,
    instances,
    spares,
    loadBalancers: { alb: albArn, nlb: nlbArn },
    targetGroups,
    taskDefinitions: {
      frontend: defs.frontend.taskDefinitionArn!,
      api: defs.api.taskDefinitionArn!,
      worker: defs.worker.taskDefinitionArn!,
      batch: defs.batch.taskDefinitionArn!,
    },
    services,
    tasks,
    tasksByInstance,
    deregistrationDelaySeconds: delay,
  };
}
