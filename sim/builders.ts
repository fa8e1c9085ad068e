import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { SimulatedAccount } from './account';
import type { ServiceLoadBalancer } from './ecs-common';

/** m5.large as ECS registers it: 2 vCPU, ~7.5 GiB left after the OS and agent. */
export const M5_LARGE = { instanceType: 'm5.large', cpu: 2048, memory: 7680 } as const;
/** m5.4xlarge: room for the large-cluster benchmark's 50 tasks on one instance. */
export const M5_4XLARGE = { instanceType: 'm5.4xlarge', cpu: 16384, memory: 63488 } as const;

export interface BuiltInstance {
  instanceId: string;
  privateIp: string;
  containerInstanceArn: string;
}

/** fluentd (as the design's log pipeline expects) with a tag naming family and container. */
function container(family: string, name: string, cpu: number, memory: number, ports: number[] = []): ContainerDefinition {
  return {
    name,
    image: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${family}:1.0.0`,
    cpu,
    memory,
    essential: true,
    portMappings: ports.map((containerPort) => ({ containerPort, protocol: 'tcp' })),
    logConfiguration: { logDriver: 'fluentd', options: { 'fluentd-address': 'localhost:24224', tag: `${family}.${name}` } },
  };
}

function joinInstances(
  account: SimulatedAccount,
  cluster: string,
  n: number,
  size: { instanceType: string; cpu: number; memory: number },
  extra: { lifecycle: 'spot' | 'on-demand'; asgName?: string },
): BuiltInstance[] {
  return Array.from({ length: n }, () => {
    const { instanceId, privateIp } = account.ec2.launchInstance({
      lifecycle: extra.lifecycle,
      instanceType: size.instanceType,
      asgName: extra.asgName,
    });
    const containerInstanceArn = account.ecs.registerContainerInstance({
      cluster,
      ec2InstanceId: instanceId,
      cpu: size.cpu,
      memory: size.memory,
    });
    return { instanceId, privateIp, containerInstanceArn };
  });
}

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

export interface AsgClusterOptions {
  instances?: number;
  heartbeatTimeout?: number;
  defaultResult?: 'CONTINUE' | 'ABANDON';
  deregistrationDelaySeconds?: number;
}

/**
 * The on-demand cluster `web-od`: m5.large instances in the Auto Scaling group
 * `ecs-web-ondemand` with the terminating hook `ecs-steady-drain` (heartbeat 300 s,
 * NotificationMetadata `{"cluster":"web-od"}`), a bridge service `web` (2 tasks per
 * instance behind an instance-type target group) and a standalone task on the first instance.
 */
export function buildAsgCluster(account: SimulatedAccount, opts: AsgClusterOptions = {}) {
  const cluster = 'web-od';
  const asgName = 'ecs-web-ondemand';
  const hookName = 'ecs-steady-drain';
  const delay = opts.deregistrationDelaySeconds ?? 30;
  const clusterArn = account.ecs.createCluster(cluster);
  const instances = joinInstances(account, cluster, opts.instances ?? 3, M5_LARGE, { lifecycle: 'on-demand', asgName });
  const n = instances.length;
  const asgArn = account.autoscaling.createGroup({
    name: asgName,
    min: 1,
    max: n + 3,
    desired: n,
    instanceIds: instances.map((i) => i.instanceId),
    lifecycleHooks: [
      {
        name: hookName,
        transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
        heartbeatTimeout: opts.heartbeatTimeout ?? 300,
        defaultResult: opts.defaultResult ?? 'CONTINUE',
        notificationMetadata: JSON.stringify({ cluster }),
      },
    ],
    launch: { instanceType: M5_LARGE.instanceType, ecs: { cluster, cpu: M5_LARGE.cpu, memory: M5_LARGE.memory } },
  });
  const albArn = account.elbv2.createLoadBalancer('web-od-alb');
  const targetGroupArn = account.elbv2.createTargetGroup({
    name: 'web-od',
    targetType: 'instance',
    port: 80,
    deregistrationDelaySeconds: delay,
    loadBalancerArns: [albArn],
  });
  const web = account.ecs.registerTaskDefinition({
    family: 'web',
    networkMode: 'bridge',
    containerDefinitions: [container('web', 'nginx', 256, 512, [80])],
  });
  const job = account.ecs.registerTaskDefinition({
    family: 'nightly-report',
    networkMode: 'bridge',
    containerDefinitions: [container('nightly-report', 'report', 512, 1024)],
  });
  account.ecs.createService({
    cluster,
    name: 'web',
    taskDefinition: web.taskDefinitionArn!,
    desiredCount: 2 * n,
    loadBalancers: [{ targetGroupArn, containerName: 'nginx', containerPort: 80 }],
  });
  const serviceTasks = instances.flatMap((i) =>
    [0, 1].map(() =>
      account.ecs.startTask({
        cluster,
        containerInstanceArn: i.containerInstanceArn,
        taskDefinition: web.taskDefinitionArn!,
        serviceName: 'web',
      }),
    ),
  );
  const batchTask = account.ecs.startTask({
    cluster,
    containerInstanceArn: instances[0]!.containerInstanceArn,
    taskDefinition: job.taskDefinitionArn!,
    startedBy: 'job-runner',
  });
  return {
    cluster,
    clusterArn,
    asgName,
    asgArn,
    hookName,
    instances,
    targetGroupArn,
    service: 'web',
    serviceTasks,
    batchTask,
    deregistrationDelaySeconds: delay,
  };
}
