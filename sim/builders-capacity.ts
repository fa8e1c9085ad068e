import type { SimulatedAccount } from './account';
import type { WarmPoolOptions } from './autoscaling-warm-pool';
import { container, joinInstances, M5_LARGE, M5_XLARGE, type BuiltInstance } from './builders-common';

/** The tag a capacity backend carries to say which cluster it serves. */
export const CLUSTER_TAG = 'ecs-steady:cluster';

export type CapacityBackendKind = 'asg' | 'ec2Fleet' | 'spotFleet';

export interface CapacityClusterOptions {
  /** Cluster name (default `cap-<backend>`). */
  cluster?: string;
  backend: CapacityBackendKind;
  /** m5.large instances registered at the start (default 2). */
  instances?: number;
  /** Tasks of the service `app` (512 CPU, 1024 MiB) placed per instance at the start (default 2). */
  tasksPerInstance?: number;
  /** Capacity units per m5.large (default 1; an m5.xlarge counts twice as much). */
  weight?: number;
  /** The backend's maximum in units (ASG MaxSize; default 10 × weight). */
  max?: number;
  /** Tag the backend with `ecs-steady:cluster` (default true). */
  tagged?: boolean;
  /** The initial instances' lifecycle (default: on-demand for an ASG, Spot for the fleets). */
  lifecycle?: 'spot' | 'on-demand';
  /** ASG Capacity Rebalancing (default off). */
  capacityRebalance?: boolean;
  /**
   * ASG only: a warm pool beside the group. The group then has no mixed instances policy (a warm
   * pool cannot be added to one): it launches m5.large from its launch template, weight 1.
   */
  warmPool?: WarmPoolOptions;
  /** Put `app` behind an ALB instance target group (bridge mode, container port 80) with this deregistration delay. */
  loadBalanced?: { deregistrationDelaySeconds: number };
}

/**
 * A cluster whose capacity comes from one backend — an Auto Scaling group with a mixed
 * instances policy, an EC2 Fleet (maintain) or a Spot Fleet request — tagged
 * `ecs-steady:cluster = <cluster>`, launching m5.large (weight `w`) then m5.xlarge (weight
 * `2w`); instances it launches register with ECS 60 s later. One service `app` runs
 * `tasksPerInstance` tasks on each initial instance.
 */
