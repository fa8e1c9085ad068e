import type { CapacityReadPorts } from '../../capacity/snapshot';
import type { CallOptions } from '../../aws/call';
import type { ContainerInstanceCapacity } from '../../aws/ecs-capacity';
import type { BackendDirectory } from '../../capacity/ports';
import type { DrainReport } from '../../drain/report';

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

/** One drain to start or resume, bounded by `deadline` (from its start), for at most the run's time. */
export interface AgentDrainRequest {
  ec2InstanceId: string;
  startedAt: number;
  deadline: number;
  resumed: boolean;
}

/**
 * What agentHealth needs of AWS. Contracts:
 * - reads throw when the call as a whole failed (that cluster is reported as an error, the
 *   others go on) and answer ECS's per-item failures, never drop them;
 * - `putRecords` / `deleteRecords` are idempotent (ECS PutAttributes / DeleteAttributes on the
 *   container instance; a tag-only holder cannot write them);
 * - `drain` never throws for an AWS failure (shared/drain/run.ts): its report says what failed;
 * - the directory's backends keep the CapacityBackend contracts, `replace` among them.
 * Every method takes CallOptions (aborted when the run's time is up).
 */
export interface AgentHealthPorts extends Pick<CapacityReadPorts, 'listInstanceArns' | 'describeInstances'> {
  directory: BackendDirectory;
  putRecords(cluster: string, containerInstanceArn: string, records: Record<string, string>, o?: CallOptions): Promise<void>;
  deleteRecords(cluster: string, containerInstanceArn: string, names: readonly string[], o?: CallOptions): Promise<void>;
  drain(req: AgentDrainRequest, cluster: string, stepEndsAt: number, runId: string): Promise<DrainReport>;
}
