import { CLUSTER_TAG, LAST_SCALE_OUT_TAG, SCALED_FOR_TAG } from '../tags';
import type { BackendView } from './ports';
import { hasStateTags, pickBackend } from './roles';
import { time } from './cluster-read';
import type { CapacityStep } from './steps';

/**
 * Which backend serves a cluster found by tags, decided by ECS's membership, pure. A tag is
 * memory, never authority: `ecs-steady:cluster` (anyone's to write) and our own SCALED_FOR_TAG
 * (the cluster we last scaled the backend for) only say where to look; the fact is whether the
 * backend's instances are registered in the cluster, which the tick's cluster read answers anyway
 * (no extra call). With CAPACITY_BACKENDS set, config is the authority and none of this applies.
 */

/**
 * - `confirmed`: at least one of its instances is registered in the cluster (ACTIVE or DRAINING).
 * - `unproven`: nothing says otherwise: it holds no in-service instance (scaling from zero, or its
 *   first instances are still launching), or we asked it for capacity for this cluster within the
 *   arrival time and its instances have not registered yet.
 * - `disproved`: it holds in-service instances and none of them is registered in the cluster: they
 *   serve another cluster (or none). Never used for this one.
 */
export type Standing = 'confirmed' | 'unproven' | 'disproved';

export function standingOf(view: BackendView, cluster: string, registered: ReadonlySet<string>, now: number, arrivalMs: number): Standing {
  if (view.instances.some((i) => registered.has(i.ec2InstanceId))) return 'confirmed';
  if (!view.instances.some((i) => i.state === 'in-service')) return 'unproven';
  const askedAt = time(view.ref.tags[LAST_SCALE_OUT_TAG]);
  const arriving = view.ref.tags[SCALED_FOR_TAG] === cluster && askedAt !== undefined && now - askedAt < arrivalMs;
  return arriving ? 'unproven' : 'disproved';
}

const nameOf = (v: BackendView) => `${v.ref.kind} ${v.ref.id}`;

export interface PrimaryClaim {
  /** The backend that serves the cluster (undefined: none ECS confirms or leaves possible). */
  chosen?: BackendView;
  /** What the tags said that the facts did not bear out, and the claimants not used: reported, counted as a conflict. */
  notes: string[];
}

/**
 * Of the backends claiming to be `cluster`'s own (its CLUSTER_TAG names it, or our memory does),
 * the one that serves it: disproved ones never; a confirmed one before an unproven one; then the one
 * our memory names, the one carrying our state tags, the first by kind and id (pickBackend), so the
 * same one keeps working tick after tick. A confirmed backend whose cluster tag names another
 * cluster (rewritten by anyone with tagging rights) keeps serving this one, and the mismatch is said.
 */
export function confirmPrimary(
  cluster: string,
  claimants: readonly BackendView[],
  registered: ReadonlySet<string>,
  now: number,
  arrivalMs: number,
): PrimaryClaim {
  const standing = new Map(claimants.map((v) => [v, standingOf(v, cluster, registered, now, arrivalMs)]));
  const notes: string[] = [];
  for (const [v, s] of standing) {
    if (s !== 'disproved') continue;
    const held = v.instances.filter((i) => i.state === 'in-service').length;
    notes.push(
      `${nameOf(v)} claims ${cluster} (${claimOf(v, cluster)}) but none of its ${held} in-service instance(s) is registered in ${cluster}: never used for it`,
    );
  }
  const usable = claimants.filter((v) => standing.get(v) !== 'disproved');
  const best = usable.some((v) => standing.get(v) === 'confirmed') ? usable.filter((v) => standing.get(v) === 'confirmed') : usable;
  const remembered = best.filter((v) => v.ref.tags[SCALED_FOR_TAG] === cluster);
  const picked = pickBackend(remembered.length > 0 ? remembered : best);
  if (!picked) return { notes };
  const chosen = picked.chosen;
  const others = usable.filter((v) => v !== chosen);
  // Said by what decided: ECS's membership, else our memory, else our state tags, else the order.
  const why =
    standing.get(chosen) === 'confirmed' && others.some((v) => standing.get(v) !== 'confirmed')
      ? `its instances are registered in ${cluster}`
      : remembered.length > 0 && remembered.length < best.length
        ? `we last scaled it for ${cluster}`
        : picked.ignored.length > 0 && hasStateTags(chosen) && !picked.ignored.every(hasStateTags)
          ? 'it carries our state tags'
          : 'first by kind and id';
  if (others.length > 0)
    notes.push(
      `${others.length + 1} capacity backends tagged for ${cluster}: ${nameOf(chosen)} is used (${why}); ${others.map(nameOf).join(', ')} ignored: remove its ${CLUSTER_TAG} tag, or name the backend in CAPACITY_BACKENDS`,
    );
  const tagged = chosen.ref.tags[CLUSTER_TAG];
  const fact =
    standing.get(chosen) === 'confirmed'
      ? `its instances are registered in ${cluster}`
      : `we scaled it for ${cluster} and no instance says otherwise`;
  if (tagged !== cluster)
    notes.push(
      `${nameOf(chosen)}: its ${CLUSTER_TAG} tag says ${tagged === undefined ? 'nothing' : `"${tagged}"`}, but ${fact}: it keeps serving ${cluster} (correct the tag)`,
    );
  return { chosen, notes };
}

/** After the cluster read: keep the claimant the tick read with, read again with the one ECS confirms, or report none. */
export type ClaimVerdict<B> = { conflict?: string } & ({ next: 'keep' } | { next: 'switch'; to: B } | { next: 'error'; error: string });

/**
 * The tick's answer from confirmPrimary: `current` is the claimant it read with, `views` every
 * claimant as read (current first). It switches at most once (`switched`): a second change of mind
 * within one tick means the backends changed while read, and the tick reports that rather than loop.
 */
export function resolveClaim<B extends { ref: { kind: string; id: string } }>(
  cluster: string,
  claimants: readonly B[],
  current: B,
  views: readonly BackendView[],
  registered: ReadonlySet<string>,
  at: { now: number; arrivalMs: number; switched: boolean },
  fallbackConflict?: string,
): ClaimVerdict<B> {
  const claim = confirmPrimary(cluster, views, registered, at.now, at.arrivalMs);
  const text = [fallbackConflict, ...claim.notes].filter(Boolean).join('; ');
  const conflict = text ? { conflict: text } : {};
  const same = (b: B, v: BackendView) => b.ref.kind === v.ref.kind && b.ref.id === v.ref.id;
  const to = claim.chosen && claimants.find((b) => same(b, claim.chosen!));
  if (!to) return { ...conflict, next: 'error', error: `no capacity backend ECS confirms for ${cluster}${text ? `: ${text}` : ''}` };
  if (to === current) return { ...conflict, next: 'keep' };
  if (at.switched) return { ...conflict, next: 'error', error: `the backends of ${cluster} changed while read: planned next tick` };
  return { ...conflict, next: 'switch', to };
}

function claimOf(v: BackendView, cluster: string): string {
  return v.ref.tags[CLUSTER_TAG] === cluster ? `${CLUSTER_TAG}=${cluster}` : `our ${SCALED_FOR_TAG} memory`;
}

/** The memory confirmed again with each of our records on the cluster's own backend: the cluster it is scaled for. */
export function rememberCluster(steps: readonly CapacityStep[], cluster: string): CapacityStep[] {
  return steps.map((s) =>
    s.kind === 'recordAction' && (s.on ?? 'primary') === 'primary' ? { ...s, tags: { ...s.tags, [SCALED_FOR_TAG]: cluster } } : s,
  );
}
