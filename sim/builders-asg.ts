import type { SimulatedAccount } from './account';
import { container, joinInstances, M5_LARGE } from './builders-common';

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
