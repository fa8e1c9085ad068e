import {
  DescribeClustersCommand,
  DescribeTasksCommand,
  paginateListTasks,
  StopTaskCommand,
  type ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';
import { collect, sendOptions, type CallOptions, type ItemFailure, type PagePace } from './call';
import { awsErrorName } from './errors';
import { chunk, DESCRIBE_TASKS_MAX, ECS_LIST_PAGE_MAX } from './limits';

export interface StopResult {
  /** ECS no longer knows the task: it is gone, which is what a stop wants. */
  gone: boolean;
  /** The reason ECS keeps for the stop: the first StopTask's (a repeated stop keeps it). */
  stoppedReason?: string;
}

/** ECS tasks: list, describe, stop. */
export class TasksAdapter {
  constructor(private readonly ecs: ECSClient) {}

  /** ARNs of the tasks ECS still wants running on one container instance (desiredStatus RUNNING). */
  async listRunningOn(cluster: string, containerInstanceArn: string, o?: CallOptions): Promise<string[]> {
    return collect(
      paginateListTasks(
        { client: this.ecs },
        { cluster, containerInstance: containerInstanceArn, desiredStatus: 'RUNNING', maxResults: ECS_LIST_PAGE_MAX },
        sendOptions(o),
      ),
      (page) => page.taskArns,
    );
  }

  /** ARNs of every task ECS still wants running in the cluster (desiredStatus RUNNING), 100 a page; `pace` is awaited before each next page. */
  async listRunning(cluster: string, o?: CallOptions, pace?: PagePace): Promise<string[]> {
    return collect(
      paginateListTasks({ client: this.ecs }, { cluster, desiredStatus: 'RUNNING', maxResults: ECS_LIST_PAGE_MAX }, sendOptions(o)),
      (page) => page.taskArns,
      pace && (async (page) => (page.nextToken ? pace() : undefined)),
    );
  }

  /** How many tasks run or wait to run in the cluster (DescribeClusters' counts); undefined when ECS does not know the cluster. */
  async countInCluster(cluster: string, o?: CallOptions): Promise<number | undefined> {
    const out = await this.ecs.send(new DescribeClustersCommand({ clusters: [cluster] }), sendOptions(o));
    const c = out.clusters?.[0];
    return c ? (c.runningTasksCount ?? 0) + (c.pendingTasksCount ?? 0) : undefined;
  }

  /** Describe tasks in chunks of 100, in parallel, with their tags (the agent mark); per-item failures come back. */
  async describe(cluster: string, taskArns: readonly string[], o?: CallOptions): Promise<{ tasks: Task[]; failures: ItemFailure[] }> {
    const parts = await Promise.all(
      chunk(taskArns, DESCRIBE_TASKS_MAX).map((part) =>
        this.ecs.send(new DescribeTasksCommand({ cluster, tasks: part, include: ['TAGS'] }), sendOptions(o)),
      ),
    );
    return {
      tasks: parts.flatMap((p) => p.tasks ?? []),
      failures: parts.flatMap((p) => (p.failures ?? []).map((f) => ({ arn: f.arn ?? '?', reason: f.reason ?? 'unknown' }))),
    };
  }

  /** Stop one task. A task ECS no longer knows is already gone (not an error). Throws otherwise. */
  async stop(cluster: string, taskArn: string, reason: string, o?: CallOptions): Promise<StopResult> {
    try {
      const out = await this.ecs.send(
        new StopTaskCommand({ cluster, task: taskArn, reason: reason.slice(0, STOP_REASON_MAX) }),
        sendOptions(o),
      );
      return { gone: false, ...(out.task?.stoppedReason !== undefined ? { stoppedReason: out.task.stoppedReason } : {}) };
    } catch (err) {
      if (isTaskGone(err)) return { gone: true };
      throw err;
    }
  }
}

/** StopTask `reason`: "Up to 255 characters are allowed in this message." */
export const STOP_REASON_MAX = 255;

/** StopTask on an unknown task: InvalidParameterException "The referenced task was not found." */
function isTaskGone(err: unknown): boolean {
  return awsErrorName(err) === 'InvalidParameterException' && /task was not found/i.test((err as Error).message ?? '');
}
