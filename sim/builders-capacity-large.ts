import type { SimulatedAccount } from './account';
import { CLUSTER_TAG } from './builders-capacity';
import { container, joinInstances, M5_LARGE, M5_XLARGE, type BuiltInstance } from './builders-common';

export interface ServiceFleetOptions {
  /** Cluster name (default `fleet`). */
  cluster?: string;
  /** m5.large instances registered at the start, all in one Auto Scaling group. */
  instances: number;
  /** Services `svc-000`…, each with its own task definition (default 300). */
  services?: number;
  /** Service tasks placed per instance at the start, dealt to the services in turn (so every service runs ⌊total ÷ services⌋ or one more). */
  tasksPerInstance: number;
  /** What one service task reserves (every service the same). */
  task: { cpu: number; memory: number };
  /** One standalone task of this size on every instance (a batch job: the instance is never a scale-in candidate while it runs). */
  standalonePerInstance?: { cpu: number; memory: number };
  /** A service `burst` with desired 0 and tasks of this size (a scenario raises its desired count). */
  burst?: { cpu: number; memory: number };
  /** The group's MaxSize in units (default 2 × instances + 20). */
  max?: number;
}

/**
 * A big capacity cluster for the capacity benchmark: `instances` m5.large in one Auto Scaling
 * group tagged `ecs-steady:cluster = <cluster>` (mixed instances policy m5.large weight 1,
 * m5.xlarge weight 2; launched instances register with ECS 60 s later), and `services` services
 * whose tasks are spread evenly over the instances, all RUNNING at the start (desired = running).
 */
export function buildServiceFleet(account: SimulatedAccount, opts: ServiceFleetOptions) {
  const cluster = opts.cluster ?? 'fleet';
  const n = opts.instances;
  const nServices = Math.max(1, opts.services ?? 300);
  const clusterArn = account.ecs.createCluster(cluster);
  const asgName = `ecs-${cluster}`;
  const instances: BuiltInstance[] = joinInstances(account, cluster, n, M5_LARGE, { lifecycle: 'on-demand', asgName });
  account.autoscaling.createGroup({
    name: asgName,
    min: 0,
    max: opts.max ?? 2 * n + 20,
    desired: n,
    instanceIds: instances.map((i) => i.instanceId),
    launch: { instanceType: M5_LARGE.instanceType, ecs: { cluster, cpu: M5_LARGE.cpu, memory: M5_LARGE.memory } },
    mixedInstances: [
      { ...M5_LARGE, weightedCapacity: 1 },
      { ...M5_XLARGE, weightedCapacity: 2 },
    ],
    tags: [{ key: CLUSTER_TAG, value: cluster, propagateAtLaunch: false }],
  });

  const define = (family: string, size: { cpu: number; memory: number }) =>
    account.ecs.registerTaskDefinition({
      family,
      networkMode: 'bridge',
      containerDefinitions: [container(family, 'app', size.cpu, size.memory)],
    }).taskDefinitionArn!;
  const services = Array.from({ length: nServices }, (_, s) => ({ name: `svc-${String(s).padStart(3, '0')}`, count: 0, arn: '' }));
  const total = n * opts.tasksPerInstance;
  for (let k = 0; k < total; k++) services[k % nServices]!.count += 1;
  for (const s of services) {
    s.arn = define(`${cluster}-${s.name}`, opts.task);
    account.ecs.createService({ cluster, name: s.name, taskDefinition: s.arn, desiredCount: s.count });
  }
  // Deal the tasks instance by instance, service by service in turn: every instance carries the same load.
  let k = 0;
  for (const i of instances)
    for (let t = 0; t < opts.tasksPerInstance; t++, k++) {
      const s = services[k % nServices]!;
      account.ecs.startTask({ cluster, containerInstanceArn: i.containerInstanceArn, taskDefinition: s.arn, serviceName: s.name });
    }
  if (opts.standalonePerInstance) {
    const batch = define(`${cluster}-batch`, opts.standalonePerInstance);
    for (const i of instances) account.ecs.startTask({ cluster, containerInstanceArn: i.containerInstanceArn, taskDefinition: batch });
  }
  if (opts.burst)
    account.ecs.createService({ cluster, name: 'burst', taskDefinition: define(`${cluster}-burst`, opts.burst), desiredCount: 0 });
  return { cluster, clusterArn, asgName, instances, services: services.map((s) => s.name) };
}
