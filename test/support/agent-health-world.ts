import { TagResourceCommand } from '@aws-sdk/client-ecs';
import { makeHandler, type Deps, type Result } from '../../functions/agent-health/handler';
import { parseAgentHealthConfig } from '../../shared/fleet/agent-health/config';
import type { AgentHealthClusterReport } from '../../shared/fleet/agent-health/report';
import type { SimulatedAccount } from '../../sim/account';
import { recordingLogger, recordingMetrics, recordingPerDimension } from './recorders';

/** The schedule's period in these scenarios (serverless.yml: every 5 minutes). */
export const PERIOD_MS = 5 * 60_000;
const BUDGET_MS = 120_000;

/**
 * The real agentHealth handler on a simulated account, with recording logs and per-cluster
 * metrics. `run(event)` is one invocation (120 s of Lambda time); `period()` runs the schedule
 * and lets the clock move on to the next period from when it started.
 */
export function agentHealthWorld(account: SimulatedAccount, env: Record<string, string> = {}) {
  const logger = recordingLogger();
  const metrics = recordingMetrics();
  const perCluster = recordingPerDimension();
  const deps: Deps = {
    clients: account.clients(),
    config: parseAgentHealthConfig(env),
    clock: account.clock,
    logger,
    metrics,
    clusterMetrics: perCluster.sinkFor,
  };
  const handler = makeHandler(() => deps);
  let n = 0;
  const run = (event: unknown = scheduled(account)): Promise<Result> => {
    const startedAt = account.clock.now();
    return handler(event, { getRemainingTimeInMillis: () => BUDGET_MS - (account.clock.now() - startedAt), awsRequestId: `run-${++n}` });
  };
  const period = async (): Promise<Result> => {
    const startedAt = account.clock.now();
    const r = await run();
    account.clock.set(Math.max(account.clock.now(), startedAt + PERIOD_MS));
    return r;
  };
  const report = (r: Result, cluster: string): AgentHealthClusterReport => {
    if (!('clusters' in r)) throw new Error(`rejected: ${r.error}`);
    const found = r.clusters.find((c) => c.cluster === cluster);
    if (!found) throw new Error(`no report for ${cluster}`);
    return found;
  };
  const metric = (cluster: string, name: string) => perCluster.sinks.get(cluster)?.values.get(name) ?? 0;
  return { deps, handler, run, period, report, metric, logger, metrics };
}

/** EventBridge's Scheduled Event at the account's current time. */
export function scheduled(account: SimulatedAccount) {
  return {
    version: '0',
    id: `sched-${account.clock.now()}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: account.accountId,
    time: new Date(account.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: account.region,
    resources: [`arn:aws:events:${account.region}:${account.accountId}:rule/ecs-steady-dev-agent-health`],
    detail: {},
  };
}

export { stoppedBeforeTargetsDrained } from './drain-checks';

/** The container-instance tags ECS keeps for an EC2 instance. */
export function instanceTags(account: SimulatedAccount, ec2InstanceId: string): Record<string, string> {
  return Object.fromEntries(account.ecs.containerInstanceRecord(ec2InstanceId)?.tags ?? new Map<string, string>());
}

/** The custom attributes (PutAttributes) ECS keeps for an EC2 instance's container instance: agentHealth's own records. */
export function instanceAttributes(account: SimulatedAccount, ec2InstanceId: string): Record<string, string> {
  return Object.fromEntries(account.ecs.containerInstanceRecord(ec2InstanceId)?.attributes ?? new Map<string, string>());
}

/** A third party holding only ecs:TagResource writes tags on a container instance, through the API. */
export async function tagAsThirdParty(account: SimulatedAccount, ec2InstanceId: string, tags: Record<string, string>): Promise<void> {
  const arn = account.ecs.containerInstanceRecord(ec2InstanceId)?.arn;
  if (!arn) throw new Error(`tagAsThirdParty: ${ec2InstanceId} has no container instance`);
  await account
    .clients()
    .ecs.send(new TagResourceCommand({ resourceArn: arn, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) }));
}
