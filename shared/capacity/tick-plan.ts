import { BACKOFF_TAG, DEMAND_IN_FLIGHT_TAG } from '../tags';
import { resolveHeadroom, shapesFromTags, type ClusterSettings } from './config';
import { planFallback, withBackends } from './fallback';
import { decodeHeld, encodeHeld, mergeDemand, type Demand } from './held-demand';
import type { LaunchFailure } from './launch-failures';
import { rememberCluster } from './backend-claims';
import { exclusionOf } from './choose';
import { scaleInBlocks } from './plan';
import type { BackendView } from './ports';
import { parseRecord } from './scale-in-record';
import { time, type ClusterRead } from './cluster-read';
import { planRebalanceCallOffs, planTick, type CapacityStep } from './steps';
import { onActiveBackend, scopeDecision } from './tick-choices';
import type { CapacityDecision, CapacitySettings, CapacitySnapshot, InFlight, InstanceShape } from './types';

/**
 * The choices tickCluster makes between its reads and its writes, pure (data and `now` in, a plan
 * out) so tables and properties see them: which backend is active, the demand held in flight,
 * whether capacity is late, the fallback or the planner, whether more scale-in candidates are worth
 * reading, and the planner's decision as steps on the active backend (each of our records on the
 * cluster's own backend remembering the cluster: backend-claims.ts). The orchestrator only
 * sequences the reads and writes around them.
 */

/** The cluster's backends as this round read them. */
export interface TickViews {
  primary: BackendView;
  fallback?: BackendView;
  /** The primary backs off (BACKOFF_TAG in the future) and a fallback exists: scale-outs go to the fallback. */
  onFallback: boolean;
  /** The backend a scale-out raises. */
  active: BackendView;
  /** One view for the cluster read: every type either launches is sized; instances of both are the cluster's. */
  both: BackendView;
  /** Our record of our scale-in drains, on each backend (a mark alone is anyone's word). */
  ours: Set<string>;
}

/** A backend that names no shapes (a plain launch template, no instance yet) may name them in a tag. */
export function withTaggedShapes(v: BackendView): BackendView {
  if (v.shapes.length > 0) return v;
  const tagged = shapesFromTags(v.ref.tags);
  return tagged ? { ...v, shapes: tagged } : v;
}

export function composeViews(p: BackendView, f: BackendView | undefined, now: number): TickViews {
  const primary = withTaggedShapes(p);
  const fallback = f && withTaggedShapes(f);
  const onFallback = !!fallback && (time(primary.ref.tags[BACKOFF_TAG]) ?? 0) > now;
  const active = onFallback ? fallback : primary;
  return {
    primary,
    ...(fallback ? { fallback } : {}),
    onFallback,
    active,
    both: {
      ...active,
      shapes: [...primary.shapes, ...(fallback?.shapes ?? [])],
      instances: [...primary.instances, ...(fallback?.instances ?? [])],
    },
    ours: new Set([...parseRecord(primary.ref.tags), ...(fallback ? parseRecord(fallback.ref.tags) : [])]),
  };
}

/** The round's snapshot with both backends, the demand it plans for, and whether the primary's capacity is late by time. */
export interface TickFrame {
  read: ClusterRead & { warnings: string[] };
  settings: CapacitySettings;
  /** Demand ECS cannot show: the event's, plus what is held in flight while capacity asked for it is still coming. */
  demand: Demand;
  /** The primary's capacity in flight. */
  pIn?: InFlight;
  /** Instances the fallback holds. */
  fIds: Set<string>;
  fallbackShapes: InstanceShape[];
  lateByTime: boolean;
}

export function frameTick(
  read: ClusterRead & { warnings: string[] },
  v: TickViews,
  cs: ClusterSettings,
  extra: Demand,
  now: number,
): TickFrame {
  const sized = read.snapshot.backend.shapes;
  const shapesOf = (x: BackendView) => sized.filter((s) => x.shapes.some((y) => y.instanceType === s.instanceType));
  const combined = withBackends(read.snapshot, {
    primary: v.primary,
    fallback: v.fallback,
    onFallback: v.onFallback,
    activeShapes: shapesOf(v.active),
    now,
  });
  // Demand ECS cannot show whose capacity is still in flight counts with this re-plan's (held-demand.ts).
  const inFlightUnits = combined.snapshot.inFlight.reduce((n, f) => n + f.units, 0);
  const demand = mergeDemand(inFlightUnits > 0 ? decodeHeld(v.active.ref.tags[DEMAND_IN_FLIGHT_TAG]) : [], extra);
  const snapshot: CapacitySnapshot = { ...combined.snapshot, ...(demand.length > 0 ? { extraDemand: demand } : {}) };
  const settings = resolveHeadroom(cs, snapshot.backend.shapes);
  const { pIn } = combined;
  return {
    read: { ...read, snapshot },
    settings,
    demand,
    ...(pIn ? { pIn } : {}),
    fIds: combined.fIds,
    fallbackShapes: v.fallback ? shapesOf(v.fallback) : [],
    lateByTime: !!pIn && now - pIn.requestedAt >= settings.arrivalTimeoutMs,
  };
}

