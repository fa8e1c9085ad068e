import { paginateListContainerInstances, type ECSClient } from '@aws-sdk/client-ecs';
import { collect, sendOptions, type CallOptions } from './call';
import { awsErrorName } from './errors';
import { ECS_LIST_PAGE_MAX } from './limits';

/** What ECS answers for a cluster that does not exist, or a name it cannot take: then nothing is a member. */
const NO_SUCH_CLUSTER = new Set(['ClusterNotFoundException', 'InvalidParameterException']);

/**
 * Whether ECS has the EC2 instance registered (not INACTIVE) in `cluster`: ListContainerInstances
 * with the cluster query `ec2InstanceId == <id>`, all pages. A cluster ECS does not know (or a
 * name it refuses) answers false; any other failure throws.
 */
export async function isContainerInstanceOf(ecs: ECSClient, cluster: string, ec2InstanceId: string, o?: CallOptions): Promise<boolean> {
  try {
    const arns = await collect(
      paginateListContainerInstances(
        { client: ecs },
        { cluster, maxResults: ECS_LIST_PAGE_MAX, filter: `ec2InstanceId == ${ec2InstanceId}` },
        sendOptions(o),
      ),
      (page) => page.containerInstanceArns,
    );
    return arns.length > 0;
  } catch (err) {
    if (NO_SUCH_CLUSTER.has(awsErrorName(err) ?? '')) return false;
    throw err;
  }
}
