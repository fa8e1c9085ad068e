import { ClientException, ClusterNotFoundException, InvalidParameterException } from '@aws-sdk/client-ecs';
import type { SimulatedAccount } from './account';
import { ECS_LIST_MAX_RESULTS, ecsMaxResultsText, ecsTooManyText } from './limits';
import { page, type Page } from './util';

const meta = () => ({ httpStatusCode: 400, requestId: 'sim', attempts: 1, totalRetryDelay: 0 });

/** ECS's own exception classes, so callers' `instanceof` and name checks see the real thing. */
export const clusterNotFound = () => new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: meta() });
export const invalidParameter = (message: string) => new InvalidParameterException({ message, $metadata: meta() });
export const clientException = (message: string) => new ClientException({ message, $metadata: meta() });

/** A list above its maximum: ECS answers InvalidParameterException "<field> can have at most N items." (sim/limits.ts). */
export function checkMax(limit: { max: number; field: string }, items: readonly unknown[] | undefined): void {
  if ((items?.length ?? 0) > limit.max) throw invalidParameter(ecsTooManyText(limit));
}

/** maxResults "can be between 1 and 100" on every ECS List* call; `defaultPage` when it is absent. */
export function ecsPage<T>(
  all: readonly T[],
  input: { nextToken?: string; maxResults?: number },
  defaultPage = ECS_LIST_MAX_RESULTS,
): Page<T> {
  const size = input.maxResults ?? defaultPage;
  if (!Number.isInteger(size) || size < 1 || size > ECS_LIST_MAX_RESULTS) throw invalidParameter(ecsMaxResultsText());
  return page(all, input.nextToken, size, () => invalidParameter('Invalid nextToken.'));
}

export type ContainerInstanceStatus = 'ACTIVE' | 'DRAINING' | 'INACTIVE';

export interface ContainerInstanceRecord {
  arn: string;
  cluster: string;
  ec2InstanceId: string;
  status: ContainerInstanceStatus;
  agentConnected: boolean;
  cpu: number;
  memory: number;
  registeredAt: number;
  /** Host ports handed out to bridge-mode tasks (dynamic range 32768+), freed when a task stops. */
  usedPorts: Set<number>; /** ECS resource tags on the container instance (TagResource; DescribeContainerInstances with include TAGS). */
  tags?: Map<string, string>;
  /** Custom attributes (PutAttributes); the ecs.* attributes ECS sets itself are derived when described. */
  attributes?: Map<string, string>;
}

export type StoppedBy = 'api' | 'ecs' | 'termination';

export interface TaskContainerRecord {
  name: string;
  bindings: Array<{ containerPort: number; hostPort: number }>;
}

export interface TaskTargetRecord {
  targetGroupArn: string;
  id: string;
  port: number;
}

/** Everything the simulator knows about one task (more than DescribeTasks shows). */
export interface TaskRecord {
  arn: string;
  cluster: string;
  containerInstanceArn: string;
  ec2InstanceId: string;
  taskDefinitionArn: string;
  family: string;
  networkMode: string;
  group: string;
  serviceName?: string;
  startedBy?: string;
  overrides?: unknown;
  tags?: Record<string, string>;
  lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED';
  desiredStatus: 'RUNNING' | 'STOPPED';
  cpu: number;
  memory: number;
  createdAt: number;
  startedAt?: number;
  stopRequestedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
  stoppedReason?: string;
  stopCode?: string;
  stoppedBy?: StoppedBy;
  /** True when the task was still running when its instance went away. */
  killedByTermination?: boolean;
  /** When ECS chose to take this task off a DRAINING instance (targets deregistering, stop to follow). */
  drainRetiringAt?: number;
  containers: TaskContainerRecord[];
  eni?: { id: string; privateIp: string; subnetId: string };
  /** Load-balancer targets registered for this task (service tasks only). */
  targets: TaskTargetRecord[]; /** Task scale-in protection (UpdateTaskProtection): on until this moment. */
  protectedUntil?: number;
}

export interface ServiceLoadBalancer {
  targetGroupArn: string;
  containerName: string;
  containerPort: number;
}

export interface ServiceRecord {
  name: string;
  arn: string;
  cluster: string;
  taskDefinitionArn: string;
  desiredCount: number;
  /** Deployment configuration: what ECS respects when it replaces tasks (of a DRAINING instance too). */
  minimumHealthyPercent: number;
  maximumPercent: number;
  loadBalancers: ServiceLoadBalancer[];
  createdAt: number;
  /** The PRIMARY deployment's id; ECS puts it in its tasks' startedBy. */
  deploymentId: string;
  /** Service event messages, newest first (as DescribeServices shows them). */
  events: Array<{ id: string; createdAt: number; message: string }>;
  /** Tasks the scheduler wanted to place but found no room for. */
  unplaced: number;
  /** REPLICA (default) or DAEMON: one task on every ACTIVE container instance (sim/ecs-daemon.ts). */
  schedulingStrategy?: 'REPLICA' | 'DAEMON';
  /** The PRIMARY deployment's rollout (sim/ecs-deployments.ts); absent ⇒ COMPLETED at createdAt. */
  rollout?: RolloutRecord;
}

/** A rolling deployment: the PRIMARY's state and the older deployments (ACTIVE) whose tasks still run. */
export interface RolloutRecord {
  state: 'IN_PROGRESS' | 'COMPLETED';
  createdAt: number;
  updatedAt: number;
  /** Older deployments still listed (ACTIVE): their id and task definition. */
  active: Array<{ id: string; taskDefinitionArn: string; createdAt: number }>;
}

/**
 * Run `react` once per simulated instant at which any load balancer target changed health: many
 * targets change at one instant in a wave, and ECS's schedulers react once to all of them.
 */
export function onTargetHealthChanges(account: SimulatedAccount, react: () => void): void {
  let pending = false;
  account.elbv2.onHealthChange(() => {
    if (pending) return;
    pending = true;
    account.at(account.clock.now(), () => {
      pending = false;
      react();
    });
  });
}