/** Whether the primary's launch history is worth reading: only a fallback could take what a failed launch left missing. */
export const wantsLaunchFailures = (v: TickViews): boolean => !!v.fallback && !v.onFallback;

/**
 * Units asked of the primary that will not come: all of its capacity in flight, once the arrival
 * time passed or it reported a capacity failure since. Late units go to the fallback (when there is
 * one and the primary is not already backing off); otherwise the planner decides.
 */
export function lateUnits(frame: TickFrame, failed: LaunchFailure | undefined): number {
  return frame.pIn && (frame.lateByTime || failed) ? frame.pIn.units : 0;
}
export const goesToFallback = (v: TickViews, late: number): boolean => !!v.fallback && !v.onFallback && late > 0;

/** The round's answer: the decision and the steps that carry it out, with the reasons said beside the decision's own. */
export interface RoundPlan {
  decision: CapacityDecision;
  steps: CapacityStep[];
  reasons: string[];
}

/** Late capacity moved to the fallback (planFallback), with the back-off this long. */
export function planOnFallback(
  frame: TickFrame,
  v: TickViews,
  late: number,
  failed: LaunchFailure | undefined,
  now: number,
  backoffMs: number,
): RoundPlan {
  const f = planFallback(frame.read.snapshot, frame.settings, now, {
    late,
    lateEntry: frame.pIn!,
    primary: v.primary,
    fallback: v.fallback!,
    fallbackShapes: frame.fallbackShapes,
    backoffMs,
    ...(failed ? { failed } : {}),
  });
  const steps = rememberCluster(f.steps, frame.read.snapshot.cluster);
  return { decision: f.decision, steps, reasons: [...f.decision.reasons, ...frame.read.warnings] };
}

/** ACTIVE instances whose tasks are known (read as candidates). */
export const knownCandidates = (s: CapacitySnapshot) => s.instances.filter((i) => !i.tasksUnread && i.status === 'ACTIVE');

/**
 * Whether to read (more) scale-in candidates' tasks before deciding: only a tick (events only scale
 * out), only while the planner has nothing else to do and no gate blocks a scale-in anyway.
 */
export function wantsCandidates(
  decision: CapacityDecision,
  snapshot: CapacitySnapshot,
  settings: CapacitySettings,
  now: number,
  event?: { scaleOutOnly: boolean },
): boolean {
  return !event?.scaleOutOnly && decision.decision === 'none' && scaleInBlocks(snapshot, settings, now).length === 0;
}

/** After a round of candidates: stop when it added none, or when one of those known is not ruled out (the planner's choice stands). */
export function candidatesSettled(knownBefore: number, snapshot: CapacitySnapshot): boolean {
  const known = knownCandidates(snapshot);
  return known.length === knownBefore || known.some((i) => exclusionOf(i) === undefined);
}

/**
 * The planner's decision as steps: scoped to scale-out for an event, planned onto the cluster's
 * backends (removals on the backend holding each instance), a raise on the active backend by the
 * units the planner adds, and a scale-out's record carrying the demand held in flight.
 */
export function planOnPlanner(
  frame: TickFrame,
  v: TickViews,
  planned: CapacityDecision,
  now: number,
  drainMaxMs: number,
  event?: { scaleOutOnly: boolean; trigger: string },
): RoundPlan {
  const decision = scopeDecision(planned, event);
  const extra: string[] = [];
  if (v.onFallback)
    extra.push(
      `${v.primary.ref.kind} ${v.primary.ref.id} backs off until ${v.primary.ref.tags[BACKOFF_TAG]}: scale-outs go to the fallback`,
    );
  const plan = planTick(frame.read, decision, now, drainMaxMs, event?.scaleOutOnly ? 'scale-out-only' : 'all', {
    active: v.onFallback ? 'fallback' : 'primary',
    ownerOf: (id) => (frame.fIds.has(id) ? 'fallback' : 'primary'),
    tags: { primary: v.primary.ref.tags, ...(v.fallback ? { fallback: v.fallback.ref.tags } : {}) },
  });
  const held = encodeHeld(frame.demand);
  if (held.dropped > 0) extra.push(`${held.dropped} held task(s) do not fit the ${DEMAND_IN_FLIGHT_TAG} tag: not remembered`);
  return {
    decision,
    steps: rememberCluster(onActiveBackend(plan.steps, decision.units, v.active.counts.desired, held.value), frame.read.snapshot.cluster),
    reasons: [...decision.reasons, ...extra, ...plan.reasons, ...frame.read.warnings],
  };
}

/**
 * The round's steps plus the rebalance drains to call off (steps.ts planRebalanceCallOffs): on the
 * tick's own rounds only, never on an event's scale-out-only re-plan.
 */
export function withRebalanceCallOffs(
  plan: RoundPlan,
  read: ClusterRead,
  boundMs: number,
  now: number,
  event?: { scaleOutOnly: boolean },
): RoundPlan {
  if (event?.scaleOutOnly) return plan;
  const callOffs = planRebalanceCallOffs(read, boundMs, now);
  return callOffs.length > 0 ? { ...plan, steps: [...plan.steps, ...callOffs] } : plan;
}
