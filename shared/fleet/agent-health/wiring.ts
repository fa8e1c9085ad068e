import type { AwsClients } from '../../aws/clients';
import { EcsAttributesAdapter } from '../../aws/ecs-attributes';
import { EcsCapacityAdapter } from '../../aws/ecs-capacity';
import { ContainerInstancesAdapter } from '../../aws/ecs-container-instances';
import { backendDirectory } from '../../capacity/backends';
import { drainPorts } from '../../drain/ports';
import { runDrain } from '../../drain/run';
import type { Clock } from '../../lambda/clock';
import type { Log } from '../../lambda/observability';
import type { AgentHealthConfig } from './config';
import type { AgentHealthPorts } from './ports';

export type AgentHealthClients = Pick<AwsClients, 'ecs' | 'elbv2' | 'sns' | 'autoscaling' | 'ec2'>;

/**
 * agentHealth's ports on the function's clients. The drain is the scale-in drain's shape
 * (shared/capacity/scale-in-drain.ts): targets deregistered first, keep-serving, tasks stopped
 * once their targets drained, bounded by the step's deadline with no Spot notice, for at most the
 * run's time; the next run resumes it, finding the instance DRAINING with our replace record (the hand-on is
 * nothing to send). StopTask reasons carry `agent-health-<run>`.
 */
export function agentHealthPorts(
  clients: AgentHealthClients,
  config: AgentHealthConfig,
  clock: Clock,
  log: Log,
  region?: string,
): AgentHealthPorts {
  const instances = new ContainerInstancesAdapter(clients.ecs);
  const ecs = new EcsCapacityAdapter(clients.ecs);
  const records = new EcsAttributesAdapter(clients.ecs);
  const drain = drainPorts(clients);
  return {
    directory: backendDirectory(clients),
    listInstanceArns: (cluster, o) => instances.listArns(cluster, undefined, o),
    describeInstances: (cluster, arns, o) => ecs.describeInstances(cluster, arns, o),
    putRecords: (cluster, arn, r, o) => records.put(cluster, arn, r, o),
    deleteRecords: (cluster, arn, names, o) => records.remove(cluster, arn, names, o),
    drain: (req, cluster, stepEndsAt, runId) =>
      runDrain(
        { ports: { ...drain, handOn: async () => undefined }, clock, log, ...(region ? { region } : {}) },
        { ...config.drain, dryRun: config.reportOnly, maxWaitMs: config.drainMaxMs, clusters: [cluster] },
        {
          ec2InstanceId: req.ec2InstanceId,
          noticeAt: req.startedAt,
          startedAt: req.startedAt,
          deadline: req.deadline,
          stepEndsAt,
          resumed: req.resumed,
          drainId: `agent-health-${runId}`,
        },
      ),
  };
}
