import type { AwsClients } from '../aws/clients';
import type { CallOptions } from '../aws/call';
import type { LifecycleAdapter } from '../aws/autoscaling-lifecycle';
import type { LookupAnswer } from './lookup';
import { ContainerInstancesAdapter } from '../aws/ecs-container-instances';
import { ServicesAdapter } from '../aws/ecs-services';
import { TasksAdapter } from '../aws/ecs-tasks';
import { TargetsAdapter } from '../aws/elbv2-targets';
import { publishJson } from '../aws/sns-topics';

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
 * - `lifecycle.*` answer `false` for an action that is already over (never throw for it).
 */
export interface DrainPorts {
  containerInstances: Pick<ContainerInstancesAdapter, 'listClusters' | 'listArns' | 'describe' | 'setDraining'>;
  /** `listRunning` and `countInCluster` serve a wave (one listing of the whole cluster when that is cheaper than one per instance). */
  tasks: Pick<TasksAdapter, 'listRunningOn' | 'describe' | 'stop'> & Partial<Pick<TasksAdapter, 'listRunning' | 'countInCluster'>>;
  services: Pick<ServicesAdapter, 'describe'>;
  targets: Pick<TargetsAdapter, 'deregister' | 'groupHealth' | 'deregistrationDelaySeconds'>;
  /** Publish one interrupted-task record; `dedupId` is stable per task stop. */
  publish: (topicArn: string, record: unknown, dedupId: string, o?: CallOptions) => Promise<string>;
  lifecycle?: Pick<LifecycleAdapter, 'recordHeartbeat' | 'complete'>;
  /** A wave's lookup: every instance asked for at the same moment found with one ListContainerInstances per cluster (absent: alone). */
  findInstance?: (ec2InstanceId: string, o?: CallOptions) => Promise<LookupAnswer>;
  /** Hand the rest of the drain to a later invocation (the ASG drain re-queues itself). */
  handOn?: (delaySeconds: number, carry: DrainCarry, o?: CallOptions) => Promise<void>;
}

/** What one step of a long drain hands to the next. */
export interface DrainCarry {
  lastHeartbeatAt?: number;
  totals: DrainTotals;
}

export interface DrainTotals {
  tasksStopped: { standalone: number; service: number };
  targetsDeregistered: number;
  interruptedTasksPublished: number;
  failures: number;
}

/** The clients a drain needs. */
export type DrainClients = Pick<AwsClients, 'ecs' | 'elbv2' | 'sns'>;

export function drainPorts(clients: DrainClients): DrainPorts {
  return {
    containerInstances: new ContainerInstancesAdapter(clients.ecs),
    tasks: new TasksAdapter(clients.ecs),
    services: new ServicesAdapter(clients.ecs),
    targets: new TargetsAdapter(clients.elbv2),
    publish: (topicArn, record, dedupId, o) =>
      publishJson(clients.sns, topicArn, record, { subject: 'ECS task interrupted', dedupId, ...o }),
  };
}
