import { BACKOFF_TAG, CLUSTER_TAG, DEMAND_IN_FLIGHT_TAG, FALLBACK_TAG, LAST_SCALE_IN_TAG, LAST_SCALE_OUT_TAG } from '../tags';
import type { CapacityBackend } from './ports';

/** Tags only we write on a backend: one carrying them is the backend this cluster has been scaling. */
const STATE_TAGS = [LAST_SCALE_OUT_TAG, LAST_SCALE_IN_TAG, BACKOFF_TAG, DEMAND_IN_FLIGHT_TAG];
export const hasStateTags = (b: { ref: { tags: Readonly<Record<string, string>> } }) => STATE_TAGS.some((t) => b.ref.tags[t] !== undefined);

/**
 * Of several backends found for one role (anyone may tag a second ASG for a cluster), the one this
 * cluster keeps using: the one carrying our state tags, else the first by kind and id. Deterministic,
 * so the same one keeps working tick after tick; the others are reported, never used.
 */
export function pickBackend<B extends { ref: { kind: string; id: string; tags: Readonly<Record<string, string>> } }>(
  found: readonly B[],
): { chosen: B; ignored: B[] } | undefined {
  const key = (b: B) => `${b.ref.kind}:${b.ref.id}`;
  const state = (b: B) => STATE_TAGS.some((t) => b.ref.tags[t] !== undefined);
  const sorted = [...found].sort((a, b) => Number(state(b)) - Number(state(a)) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return sorted.length > 0 ? { chosen: sorted[0]!, ignored: sorted.slice(1) } : undefined;
}

/**
 * The cluster's backend and its fallback (tagged ecs-steady:fallback-for), or why there is none; `conflict`:
 * backends found and not used (`fallbackConflict`: the fallback's part). `claimants`: every backend found for
 * the primary role (with tag discovery, ECS's membership then decides among them: backend-claims.ts).
 */
export function rolesOf(cluster: string, backends: readonly CapacityBackend[]) {
  const isFallback = (b: CapacityBackend) => b.ref.tags[FALLBACK_TAG] === cluster && b.ref.tags[CLUSTER_TAG] !== cluster;
  const claimants = backends.filter((b) => !isFallback(b));
  const primary = pickBackend(claimants);
  const fallback = pickBackend(backends.filter(isFallback));
  const names = (bs: readonly CapacityBackend[]) => bs.map((b) => `${b.ref.kind} ${b.ref.id}`).join(', ');
  if (!primary)
    return {
      error: `no capacity backend: tag an ASG, EC2 Fleet or Spot Fleet request with ${CLUSTER_TAG}=${cluster}, or name it in CAPACITY_BACKENDS`,
    };
  const conflicts = [
    primary.ignored.length > 0
      ? `${primary.ignored.length + 1} capacity backends tagged for ${cluster}: ${names([primary.chosen])} is used${STATE_TAGS.some((t) => primary.chosen.ref.tags[t] !== undefined) ? ' (it carries our state tags)' : ' (first by kind and id)'}; ${names(primary.ignored)} ignored: remove its ${CLUSTER_TAG} tag, or name the backend in CAPACITY_BACKENDS`
      : '',
    fallback && fallback.ignored.length > 0
      ? `${fallback.ignored.length + 1} fallback backends for ${cluster}: ${names([fallback.chosen])} is used; ${names(fallback.ignored)} ignored`
      : '',
  ].filter(Boolean);
  const fallbackConflict = fallback && fallback.ignored.length > 0 ? conflicts[conflicts.length - 1] : undefined;
  return {
    primary: primary.chosen,
    claimants,
    fallback: fallback?.chosen,
    ...(conflicts.length > 0 ? { conflict: conflicts.join('; ') } : {}),
    ...(fallbackConflict ? { fallbackConflict } : {}),
  };
}
