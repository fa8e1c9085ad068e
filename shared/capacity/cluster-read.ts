import type { RetiringMark } from '../retire/mark';
import { LAST_SCALE_OUT_TAG } from '../tags';
import type { BackendView } from './ports';
import type { CapacitySnapshot, InFlight } from './types';

/*
 * What a capacity read gives the tick, in our types only (no SDK shape): planners such as
 * tick-plan.ts, steps.ts and fallback.ts import it from here, not from the reading adapter
 * (snapshot.ts), so no SDK type reaches them.
 */

/** What the tick needs besides the planner's snapshot. */
export interface ClusterRead {
  snapshot: CapacitySnapshot;
  containerInstanceArnOf: Map<string, string>;
  /** Instances retire marked for scale-in (or the last release's scale-in tag), and when: memory, confirmed against our backend record. */
  scaleInMarkedAt: Map<string, number>;
  /** Of those, the ones whose mark is the last release's scale-in tag (removed with it when stale). */
  legacyScaleInTag?: Set<string>;
  /** Instances carrying our `rebalance` mark (a drain that keeps serving, shared/retire/rebalance.ts): memory, re-read before it is called off. */
  rebalanceMarks?: Map<string, RetiringMark>;
  /** Instances a backend of ours holds in a leaving state (terminating, detaching, standby). */
  leaving?: Set<string>;
  /** Each service's task definition (sizes are read only for services that need room). */
  taskDefinitionOf: Map<string, string>;
  /** Instances the backend launched that ECS has not registered yet (ids). */
  unregistered: string[];
  /** Running + pending tasks per instance, by ECS's own counts. */
  taskCountOf: Map<string, number>;
}

/** Units a backend was asked for and that ECS has not registered yet, asked at its last-scale-out tag (or now). */
export function inFlightOf(backend: BackendView, registered: ReadonlySet<string>, now: number): InFlight | undefined {
  const units = backend.instances.filter((b) => registered.has(b.ec2InstanceId)).reduce((n, b) => n + b.weight, 0);
  const coming = Math.max(0, backend.counts.desired - units);
  return coming > 0 ? { units: coming, requestedAt: time(backend.ref.tags[LAST_SCALE_OUT_TAG]) ?? now } : undefined;
}

export const time = (iso: string | undefined) => (iso && !Number.isNaN(Date.parse(iso)) ? Date.parse(iso) : undefined);
