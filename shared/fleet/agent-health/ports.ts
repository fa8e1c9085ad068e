import type { CapacityReadPorts } from '../../capacity/snapshot';
import type { CallOptions } from '../../aws/call';
import type { ContainerInstanceCapacity } from '../../aws/ecs-capacity';
import type { BackendDirectory } from '../../capacity/ports';
import type { DrainReport } from '../../drain/report';

/**
 * When the agent of a container instance was first seen disconnected (ISO 8601), written on first
 * sight and removed once the agent is back: the debounce survives cold starts and runs.
 */
export const DISCONNECTED_SINCE_TAG = 'ecs-steady:disconnected-since';
/** When agentHealth began draining the instance to replace it (ISO 8601): the next run resumes it. */
export const AGENT_REPLACE_TAG = 'ecs-steady:agent-replace';
/** capacity's own marks: an instance marked for scale-in is left to scaleTick; do-not-disrupt is left alone. */
export { DO_NOT_DISRUPT_TAG, SCALE_IN_TAG } from '../../capacity/snapshot';

/** A container instance as agentHealth reads it (DescribeContainerInstances with TAGS). */
export type AgentInstance = Pick<
  ContainerInstanceCapacity,
  'containerInstanceArn' | 'ec2InstanceId' | 'status' | 'agentConnected' | 'tags'
>;

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
 * - `tagInstance` / `untagInstance` are idempotent (ECS TagResource / UntagResource);
 * - `drain` never throws for an AWS failure (shared/drain/run.ts): its report says what failed;
 * - the directory's backends keep the CapacityBackend contracts, `replace` among them.
 * Every method takes CallOptions (aborted when the run's time is up).
 */
export interface AgentHealthPorts extends Pick<CapacityReadPorts, 'listInstanceArns' | 'describeInstances'> {
  directory: BackendDirectory;
  tagInstance(containerInstanceArn: string, tags: Record<string, string>, o?: CallOptions): Promise<void>;
  untagInstance(containerInstanceArn: string, keys: readonly string[], o?: CallOptions): Promise<void>;
  drain(req: AgentDrainRequest, cluster: string, stepEndsAt: number, runId: string): Promise<DrainReport>;
}
