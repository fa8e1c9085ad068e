import { LAST_SCALE_OUT_TAG } from '../tags';
import { planCapacity } from './plan';
import type { LaunchFailure } from './launch-failures';
import type { BackendView } from './ports';
import { inFlightOf, time } from './cluster-read';
import type { CapacityStep } from './steps';
import type { CapacityDecision, CapacityInstance, CapacitySettings, CapacitySnapshot, InFlight, InstanceShape } from './types';

/**
 * Capacity asked of the backend did not register within the arrival time, or the backend reported
 * a capacity failure since it was asked (Spot pools dry, InsufficientInstanceCapacity:
 * launch-failures.ts): ask the fallback instead. Pure. The fallback's share is what
 * the same planner asks of the fallback (its shapes and bounds) once the late units are no
 * longer counted as coming; the backend is lowered by the late units it never launched (never
 * below its min nor below what it holds) and backs off, so that when its capacity returns it does not launch the same shortfall twice.
 * If the fallback cannot take any of it (at max), nothing changes and the reasons say so.
 */
export function planFallback(
  snap: CapacitySnapshot,
  s: CapacitySettings,
  now: number,
  f: {
    late: number;
    lateEntry: InFlight;
    primary: BackendView;
    fallback: BackendView;
    fallbackShapes: InstanceShape[];
    backoffMs: number;
    /** The capacity failure the backend reported since the request, when that (not the arrival time) made the units late. */
    failed?: LaunchFailure;
  },
): { decision: CapacityDecision; steps: CapacityStep[] } {
  const p = f.primary.counts;
  // Lower only by what the backend never launched: below the instances it holds, an ASG would pick
  // instances to terminate itself (perhaps one with tasks). Launched-but-unregistered ones are
  // agentHealth's; their units stay on the backend.
  const launched = f.primary.instances.filter((i) => i.state !== 'leaving').reduce((n, i) => n + i.weight, 0);
  const unlaunched = Math.max(0, p.desired - launched);
  const lowered = Math.max(p.min, p.desired - Math.min(f.late, unlaunched));
  const withoutLate: CapacitySnapshot = {
    ...snap,
    backend: { counts: f.fallback.counts, shapes: f.fallbackShapes },
    // The late units no longer count as coming: they are taken off the backend.
    inFlight: snap.inFlight.filter((x) => x !== f.lateEntry),
  };
  const d = planCapacity(withoutLate, { ...s, min: 0, max: f.fallback.counts.max }, now);
  const asked = `${f.late} unit(s) asked of ${f.primary.ref.kind} ${f.primary.ref.id}`;
  const why = f.failed
    ? `${asked} will not arrive: it reported a failed launch at ${new Date(f.failed.at).toISOString()} (${f.failed.message})`
    : `${asked} over ${s.arrivalTimeoutMs / 1000}s ago have not registered`;
  if (d.decision !== 'scale-out')
    return {
      decision: { ...d, decision: 'none', reasons: [...d.reasons, `${why}; the fallback ${f.fallback.ref.id} takes none of it`] },
      steps: [],
    };
  const until = now + f.backoffMs;
  return {
    decision: {
      ...d,
      decision: 'fallback',
      reasons: [
        ...d.reasons,
        `${why}: lower it ${p.desired} → ${lowered} and back off until ${new Date(until).toISOString()}; raise the fallback ${f.fallback.ref.kind} ${f.fallback.ref.id} ${f.fallback.counts.desired} → ${d.desired}`,
      ],
    },
    // Each step after the first needs the one before it: the fallback is raised only once the backend
    // no longer counts the late units, and the back-off is written only once the fallback was raised
    // (a back-off over a backend still asking for them would launch the shortfall twice when Spot returns).
    steps: [
      ...(lowered < p.desired
        ? [{ kind: 'setDesired' as const, id: 'lower', desired: lowered, from: p.desired, on: 'primary' as const }]
        : []),
      {
        kind: 'setDesired',
        id: 'raise',
        desired: d.desired!,
        from: f.fallback.counts.desired,
        on: 'fallback',
        ...(lowered < p.desired ? { after: { step: 'lower' } } : {}),
      },
      { kind: 'recordAction', action: 'backoff', at: until, on: 'primary', after: { step: 'raise' } },
      { kind: 'recordAction', action: 'scale-out', on: 'fallback', after: { step: 'raise' } },
    ],
  };
}

/**
 * The cluster as the planner sees it with its backend and, if it has one, its fallback. Pure.
 * Capacity is both backends': scale-in may remove from either (each instance down to its own
 * backend's min; the fallback's first), scale-out grows the active one up to its own max while
 * the other stays; capacity in flight is each backend's own; the cooldown counts either's last
 * scale-out. Without a fallback the snapshot is the backend's alone.
 */
export function withBackends(
  snap: CapacitySnapshot,
  b: { primary: BackendView; fallback?: BackendView | undefined; onFallback: boolean; activeShapes: InstanceShape[]; now: number },
): { snapshot: CapacitySnapshot; pIn?: InFlight; fIds: Set<string> } {
  const { primary: p, fallback: f, onFallback, now } = b;
  const registered = new Set(snap.instances.map((i) => i.ec2InstanceId));
  const pIn = inFlightOf(p, registered, now);
  const fIn = f ? inFlightOf(f, registered, now) : undefined;
  const fIds = new Set(f?.instances.map((i) => i.ec2InstanceId) ?? []);
  const active = onFallback && f ? f : p;
  const other = onFallback ? p : f;
  const lastOut = Math.max(time(p.ref.tags[LAST_SCALE_OUT_TAG]) ?? -Infinity, time(f?.ref.tags[LAST_SCALE_OUT_TAG]) ?? -Infinity);
  const owned = (i: CapacityInstance): CapacityInstance =>
    !f
      ? i
      : fIds.has(i.ec2InstanceId)
        ? { ...i, preferRemoval: true, ownerRoom: f.counts.desired - f.counts.min }
        : { ...i, ownerRoom: p.counts.desired - p.counts.min };
  const snapshot: CapacitySnapshot = {
    ...snap,
    backend: {
      counts: other
        ? {
            desired: active.counts.desired + other.counts.desired,
            inService: active.counts.inService + other.counts.inService,
            min: active.counts.min + other.counts.min,
            max: active.counts.max + other.counts.desired,
          }
        : active.counts,
      shapes: b.activeShapes,
    },
    inFlight: [pIn, fIn].filter((x) => x !== undefined),
    recent: Number.isFinite(lastOut) ? { ...snap.recent, lastScaleOutAt: lastOut } : snap.recent,
    instances: snap.instances.map(owned),
  };
  return { snapshot, ...(pIn ? { pIn } : {}), fIds };
}
