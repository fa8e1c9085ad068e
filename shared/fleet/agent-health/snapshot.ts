import type { CallOptions } from '../../aws/call';
import { errorMessage } from '../../lambda/errors';
import { readMark } from '../../retire/mark';
import type { RetireBackend } from '../../retire/ports';
import type { ClusterHealthRead } from './plan';
import type { AgentHealthPorts } from './ports';

/**
 * Reads one cluster: every container instance with its tags and our records (ListContainerInstances,
 * then DescribeContainerInstances with TAGS, 100 a call; custom attributes come with every answer),
 * and — only when an instance's agent is disconnected or our replacement is under way, so a healthy cluster costs no backend read — the
 * instances of each of the cluster's backends. A backend whose read fails is named (its
 * instances are then not acted on); a failed container-instance read throws (the cluster is
 * reported as an error). ECS's per-item failures are kept as warnings.
 */
export async function readClusterHealth(
  ports: Pick<AgentHealthPorts, 'listInstanceArns' | 'describeInstances'>,
  cluster: string,
  backends: readonly RetireBackend[],
  o?: CallOptions,
): Promise<{ read: ClusterHealthRead; warnings: string[] }> {
  const arns = await ports.listInstanceArns(cluster, o);
  const { instances, failures } = arns.length > 0 ? await ports.describeInstances(cluster, arns, o) : { instances: [], failures: [] };
  const warnings = failures.map((f) => `DescribeContainerInstances failure for ${f.arn}: ${f.reason}`);
  const live = instances
    .filter((i) => i.status === 'ACTIVE' || i.status === 'DRAINING')
    .map(({ containerInstanceArn, ec2InstanceId, status, agentConnected, tags, attributes }) => ({
      containerInstanceArn,
      ec2InstanceId,
      status,
      agentConnected,
      tags,
      attributes: attributes ?? {},
    }));
  const owners = new Map<string, { kind: RetireBackend['ref']['kind']; id: string; state: 'pending' | 'in-service' | 'leaving' }>();
  const unreadBackends: string[] = [];
  if (live.some((i) => !i.agentConnected || readMark(i.attributes, {}) !== undefined)) {
    await Promise.all(
      backends.map(async (b) => {
        try {
          for (const inst of (await b.describe(o)).instances)
            owners.set(inst.ec2InstanceId, { kind: b.ref.kind, id: b.ref.id, state: inst.state });
        } catch (err) {
          unreadBackends.push(`${b.ref.kind} ${b.ref.id}`);
          warnings.push(`${b.ref.kind} ${b.ref.id} could not be read: ${errorMessage(err)}`);
        }
      }),
    );
  }
  return { read: { cluster, instances: live, owners, unreadBackends: unreadBackends.sort() }, warnings };
}
