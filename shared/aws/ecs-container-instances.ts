import {
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  paginateListClusters,
  paginateListContainerInstances,
  paginateListTasks,
  StopTaskCommand,
  UpdateContainerInstancesStateCommand,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { awsErrorName, isNotFound } from './errors';
import {
  chunk,
  DESCRIBE_SERVICES_MAX,
  DESCRIBE_TASKS_MAX,
  ECS_LIST_PAGE_MAX,
  UPDATE_CONTAINER_INSTANCES_STATE_MAX,
} from './limits';

/** A per-item failure ECS reported (or a call that failed for one item), never dropped. */
export interface ItemFailure {
  arn: string;
  reason: string;
}

export interface ContainerInstanceRef {
  cluster: string;
  containerInstanceArn: string;
  ec2InstanceId: string;
  status: string;
  agentConnected: boolean;
  runningTasksCount: number;
  pendingTasksCount: number;
}

export interface LookupResult {
  found?: ContainerInstanceRef;
  /** Clusters that could not be searched (missing, access denied): reported, not fatal. */
  skipped: Array<{ cluster: string; reason: string }>;
}

/** ECS the way the drain speaks about it. */
export class EcsAdapter {
  constructor(private readonly ecs: ECSClient) {}

  async listClusters(): Promise<string[]> {
    const arns: string[] = [];
    for await (const page of paginateListClusters({ client: this.ecs, pageSize: ECS_LIST_PAGE_MAX }, {})) {
      arns.push(...(page.clusterArns ?? []));
    }
    return arns;
  }

  /**
   * Find the container instance for an EC2 instance, searching the clusters in parallel
   * (all clusters of the region when none are given). Undefined when it is in none.
   */
  async findContainerInstance(ec2InstanceId: string, clusters: readonly string[]): Promise<LookupResult> {
    const searched = clusters.length > 0 ? clusters : await this.listClusters();
    const skipped: LookupResult['skipped'] = [];
    const results = await Promise.all(
      searched.map(async (cluster) => {
        try {
          return await this.findIn(cluster, ec2InstanceId);
        } catch (err) {
          // One missing cluster must not hide the instance in another; any other error is
          // not ours to judge here and propagates (the trigger retries).
          if (!isNotFound(err)) throw err;
          skipped.push({ cluster, reason: awsErrorName(err) ?? 'NotFound' });
          return undefined;
        }
      }),
    );
    return { found: results.find((r) => r !== undefined), skipped };
  }

  private async findIn(cluster: string, ec2InstanceId: string): Promise<ContainerInstanceRef | undefined> {
    const arns: string[] = [];
    // The cluster query language filter; ECS answers with only the matching instance.
    const filter = `ec2InstanceId == ${ec2InstanceId}`;
    for await (const page of paginateListContainerInstances(
      { client: this.ecs, pageSize: ECS_LIST_PAGE_MAX },
      { cluster, filter },
    )) {
      arns.push(...(page.containerInstanceArns ?? []));
    }
    const found = arns.length > 0 ? await this.describeContainerInstance(cluster, arns[0]!) : undefined;
    return found?.ec2InstanceId === ec2InstanceId ? found : undefined;
  }

  /** Current status and task counts of one container instance (undefined when ECS no longer knows it). */
  async describeContainerInstance(cluster: string, containerInstanceArn: string): Promise<ContainerInstanceRef | undefined> {
    const out = await this.ecs.send(
      new DescribeContainerInstancesCommand({ cluster, containerInstances: [containerInstanceArn] }),
    );
    const ci = out.containerInstances?.[0];
    if (!ci?.containerInstanceArn) return undefined;
    return {
      cluster,
      containerInstanceArn: ci.containerInstanceArn,
      ec2InstanceId: ci.ec2InstanceId ?? '',
      status: ci.status ?? 'UNKNOWN',
      agentConnected: ci.agentConnected ?? false,
      runningTasksCount: ci.runningTasksCount ?? 0,
      pendingTasksCount: ci.pendingTasksCount ?? 0,
    };
  }

  /** Set instances DRAINING; answers the per-instance failures ECS reported. */
  async setDraining(cluster: string, containerInstanceArns: readonly string[]): Promise<ItemFailure[]> {
    const failures: ItemFailure[] = [];
    for (const part of chunk(containerInstanceArns, UPDATE_CONTAINER_INSTANCES_STATE_MAX)) {
      const out = await this.ecs.send(
        new UpdateContainerInstancesStateCommand({ cluster, containerInstances: part, status: 'DRAINING' }),
      );
      for (const f of out.failures ?? []) failures.push({ arn: f.arn ?? '?', reason: f.reason ?? f.detail ?? 'unknown' });
    }
    return failures;
  }

  /** Tasks ECS still wants running on the instance (desiredStatus RUNNING), fully described. */
  async tasksOn(cluster: string, containerInstanceArn: string): Promise<{ tasks: Task[]; failures: ItemFailure[] }> {
    const arns: string[] = [];
    for await (const page of paginateListTasks(
      { client: this.ecs, pageSize: ECS_LIST_PAGE_MAX },
      { cluster, containerInstance: containerInstanceArn, desiredStatus: 'RUNNING' },
    )) {
      arns.push(...(page.taskArns ?? []));
    }
    return this.describeTasks(cluster, arns);
  }

  async describeTasks(cluster: string, taskArns: readonly string[]): Promise<{ tasks: Task[]; failures: ItemFailure[] }> {
    const parts = await Promise.all(
      chunk(taskArns, DESCRIBE_TASKS_MAX).map((part) => this.ecs.send(new DescribeTasksCommand({ cluster, tasks: part }))),
    );
    return {
      tasks: parts.flatMap((p) => p.tasks ?? []),
      failures: parts.flatMap((p) => (p.failures ?? []).map((f) => ({ arn: f.arn ?? '?', reason: f.reason ?? 'unknown' }))),
    };
  }

  async describeServices(cluster: string, names: readonly string[]): Promise<{ services: Service[]; failures: ItemFailure[] }> {
    const parts = await Promise.all(
      chunk([...new Set(names)], DESCRIBE_SERVICES_MAX).map((part) =>
        this.ecs.send(new DescribeServicesCommand({ cluster, services: part })),
      ),
    );
    return {
      services: parts.flatMap((p) => p.services ?? []),
      failures: parts.flatMap((p) => (p.failures ?? []).map((f) => ({ arn: f.arn ?? '?', reason: f.reason ?? 'unknown' }))),
    };
  }

  /** Stop one task. A task ECS no longer knows is already gone: success. Throws otherwise. */
  async stopTask(cluster: string, taskArn: string, reason: string): Promise<void> {
    try {
      await this.ecs.send(new StopTaskCommand({ cluster, task: taskArn, reason: reason.slice(0, 255) }));
    } catch (err) {
      if (isTaskGone(err)) return;
      throw err;
    }
  }
}

/** StopTask on an unknown task: InvalidParameterException "The referenced task was not found." */
function isTaskGone(err: unknown): boolean {
  return awsErrorName(err) === 'InvalidParameterException' && /task was not found/i.test((err as Error).message ?? '');
}
