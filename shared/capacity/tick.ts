import { setMaxListeners } from 'node:events';
import type { CallOptions } from '../aws/call';
import { setTimer } from '../lambda/clock';
import { mapLimit } from '../lambda/concurrency';
import { tickCluster, type EventRequest, type TickDeps as ClusterTickDeps } from './cluster-tick';
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
    const found = await deps.directory.discover(config.backends, o);
    const managed = config.clusters.length > 0 ? config.clusters : [...found.keys()].sort();
    const clusters = events ? [...events.keys()].sort() : managed;
    return await mapLimit(clusters, config.concurrency, (cluster) =>
      !events || managed.includes(cluster)
        ? tickCluster(deps, config, cluster, found.get(cluster) ?? [], endsAt, tickId, o, events?.get(cluster))
        : Promise.resolve(notManaged(cluster, config, deps.clock.now())),
    );
  } finally {
    cancel();
  }
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
