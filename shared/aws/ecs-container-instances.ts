import {
  DescribeContainerInstancesCommand,
  paginateListClusters,
  paginateListContainerInstances,
  UpdateContainerInstancesStateCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { collect, sendOptions, type CallOptions, type ItemFailure, type PagePace } from './call';
import { chunk, DESCRIBE_CONTAINER_INSTANCES_MAX, ECS_LIST_PAGE_MAX, UPDATE_CONTAINER_INSTANCES_STATE_MAX } from './limits';

export interface ContainerInstanceRef {
  cluster: string;
  containerInstanceArn: string;
  ec2InstanceId: string;
  status: string;
  agentConnected: boolean;
  runningTasksCount: number;
  pendingTasksCount: number;
  /** Its attributes with a value (DescribeContainerInstances returns ECS's and the custom ones, e.g. our retiring mark). */
  attributes?: Record<string, string>;
}

/** ECS container instances: list, describe, change state. */
export class ContainerInstancesAdapter {
  constructor(private readonly ecs: ECSClient) {}

  async listClusters(o?: CallOptions): Promise<string[]> {
    return collect(
      paginateListClusters({ client: this.ecs }, { maxResults: ECS_LIST_PAGE_MAX }, sendOptions(o)),
      (page) => page.clusterArns,
    );
  }

  /**
   * Container instance ARNs of a cluster, filtered with the cluster query language
   * (`ec2InstanceId == i-…`). Real ECS answers only the match; an emulator that ignores the
   * filter answers every instance, so callers describe what comes back and pick the match.
   */
  async listArns(
    cluster: string,
    filter: string | undefined,
    o?: CallOptions,
    onPage?: (arns: string[]) => void,
    status?: 'ACTIVE' | 'DRAINING',
    pace?: PagePace,
  ): Promise<string[]> {
    return collect(
      paginateListContainerInstances(
        { client: this.ecs },
        { cluster, maxResults: ECS_LIST_PAGE_MAX, ...(filter ? { filter } : {}), ...(status ? { status } : {}) },
        sendOptions(o),
      ),
      // A page's caller may start on it (describe it) while the next page is read: the pages themselves come one by one (the token).
      (page) => {
        onPage?.(page.containerInstanceArns ?? []);
        return page.containerInstanceArns;
      },
      pace && (async (page) => (page.nextToken ? pace() : undefined)),
    );
  }

  /** Describe container instances (chunked to 100); ECS's per-item failures come back, not dropped. */
  async describe(
    cluster: string,
    arns: readonly string[],
    o?: CallOptions,
  ): Promise<{ instances: ContainerInstanceRef[]; failures: ItemFailure[] }> {
    const parts = await Promise.all(
      chunk(arns, DESCRIBE_CONTAINER_INSTANCES_MAX).map((part) =>
        this.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: part }), sendOptions(o)),
      ),
    );
    return {
      instances: parts.flatMap((p) =>
        (p.containerInstances ?? [])
          .filter((ci) => ci.containerInstanceArn)
          .map((ci) => ({
            cluster,
            containerInstanceArn: ci.containerInstanceArn!,
            ec2InstanceId: ci.ec2InstanceId ?? '',
            status: ci.status ?? 'UNKNOWN',
            agentConnected: ci.agentConnected ?? false,
            runningTasksCount: ci.runningTasksCount ?? 0,
            pendingTasksCount: ci.pendingTasksCount ?? 0,
            ...(ci.attributes?.length
              ? {
                  attributes: Object.fromEntries(
                    ci.attributes.flatMap((a) => (a.name && a.value !== undefined ? [[a.name, a.value]] : [])),
                  ),
                }
              : {}),
          })),
      ),
      failures: parts.flatMap((p) => (p.failures ?? []).map((f) => ({ arn: f.arn ?? '?', reason: f.reason ?? f.detail ?? 'unknown' }))),
    };
  }

  /** Set instances DRAINING (chunks of 10); answers the per-instance failures ECS reported. */
  async setDraining(cluster: string, arns: readonly string[], o?: CallOptions): Promise<ItemFailure[]> {
    return this.setStatus(cluster, arns, 'DRAINING', o);
  }

  /** Set instances ACTIVE or DRAINING (chunks of 10); answers the per-instance failures ECS reported. */
  async setStatus(cluster: string, arns: readonly string[], status: 'ACTIVE' | 'DRAINING', o?: CallOptions): Promise<ItemFailure[]> {
    const failures: ItemFailure[] = [];
    for (const part of chunk(arns, UPDATE_CONTAINER_INSTANCES_STATE_MAX)) {
      const out = await this.ecs.send(
        new UpdateContainerInstancesStateCommand({ cluster, containerInstances: part, status }),
        sendOptions(o),
      );
      for (const f of out.failures ?? []) failures.push({ arn: f.arn ?? '?', reason: f.reason ?? f.detail ?? 'unknown' });
    }
    return failures;
  }
}
