import { setMaxListeners } from 'node:events';
import type { CallOptions } from '../aws/call';
import { retryUntil } from '../aws/retry';
import { setTimer } from '../lambda/clock';
import { mapLimit } from '../lambda/concurrency';
import { REPORT_RESERVE_MS, TICK_RETRY, tickCluster, type EventRequest, type TickDeps as ClusterTickDeps } from './cluster-tick';
import { errorMessage } from '../lambda/errors';
import type { ScaleTickConfig } from './config';
import type { BackendDirectory } from './ports';
import type { ClusterTickReport } from './report';

export interface TickDeps extends ClusterTickDeps {
  directory: BackendDirectory;
}

export type { EventRequest } from './cluster-tick';

/**
 * One tick over every managed cluster: find the backends (one pass for the account), then per
 * cluster, `concurrency` at a time and each isolated (one broken cluster never stops the
 * others): read, plan, carry out, report. Never throws for a cluster's failure: its report says
 * what failed. `endsAt` bounds everything (the Lambda's time less a reserve).
 */
export async function scaleTick(
  deps: TickDeps,
  config: ScaleTickConfig,
  endsAt: number,
  tickId: string,
  /** Event mode: only these clusters, scale-out only. */
  events?: ReadonlyMap<string, EventRequest>,
): Promise<ClusterTickReport[]> {
  // Every call is aborted when the invocation's time is up, on the tick's own clock.
  const controller = new AbortController();
  // Every concurrent call of every cluster listens on this one signal (each removes its listener when done).
  setMaxListeners(0, controller.signal);
  const o: CallOptions = { signal: controller.signal };
  const cancel = setTimer(deps.clock, endsAt, () => controller.abort(new Error('the tick time is up')));
  try {
    const found = await discover(deps, config, endsAt, o);
    if (found instanceof Error) {
      // No backend could be read for anyone: every cluster we know of gets an error report (and its metrics).
      const names = events ? [...events.keys()] : config.clusters.length > 0 ? config.clusters : ['*'];
      return names.map((cluster) => ({
        cluster,
        dryRun: config.dryRun,
        startedAt: deps.clock.now(),
        decision: 'error' as const,
        error: `the capacity backends could not be read: ${errorMessage(found)}`,
        reasons: [],
        steps: [],
      }));
    }
    const managed = config.clusters.length > 0 ? config.clusters : [...found.keys()].sort();
    const clusters = events ? [...events.keys()].sort() : managed;
    return await mapLimit(clusters, config.concurrency, (cluster) =>
      !events || managed.includes(cluster)
        ? tickCluster(deps, {
            config,
            cluster,
            backends: found.get(cluster) ?? [],
            endsAt,
            tickId,
            o,
            ...(events?.has(cluster) ? { event: events.get(cluster)! } : {}),
          })
        : Promise.resolve(notManaged(cluster, config, deps.clock.now())),
    );
  } finally {
    cancel();
  }
}

/** Discovery, retried (the tick's backoff) while the invocation's time allows; the last error otherwise. */
async function discover(deps: TickDeps, config: ScaleTickConfig, endsAt: number, o: CallOptions) {
  const r = await retryUntil(endsAt - REPORT_RESERVE_MS, ({ signal }) => deps.directory.discover(config.backends, { signal }), {
    clock: deps.clock,
    backoff: TICK_RETRY,
    ...(o.signal ? { signal: o.signal } : {}),
    onRetry: ({ error }) => deps.log.warn('capacity backends could not be read; retried', { error: errorMessage(error) }),
  });
  return r.ok ? r.value : r.error instanceof Error ? r.error : new Error(String(r.error));
}

function notManaged(cluster: string, config: ScaleTickConfig, now: number): ClusterTickReport {
  return {
    cluster,
    dryRun: config.dryRun,
    startedAt: now,
    decision: 'none',
    reasons: [`cluster ${cluster} is not managed here (CLUSTERS, or no backend tagged ecs-steady:cluster=${cluster}): left alone`],
    steps: [],
  };
}
