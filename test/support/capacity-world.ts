import { makeHandler, type Deps } from '../../functions/scale-tick/handler';
import { parseFanOutConfig } from '../../shared/capacity/fan-out';
import type { ClusterTickReport } from '../../shared/capacity/report';
import { SimulatedAccount } from '../../sim/account';
import { buildCapacityCluster, type CapacityClusterOptions } from '../../sim/builders-capacity';
import { CAPACITY_QUEUE, capacityWriter } from './capacity-writer';
import { recordingLogger, recordingMetrics } from './recorders';

/** What one tick did: each cluster's last report from the capacity writer within the tick's minute. */
export interface Result {
  clusters: ClusterTickReport[];
}

/**
 * The real scaleTick (fan-out) and capacityWriter handlers on a simulated account, the writer
 * behind its FIFO queue and a model of Lambda's event source mapping (test/support/capacity-
 * writer.ts), with recording logs and per-cluster metrics. `tick()` runs one fan-out and lets the
 * writer consume until its queue is empty (at most a minute); `minute()` then lets the rest of
 * the minute pass, as the schedule would.
 */
export function capacityWorld(account: SimulatedAccount, env: Record<string, string> = {}) {
  const logger = recordingLogger();
  const metrics = recordingMetrics();
  const clients = account.clients();
  const writer = capacityWriter(account, env);
  const deps: Deps = {
    clients,
    config: parseFanOutConfig({ ...env, CAPACITY_QUEUE_NAME: CAPACITY_QUEUE }),
    clock: account.clock,
    logger,
    metrics,
  };
  const handler = makeHandler(() => deps);
  const fanOutErrors: unknown[] = [];
  const tick = async (): Promise<Result> => {
    const from = writer.reports.length;
    // A fan-out that fails (discovery down all its time) is Lambda's error; the writer still consumes what is queued.
    await handler().catch((err: unknown) => fanOutErrors.push(err));
    await writer.drain(60_000);
    const last = new Map<string, ClusterTickReport>();
    for (const r of writer.reports.slice(from)) last.set(r.cluster, r);
    return { clusters: [...last.values()].sort((a, b) => (a.cluster < b.cluster ? -1 : 1)) };
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
  return {
    deps,
    handler,
    writer,
    tick,
    minute,
    report,
    logger: writer.logger,
    fanOutLogger: logger,
    fanOutErrors,
    metrics: writer.metrics,
    clusterMetrics: writer.clusterMetrics,
    clients,
  };
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
