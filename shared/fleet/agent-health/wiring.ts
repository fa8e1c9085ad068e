import type { AwsClients } from '../../aws/clients';
import { EcsAttributesAdapter } from '../../aws/ecs-attributes';
import { EcsCapacityAdapter } from '../../aws/ecs-capacity';
import { ContainerInstancesAdapter } from '../../aws/ecs-container-instances';
import type { Clock } from '../../lambda/clock';
import type { Log } from '../../lambda/observability';
import type { ManagedBackends } from '../../retire/managed';
import { retirePortsOf } from '../../retire/wiring';
import type { AgentHealthConfig } from './config';
import type { AgentHealthPorts } from './ports';

export type AgentHealthClients = Pick<AwsClients, 'ecs' | 'elbv2' | 'sns' | 'autoscaling' | 'ec2'>;

/**
 * agentHealth's ports on the function's clients. `directory` (the backends we manage) is the
 * capacity slice's, handed in by the function's handler: fleet never imports capacity. The drain,
 * the mark and the replacement are retire's (shared/retire/wiring.ts): bounded by the request's
 * deadline with no Spot notice, for at most the run's time; the next run resumes it, finding the
 * instance DRAINING with our retiring mark. StopTask reasons carry `agent-health-<run>`.
 */
export function agentHealthPorts(
  clients: AgentHealthClients,
  config: AgentHealthConfig,
  env: { clock: Clock; log: Log; region?: string },
  directory: ManagedBackends,
): AgentHealthPorts {
  const instances = new ContainerInstancesAdapter(clients.ecs);
  const ecs = new EcsCapacityAdapter(clients.ecs);
  const records = new EcsAttributesAdapter(clients.ecs);
  return {
    directory,
    listInstanceArns: (cluster, o) => instances.listArns(cluster, undefined, o),
    describeInstances: (cluster, arns, o) => ecs.describeInstances(cluster, arns, o),
    putRecords: (cluster, arn, r, o) => records.put(cluster, arn, r, o),
    deleteRecords: (cluster, arn, names, o) => records.remove(cluster, arn, names, o),
    retire: retirePortsOf(clients, { ...config.drain, dryRun: config.reportOnly, maxWaitMs: config.drainMaxMs }, env),
  };
}
