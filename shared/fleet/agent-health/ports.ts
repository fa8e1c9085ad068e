import type { CallOptions, ItemFailure } from '../../aws/call';
import type { ContainerInstanceCapacity } from '../../aws/ecs-capacity';
import type { ManagedBackends } from '../../retire/managed';
import type { RetireBackend, RetirePorts } from '../../retire/ports';

/**
 * A container instance as agentHealth reads it (DescribeContainerInstances with TAGS): `attributes`
 * holds our own records (custom attributes only ecs:PutAttributes writes); `tags` are read only
 * for reasons to leave an instance alone (do-not-disrupt, scale-in), never for a reason to act.
 */
export type AgentInstance = Pick<
  ContainerInstanceCapacity,
  'containerInstanceArn' | 'ec2InstanceId' | 'status' | 'agentConnected' | 'tags'
> & {
  attributes: Record<string, string>;
};

/**
 * What agentHealth needs of AWS. Contracts:
 * - reads throw when the call as a whole failed (that cluster is reported as an error, the
 *   others go on) and answer ECS's per-item failures, never drop them;
 * - `putRecords` / `deleteRecords` are idempotent (ECS PutAttributes / DeleteAttributes on the
 *   container instance; a tag-only holder cannot write them);
 * - `retire` gives retire's ports for one cluster (shared/retire): the mark, the drain and the
 *   replacement go through retire, never through agentHealth itself;
 * - the directory's backends keep the capacity backend contracts, `replace` among them.
 * Every method takes CallOptions (aborted when the run's time is up).
 */
export interface AgentHealthPorts {
  directory: ManagedBackends;
  listInstanceArns(cluster: string, o?: CallOptions): Promise<string[]>;
  describeInstances(
    cluster: string,
    arns: readonly string[],
    o?: CallOptions,
  ): Promise<{ instances: ContainerInstanceCapacity[]; failures: ItemFailure[] }>;
  putRecords(cluster: string, containerInstanceArn: string, records: Record<string, string>, o?: CallOptions): Promise<void>;
  deleteRecords(cluster: string, containerInstanceArn: string, names: readonly string[], o?: CallOptions): Promise<void>;
  retire(cluster: string, backends: readonly RetireBackend[]): RetirePorts;
}
