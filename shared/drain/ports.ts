import type { AwsClients } from '../aws/clients';
import type { CallOptions, ItemFailure } from '../aws/call';
import type { LifecycleAdapter } from '../aws/autoscaling-lifecycle';
import type { LookupAnswer } from './lookup';
import { ContainerInstancesAdapter } from '../aws/ecs-container-instances';
import { ServicesAdapter } from '../aws/ecs-services';
import { TasksAdapter } from '../aws/ecs-tasks';
import { TargetsAdapter } from '../aws/elbv2-targets';
import { publishJson } from '../aws/sns-topics';
import { toEcsService, toEcsTask } from './ecs-shapes';
import type { DrainCarry, EcsService, EcsTask } from './types';

export type { DrainCarry, DrainTotals } from './types';

/**
 * What a drain needs of AWS. Contracts (the adapters and the test fakes keep them):
 * - every method takes `CallOptions`; an aborted signal makes it reject without sending more;
 * - reads answer AWS's per-item failures in `failures`, never drop them, and throw when the
 *   call as a whole failed (after the SDK's own retries): the drain retries it;
 * - `containerInstances.listArns` may answer every instance of the cluster (an emulator that
 *   ignores the filter): callers describe and match;
 * - `tasks.stop` of a task ECS no longer knows answers `{ gone: true }`, and answers the
 *   reason ECS keeps (the first stop's) otherwise;
 * - `targets.deregister` is idempotent; `targets.groupHealth` answers every target
 *   registered in the group, draining ones included;
 * - `lifecycle.*` answer `false` for an action that is already over (never throw for it);
 * - tasks and services come back as the drain's own types (types.ts), never as the SDK's objects.
 */
export interface DrainPorts {
  containerInstances: Pick<ContainerInstancesAdapter, 'listClusters' | 'listArns' | 'describe' | 'setDraining'>;
  /** `listRunning` and `countInCluster` serve a wave (one listing of the whole cluster when that is cheaper than one per instance). */
  tasks: Pick<TasksAdapter, 'listRunningOn' | 'stop'> &
    Partial<Pick<TasksAdapter, 'listRunning' | 'countInCluster'>> & {
      describe: (cluster: string, taskArns: readonly string[], o?: CallOptions) => Promise<{ tasks: EcsTask[]; failures: ItemFailure[] }>;
    };
  services: {
    describe: (cluster: string, names: readonly string[], o?: CallOptions) => Promise<{ services: EcsService[]; failures: ItemFailure[] }>;
  };
  targets: Pick<TargetsAdapter, 'deregister' | 'groupHealth' | 'deregistrationDelaySeconds'>;
  /** Publish one interrupted-task record; `dedupId` is stable per task stop. */
  publish: (topicArn: string, record: unknown, dedupId: string, o?: CallOptions) => Promise<string>;
  lifecycle?: Pick<LifecycleAdapter, 'recordHeartbeat' | 'complete'>;
  /** A wave's lookup: every instance asked for at the same moment found with one ListContainerInstances per cluster (absent: alone). */
  findInstance?: (ec2InstanceId: string, o?: CallOptions) => Promise<LookupAnswer>;
  /** Hand the rest of the drain to a later invocation (the ASG drain re-queues itself). */
  handOn?: (delaySeconds: number, carry: DrainCarry, o?: CallOptions) => Promise<void>;
}

/** The clients a drain needs. */
export type DrainClients = Pick<AwsClients, 'ecs' | 'elbv2' | 'sns'>;

export function drainPorts(clients: DrainClients): DrainPorts {
  const tasks = new TasksAdapter(clients.ecs);
  const services = new ServicesAdapter(clients.ecs);
  return {
    containerInstances: new ContainerInstancesAdapter(clients.ecs),
    tasks: {
      listRunningOn: (cluster, arn, o) => tasks.listRunningOn(cluster, arn, o),
      stop: (cluster, arn, reason, o) => tasks.stop(cluster, arn, reason, o),
      describe: async (cluster, arns, o) => {
        const r = await tasks.describe(cluster, arns, o);
        return { tasks: r.tasks.map(toEcsTask), failures: r.failures };
      },
    },
    services: {
      describe: async (cluster, names, o) => {
        const r = await services.describe(cluster, names, o);
        return { services: r.services.map(toEcsService), failures: r.failures };
      },
    },
    targets: new TargetsAdapter(clients.elbv2),
    publish: (topicArn, record, dedupId, o) =>
      publishJson(clients.sns, topicArn, record, { subject: 'ECS task interrupted', dedupId, ...o }),
  };
}

/**
 * A wave's whole-cluster reads (ListTasks of the cluster, its task count from DescribeClusters)
 * added to the drain's ports. Only the functions that drain waves add them, so only their roles
 * are granted ecs:DescribeClusters (test/contract/stack-iam.ts reads the bundles for the calls).
 */
export function withWaveReads(ports: DrainPorts, clients: Pick<AwsClients, 'ecs'>): DrainPorts {
  const tasks = new TasksAdapter(clients.ecs);
  return {
    ...ports,
    tasks: {
      ...ports.tasks,
      listRunning: (cluster, o, pace) => tasks.listRunning(cluster, o, pace),
      countInCluster: (cluster, o) => tasks.countInCluster(cluster, o),
    },
  };
}
