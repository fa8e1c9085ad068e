import type { AwsClients } from '../aws/clients';
import { EcsAttributesAdapter } from '../aws/ecs-attributes';
import type { DrainSettings } from '../drain/config';
import { drainPorts } from '../drain/ports';
import { runDrain } from '../drain/run';
import type { Clock } from '../lambda/clock';
import type { Log } from '../lambda/observability';
import type { RetireBackend, RetirePorts } from './ports';

/**
 * Removal of the last release's scale-in tag (one release only), handed in by the function that may untag;
 * and the reads and write a rebalance drain's call-off needs (per cluster), by the function that calls one off.
 */
export type LegacyMarks = Pick<RetirePorts, 'removeLegacyTag'> & { rebalance?: (cluster: string) => NonNullable<RetirePorts['rebalance']> };

export type RetireClients = Pick<AwsClients, 'ecs' | 'elbv2' | 'sns'>;

/** The drain settings a chosen retirement (scale-in, agent-unhealthy) runs with: no Spot notice, bounded by its own deadline. */
export type RetireDrainSettings = Pick<
  DrainSettings,
  'pollMs' | 'safetyMarginMs' | 'keepServing' | 'expiredToleranceMs' | 'interruptedTasksTopicArn'
> & {
  dryRun: boolean;
  maxWaitMs: number;
};

/**
 * Retire's ports for one cluster on the function's clients: the marks are ECS custom attributes
 * (ecs:PutAttributes / DeleteAttributes); the last release's scale-in tag is removed only by the
 * function handed `legacy` (capacityWriter: its bundle and role alone carry ecs:UntagResource);
 * the drain is shared/drain's, targets deregistered first, keep-serving, tasks stopped once their
 * targets drained, bounded by the request's deadline for at most `stepEndsAt`. The next invocation
 * resumes it from AWS state (DRAINING and our mark), so the drain's hand-on is nothing to send.
 */
export function retirePorts(
  clients: RetireClients,
  settings: RetireDrainSettings,
  env: { clock: Clock; log: Log; region?: string },
  cluster: string,
  backends: readonly RetireBackend[],
  legacy?: LegacyMarks,
): RetirePorts {
  const attributes = new EcsAttributesAdapter(clients.ecs);
  const drain = drainPorts(clients);
  return {
    backends,
    putMark: (arn, name, value, o) => attributes.put(cluster, arn, { [name]: value }, o),
    removeMarks: (arn, names, o) => attributes.remove(cluster, arn, names, o),
    ...(legacy?.removeLegacyTag ? { removeLegacyTag: legacy.removeLegacyTag } : {}),
    ...(legacy?.rebalance ? { rebalance: legacy.rebalance(cluster) } : {}),
    drain: (req, stepEndsAt, drainId) =>
      runDrain(
        {
          ports: { ...drain, handOn: async () => undefined },
          clock: env.clock,
          log: env.log,
          ...(env.region ? { region: env.region } : {}),
        },
        { ...settings, clusters: [cluster] },
        {
          ec2InstanceId: req.ec2InstanceId,
          noticeAt: req.startedAt,
          startedAt: req.startedAt,
          deadline: req.deadline,
          stepEndsAt,
          resumed: req.resumed ?? false,
          drainId,
        },
      ),
  };
}

/** A factory of retire ports per cluster, built once per invocation on the clients (what planners' executors are handed). */
export type RetirePortsOf = (cluster: string, backends: readonly RetireBackend[]) => RetirePorts;

export function retirePortsOf(
  clients: RetireClients,
  settings: RetireDrainSettings,
  env: { clock: Clock; log: Log; region?: string },
  legacy?: LegacyMarks,
): RetirePortsOf {
  return (cluster, backends) => retirePorts(clients, settings, env, cluster, backends, legacy);
}
