import { makeHandler, type Deps, type Result } from '../../functions/scale-tick/handler';
import { parseScaleTickConfig, type ScaleTickConfig } from '../../shared/capacity/config';
import type { ClusterTickReport } from '../../shared/capacity/report';
import { SimulatedAccount } from '../../sim/account';
import { buildCapacityCluster, type CapacityClusterOptions } from '../../sim/builders-capacity';
import { recordingLogger, recordingMetrics, recordingPerDimension } from './recorders';

/** scaleTick's config from environment-style settings (the same parser Lambda runs). */
export function tickConfig(env: Record<string, string> = {}): ScaleTickConfig {
  return parseScaleTickConfig(env);
}

/**
 * The real scaleTick handler on a simulated account, with recording logs and per-cluster
 * metrics. `tick()` runs one invocation (60 s of Lambda time); `minute()` lets a minute of
 * simulated time pass after it, as the schedule would.
 */
export function capacityWorld(account: SimulatedAccount, env: Record<string, string> = {}) {
  const logger = recordingLogger();
  const metrics = recordingMetrics();
  const { sinkFor: clusterMetrics, sinks: perCluster } = recordingPerDimension();
  const clients = account.clients();
  const deps: Deps = { clients, config: tickConfig(env), clock: account.clock, logger, metrics, clusterMetrics };
  const handler = makeHandler(() => deps);
  let n = 0;
  const tick = async (): Promise<Result> => {
    const startedAt = account.clock.now();
    const result = await handler(
      {},
      { getRemainingTimeInMillis: () => 60_000 - (account.clock.now() - startedAt), awsRequestId: `tick-${++n}` },
    );
    return result;
  };
  /** One tick, then the clock moves on to the next minute from when the tick started. */
  const minute = async (): Promise<Result> => {
    const startedAt = account.clock.now();
    const result = await tick();
    account.clock.set(startedAt + 60_000);
    return result;
  };
  const report = (r: Result, cluster: string): ClusterTickReport => {
    const found = r.clusters.find((c) => c.cluster === cluster);
    if (!found) throw new Error(`no report for ${cluster} in ${JSON.stringify(r.clusters.map((c) => c.cluster))}`);
    return found;
  };
  return { deps, handler, tick, minute, report, logger, metrics, clusterMetrics: perCluster, clients };
}

/** A fresh account with one capacity cluster on it. */
export function capacityCluster(opts: CapacityClusterOptions, accountOptions: { seed?: number } = {}) {
  const account = new SimulatedAccount(accountOptions);
  const built = buildCapacityCluster(account, opts);
  return { account, built };
}

/** Running tasks of a service, by ECS's own record. */
export function runningOf(account: SimulatedAccount, cluster: string, service: string): number {
  return account.ecs.tasks.all().filter((t) => t.cluster === cluster && t.serviceName === service && t.lastStatus === 'RUNNING').length;
}