export function buildCapacityCluster(account: SimulatedAccount, opts: CapacityClusterOptions) {
  const cluster = opts.cluster ?? `cap-${opts.backend.toLowerCase()}`;
  const w = opts.weight ?? 1;
  const n = opts.instances ?? 2;
  const tags: Record<string, string> = opts.tagged === false ? {} : { [CLUSTER_TAG]: cluster };
  const types = [
    { ...M5_LARGE, weightedCapacity: w },
    { ...M5_XLARGE, weightedCapacity: 2 * w },
  ];
  const clusterArn = account.ecs.createCluster(cluster);
  const lifecycle = opts.lifecycle ?? (opts.backend === 'asg' ? 'on-demand' : 'spot');
  const asgName = opts.backend === 'asg' ? `ecs-${cluster}` : undefined;
  const instances: BuiltInstance[] = joinInstances(account, cluster, n, M5_LARGE, { lifecycle, asgName });
  const instanceIds = instances.map((i) => i.instanceId);
  const ecs = { cluster, cpu: M5_LARGE.cpu, memory: M5_LARGE.memory };

  let backendId: string;
  if (opts.backend === 'asg') {
    account.autoscaling.createGroup({
      name: asgName!,
      min: 0,
      max: opts.max ?? 10 * w,
      desired: n * w,
      instanceIds,
      launch: { instanceType: M5_LARGE.instanceType, ecs },
      ...(opts.warmPool ? {} : { mixedInstances: types }),
      capacityRebalance: opts.capacityRebalance ?? false,
      tags: Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch: false })),
    });
    if (opts.warmPool) account.autoscaling.warmPools.put(asgName!, opts.warmPool);
    backendId = asgName!;
  } else if (opts.backend === 'ec2Fleet') {
    backendId = account.ec2.createFleet({ targetCapacity: n * w, instanceTypes: types, instanceIds, tags, ecs: { cluster } });
  } else {
    backendId = account.ec2.createSpotFleet({ targetCapacity: n * w, instanceIds, tags, launch: { ecs, instanceTypes: types } });
  }

  const lb = opts.loadBalanced;
  const app = account.ecs.registerTaskDefinition({
    family: `${cluster}-app`,
    networkMode: 'bridge',
    containerDefinitions: [container(`${cluster}-app`, 'app', 512, 1024, lb ? [80] : [])],
  });
  const perInstance = opts.tasksPerInstance ?? 2;
  const targetGroupArn = lb
    ? account.elbv2.createTargetGroup({
        name: `${cluster}-app`,
        targetType: 'instance',
        port: 80,
        deregistrationDelaySeconds: lb.deregistrationDelaySeconds,
        loadBalancerArns: [account.elbv2.createLoadBalancer(`${cluster}-alb`)],
      })
    : undefined;
  account.ecs.createService({
    cluster,
    name: 'app',
    taskDefinition: app.taskDefinitionArn!,
    desiredCount: n * perInstance,
    ...(targetGroupArn ? { loadBalancers: [{ targetGroupArn, containerName: 'app', containerPort: 80 }] } : {}),
  });
  const tasks = instances.flatMap((i) =>
    Array.from({ length: perInstance }, () =>
      account.ecs.startTask({
        cluster,
        containerInstanceArn: i.containerInstanceArn,
        taskDefinition: app.taskDefinitionArn!,
        serviceName: 'app',
      }),
    ),
  );
  return {
    cluster,
    clusterArn,
    backend: { kind: opts.backend, id: backendId },
    instances,
    service: 'app',
    taskDefinitionArn: app.taskDefinitionArn!,
    ...(targetGroupArn ? { targetGroupArn } : {}),
    tasks,
    weights: { 'm5.large': w, 'm5.xlarge': 2 * w },
  };
}

/**
 * An on-demand ASG `name` (c5.large, empty, max 10) tagged as `cluster`'s fallback, as an operator
 * sets one up (a plain launch template's type is not in DescribeAutoScalingGroups' answer: the
 * group names it in a tag). With `dryPool`, the primary's Spot pools (m5.large, m5.xlarge) have no capacity.
 */
export function addOnDemandFallback(account: SimulatedAccount, cluster: string, o: { name?: string; dryPool?: boolean } = {}): string {
  const name = o.name ?? 'on-demand-fallback';
  account.autoscaling.createGroup({
    name,
    min: 0,
    max: 10,
    desired: 0,
    instanceIds: [],
    launch: { instanceType: 'c5.large', ecs: { cluster, cpu: 2048, memory: 3584 } },
    tags: [
      { key: 'ecs-steady:fallback-for', value: cluster },
      { key: 'ecs-steady:instance-types', value: 'c5.large' },
    ],
  });
  if (o.dryPool) {
    account.ec2.capacity.exhaust('m5.large');
    account.ec2.capacity.exhaust('m5.xlarge');
  }
  return name;
}

/**
 * Instances in `cluster` that are not ours: one of another team's ASG (`other-team`, min = max =
 * desired 1) and one launched by hand, both empty m5.large on-demand instances.
 */
export function addForeignInstances(account: SimulatedAccount, cluster: string): { foreign: BuiltInstance; byHand: BuiltInstance } {
  const [foreign] = joinInstances(account, cluster, 1, M5_LARGE, { lifecycle: 'on-demand', asgName: 'other-team' });
  account.autoscaling.createGroup({
    name: 'other-team',
    min: 1,
    max: 1,
    desired: 1,
    instanceIds: [foreign!.instanceId],
    launch: { instanceType: M5_LARGE.instanceType, ecs: { cluster, cpu: M5_LARGE.cpu, memory: M5_LARGE.memory } },
    tags: [],
  });
  const [byHand] = joinInstances(account, cluster, 1, M5_LARGE, { lifecycle: 'on-demand' });
  return { foreign: foreign!, byHand: byHand! };
}
