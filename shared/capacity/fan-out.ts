import { retryUntil, type Backoff } from '../aws/retry';
import type { FifoSender } from '../aws/sqs-fifo-sender';
import type { Clock } from '../lambda/clock';
import { errorMessage } from '../lambda/errors';
import { parseEnv } from '../lambda/env';
import type { Log } from '../lambda/observability';
import { fanOutEnv, parseBackends } from './config';
import type { BackendDirectory, BackendKind } from './ports';
import { deduplicationIdOf, tickMessage } from './writer-messages';

/** scaleTick: which clusters to tick, and the capacity writer's queue. */
export interface FanOutConfig {
  /** Clusters managed; empty = every cluster with a backend tagged `ecs-steady:cluster` (or named in CAPACITY_BACKENDS). */
  clusters: string[];
  backends: Map<string, { kind: BackendKind; id: string }>;
  capacityQueueName: string;
}

export function parseFanOutConfig(env: NodeJS.ProcessEnv = process.env): FanOutConfig {
  const e = parseEnv(fanOutEnv, env);
  return {
    // A cluster ARN names the same cluster as its name (the backend tag holds the name).
    clusters: e.CLUSTERS.map((c) => (c.startsWith('arn:') ? c.slice(c.lastIndexOf('/') + 1) : c)),
    backends: parseBackends(e.CAPACITY_BACKENDS),
    capacityQueueName: e.CAPACITY_QUEUE_NAME,
  };
}

export interface FanOutDeps {
  directory: BackendDirectory;
  fifo: Pick<FifoSender, 'send'>;
  clock: Clock;
  log: Log;
}

/**
 * The minute's tick, one message per cluster into the capacity writer's FIFO queue (group =
 * cluster; deduplication id = cluster + minute, so a retried or doubled tick adds nothing).
 * The clusters are the configured ones, or those discovery finds (one pass for the account).
 * Throws when discovery still fails at `endsAt` or the send fails (the next minute's tick re-plans anyway).
 */
export async function fanOutTicks(deps: FanOutDeps, config: FanOutConfig, endsAt: number): Promise<string[]> {
  const clusters = config.clusters.length > 0 ? config.clusters : [...(await discover(deps, config, endsAt)).keys()].sort();
  const now = deps.clock.now();
  const messages = clusters.map((c) => tickMessage(c, now));
  if (messages.length > 0)
    await deps.fifo.send(
      config.capacityQueueName,
      messages.map((m) => ({ body: m, groupId: m.cluster, deduplicationId: deduplicationIdOf(m) })),
    );
  deps.log.info('capacity ticks queued', { clusters });
  return clusters;
}

/** The capacity tick's backoff (cluster-tick.ts's TICK_RETRY), not imported from there: the fan-out bundle stays small. */
const DISCOVERY_RETRY: Backoff = { baseMs: 1_000, capMs: 8_000, jitter: 'equal' };

/** Discovery, retried (the tick's backoff) while `endsAt` allows: a short outage of the backend reads costs no tick. */
async function discover(deps: FanOutDeps, config: FanOutConfig, endsAt: number) {
  const r = await retryUntil(endsAt, ({ signal }) => deps.directory.discover(config.backends, { signal }), {
    clock: deps.clock,
    backoff: DISCOVERY_RETRY,
    onRetry: ({ error }) => deps.log.warn('capacity backends could not be read; retried', { error: errorMessage(error) }),
  });
  if (!r.ok) throw r.error;
  return r.value;
}
