import type { CallOptions } from '../aws/call';
import type { ContainerInstanceRef } from '../aws/ecs-container-instances';
import { awsErrorName, isNotFound } from '../aws/errors';
import type { DrainPorts } from './ports';
import { lookupFilters } from './wave-plan';

/** What a lookup found of one EC2 instance: its container instance (none: in no searched cluster) and, when known, its tasks. */
export interface LookupAnswer {
  instance?: ContainerInstanceRef;
  /** ListTasks of the instance, sent in the same round trip as the describe. */
  listedArns?: string[];
  warnings: string[];
}

/**
 * Find the container instances of EC2 instances: ListContainerInstances with an
 * `ec2InstanceId` filter (`==` for one, `in [...]` for many) in every cluster at once, then
 * DescribeContainerInstances of every ARN answered (the adapter sends 100 a call), picking
 * each match by ec2InstanceId (an emulator may ignore the filter). When the ARNs answered
 * are no more than the ids asked, each is one of ours: its tasks are listed in the same
 * round trip as the describe (`listEarly`; a wave passes false: its many listings would go
 * out before the other batches of the wave could set their instances DRAINING, and ECS
 * places what it replaces on victims still ACTIVE). A cluster that does not exist is skipped with a warning (one
 * missing cluster must not hide an instance in another); any other failure throws.
 */
export async function lookupInstances(
  ports: Pick<DrainPorts, 'containerInstances' | 'tasks'>,
  ec2InstanceIds: readonly string[],
  configured: readonly string[],
  o: CallOptions,
  listEarly = true,
): Promise<Map<string, LookupAnswer>> {
  const warnings: string[] = [];
  const clusters = configured.length > 0 ? configured : await ports.containerInstances.listClusters(o);
  const filters = lookupFilters(ec2InstanceIds);
  const found = await Promise.all(
    clusters.flatMap((cluster) =>
      filters.map(async (filter) => {
        try {
          return { cluster, arns: await ports.containerInstances.listArns(cluster, filter, o) };
        } catch (err) {
          if (!isNotFound(err)) throw err;
          warnings.push(`cluster ${cluster} not searched: ${awsErrorName(err) ?? 'NotFound'}`);
          return { cluster, arns: [] as string[] };
        }
      }),
    ),
  );
  const byCluster = new Map<string, string[]>();
  for (const f of found) byCluster.set(f.cluster, [...new Set([...(byCluster.get(f.cluster) ?? []), ...f.arns])]);
  const withArns = [...byCluster].filter(([, arns]) => arns.length > 0);
  const total = withArns.reduce((n, [, arns]) => n + arns.length, 0);
  const speculate = listEarly && total > 0 && total <= new Set(ec2InstanceIds).size;
  const [described, listed] = await Promise.all([
    Promise.all(withArns.map(([cluster, arns]) => ports.containerInstances.describe(cluster, arns, o))),
    speculate
      ? Promise.all(
          withArns.flatMap(([cluster, arns]) =>
            arns.map(async (arn) => [arn, await ports.tasks.listRunningOn(cluster, arn, o).catch(() => undefined)] as const),
          ),
        )
      : Promise.resolve([] as Array<readonly [string, string[] | undefined]>),
  ]);
  const tasksOf = new Map(listed);
  const instances = described.flatMap((d) => d.instances).filter((i) => i.status !== 'INACTIVE');
  const answers = new Map<string, LookupAnswer>();
  for (const id of ec2InstanceIds) {
    const instance = instances.find((i) => i.ec2InstanceId === id);
    const listedArns = instance ? tasksOf.get(instance.containerInstanceArn) : undefined;
    answers.set(id, { ...(instance ? { instance } : {}), ...(listedArns ? { listedArns } : {}), warnings });
  }
  return answers;
}
