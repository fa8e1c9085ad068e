import type { CapacityReadPorts } from '../../capacity/snapshot';
import type { Task } from '@aws-sdk/client-ecs';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { LifecycleHooksAdapter, type HookSummary } from '../../aws/autoscaling-hooks';
import type { CallOptions, ItemFailure } from '../../aws/call';
import { AlarmsAdapter } from '../../aws/cloudwatch-alarms';
import { InstanceOriginsAdapter, type InstanceOrigin } from '../../aws/ec2-instance-origins';
import { EcsCapacityAdapter } from '../../aws/ecs-capacity';
import { ContainerInstancesAdapter } from '../../aws/ecs-container-instances';
import { ServicesAdapter } from '../../aws/ecs-services';
import { StopTimeoutsAdapter, type TaskDefinitionStopFacts } from '../../aws/ecs-stop-timeouts';
import { TasksAdapter } from '../../aws/ecs-tasks';
import { LoadBalancersAdapter, type LoadBalancerFacts, type TargetGroupFacts } from '../../aws/elbv2-load-balancers';
import { QueueLookupAdapter } from '../../aws/sqs-queue-lookup';
import { backendDirectory } from '../../capacity/backends';
import type { BackendKind } from '../../retire/ports';

/**
 * Every read preflight makes; each takes CallOptions (an abort signal tied to the invocation's
 * deadline) and throws what AWS answered. Reads only: preflight changes nothing.
 */
export interface PreflightReadPorts extends Pick<
  CapacityReadPorts,
  'listInstanceArns' | 'describeInstances' | 'listServices' | 'describeServices'
> {
  /** Cluster ARNs of the account (ListClusters). */
  listClusters(o?: CallOptions): Promise<string[]>;
  instanceOrigins(ec2InstanceIds: readonly string[], o?: CallOptions): Promise<InstanceOrigin[]>;
  taskDefinitions(arns: readonly string[], o?: CallOptions): Promise<Map<string, TaskDefinitionStopFacts>>;
  listTasksOn(cluster: string, containerInstanceArn: string, o?: CallOptions): Promise<string[]>;
  describeTasks(cluster: string, taskArns: readonly string[], o?: CallOptions): Promise<{ tasks: Task[]; failures: ItemFailure[] }>;
  targetGroups(arns: readonly string[], o?: CallOptions): Promise<TargetGroupFacts[]>;
  idleTimeouts(loadBalancerArn: string, o?: CallOptions): Promise<LoadBalancerFacts>;
  /** Every backend tagged for a cluster (shared/capacity/backends.ts), by cluster, with its tags. */
  backendsByCluster(o?: CallOptions): Promise<Map<string, Array<{ kind: BackendKind; id: string; tags: Record<string, string> }>>>;
  lifecycleHooks(autoScalingGroupName: string, o?: CallOptions): Promise<HookSummary[]>;
  queueExists(queueName: string, o?: CallOptions): Promise<boolean>;
  alarmNames(prefix: string, o?: CallOptions): Promise<string[]>;
}

export interface PreflightClients {
  ecs: ECSClient;
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
  autoscaling: AutoScalingClient;
  sqs: SQSClient;
  cloudwatch: CloudWatchClient;
}

/** The ports over the real adapters. */
export function preflightPorts(clients: PreflightClients): PreflightReadPorts {
  const instances = new ContainerInstancesAdapter(clients.ecs);
  const capacity = new EcsCapacityAdapter(clients.ecs);
  const services = new ServicesAdapter(clients.ecs);
  const tasks = new TasksAdapter(clients.ecs);
  const stops = new StopTimeoutsAdapter(clients.ecs);
  const origins = new InstanceOriginsAdapter(clients.ec2);
  const balancers = new LoadBalancersAdapter(clients.elbv2);
  const hooks = new LifecycleHooksAdapter(clients.autoscaling);
  const queues = new QueueLookupAdapter(clients.sqs);
  const alarms = new AlarmsAdapter(clients.cloudwatch);
  const directory = backendDirectory(clients);
  return {
    listClusters: (o) => instances.listClusters(o),
    listInstanceArns: (cluster, o) => instances.listArns(cluster, undefined, o),
    describeInstances: (cluster, arns, o) => capacity.describeInstances(cluster, arns, o),
    instanceOrigins: (ids, o) => origins.byInstanceIds(ids, o),
    listServices: (cluster, o) => capacity.listServices(cluster, o),
    describeServices: (cluster, names, o) => services.describe(cluster, names, o),
    taskDefinitions: (arns, o) => stops.of(arns, o),
    listTasksOn: (cluster, arn, o) => tasks.listRunningOn(cluster, arn, o),
    describeTasks: (cluster, arns, o) => tasks.describe(cluster, arns, o),
    targetGroups: (arns, o) => balancers.targetGroups(arns, o),
    idleTimeouts: (arn, o) => balancers.idleTimeouts(arn, o),
    backendsByCluster: async (o) => {
      const found = await directory.discover(new Map(), o);
      return new Map([...found].map(([cluster, list]) => [cluster, list.map((b) => ({ ...b.ref }))]));
    },
    lifecycleHooks: (name, o) => hooks.hooksOf(name, o),
    queueExists: (name, o) => queues.exists(name, o),
    alarmNames: (prefix, o) => alarms.metricAlarmNames(prefix, o),
  };
}
