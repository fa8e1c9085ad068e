import { chooseScaleIn } from './choose';
import { chooseConsolidation, consolidationBlock } from './consolidate';
import { boundsOf, comingUnits, reservationOf, scaleOutNeed, starvedServices, weightOf } from './demand';
import { windowDemand } from './headroom-windows';
import { deploymentHolds, markStuck } from './placement';
import type { CapacityDecision, CapacitySettings, CapacitySnapshot, Resources } from './types';

const pct = (n: number) => `${Math.round(n * 10) / 10}%`;

const names = (xs: readonly string[]) => (xs.length <= 3 ? xs.join(', ') : `${xs.slice(0, 3).join(', ')} and ${xs.length - 3} more`);

/**
 * Decide one cluster's capacity for this tick. Pure: the same snapshot, settings and `now`
 * give the same decision; no SDK, no clock, no logger. Every decision carries its reasons.
 *
 * In order:
 * 1. scale-out — desired below min, a reservation above its threshold (sized to bring it back
 *    under), or tasks that need room and do not fit (missing service tasks and the headroom,
 *    bin-packed onto the backend's shapes; the headroom windows open or opening within the launch
 *    lead hold their tasks too — headroom-windows.ts). Capacity in flight counts as coming; the increase
 *    is bounded by the step and by max. While a shortfall stands, nothing is removed.
 * 2. remove-drained — instances we drained for scale-in that are now empty, down to min.
 * 3. scale-in — both reservations under the low threshold (or, above it, the demand fits on fewer
 *    instances with a spare task's room: a consolidation, see consolidate.ts), nothing starved, no
 *    deployment in progress (for at most deploymentHoldMs each: past it a deployment is reported stuck and holds
 *    no longer), nothing in flight, the cooldown over, fewer than max instances draining:
 *    the safest emptiest instance whose tasks all fit on the rest (see chooseScaleIn).
 */
export function planCapacity(read: CapacitySnapshot, s: CapacitySettings, now: number): CapacityDecision {
  const marked = markStuck(read, s, now);
  // Open (or about-to-open) headroom windows are demand from here on: scale-out packs them, and every fit check sees them.
  const windows = windowDemand(marked, s, now);
  const snap = windows.demand.length > 0 ? { ...marked, windowDemand: windows.demand } : marked;
  const reservation = reservationOf(snap.instances);
  const starved = starvedServices(snap);
  const need = scaleOutNeed(snap, s, now);
  const reasons = [`reservation CPU ${pct(reservation.cpu)}, memory ${pct(reservation.memory)} over ACTIVE instances`];
  if (starved.length > 0) reasons.push(`starved (desired > running + pending): ${names(starved)}`);
  reasons.push(...windows.reasons, ...need.reasons);
  const { stuck } = deploymentHolds(snap, s, now);
  if (stuck.length > 0)
    reasons.push(
      `deployment in progress over ${Math.round(s.deploymentHoldMs / 60_000)} min, reported stuck (scale-in no longer waits for it): ${names(stuck)}`,
    );
  const out = (
    d: Omit<CapacityDecision, 'reasons' | 'unplaceable' | 'reservation' | 'starved' | 'stuckDeployments'>,
    ...why: string[]
  ): CapacityDecision => ({
    ...d,
    reasons: [...reasons, ...why],
    unplaceable: need.unplaceable,
    reservation,
    starved,
    ...(stuck.length > 0 ? { stuckDeployments: stuck } : {}),
  });

  const { lower, upper } = boundsOf(snap, s);
  const desired = snap.backend.counts.desired;
  const belowMin = Math.max(0, lower - desired);
  if (belowMin > 0) reasons.push(`desired ${desired} is below min ${lower}`);
  const shortfall = Math.max(need.units, belowMin);
  if (shortfall > 0) {
    const units = Math.min(shortfall, s.maxStep, upper - desired);
    if (units <= 0)
      return out({ decision: 'none', shortfallUnits: shortfall }, `short ${shortfall} unit(s), but desired ${desired} is at max ${upper}`);
    const bounds = [
      units < shortfall && units === s.maxStep ? `the step (${s.maxStep})` : '',
      units < shortfall && units === upper - desired ? `max ${upper}` : '',
    ]
      .filter(Boolean)
      .join(' and ');
    return out(
      { decision: 'scale-out', desired: desired + units, units, shortfallUnits: shortfall },
      `raise desired ${desired} → ${desired + units}` + (bounds ? ` (${shortfall} short; bounded by ${bounds})` : ''),
    );
  }
  if (need.gross > 0) return out({ decision: 'none' }, 'the shortfall is covered by capacity in flight: wait for it');

  // Empty means ECS counts nothing on it either: a task asked to stop may still be shutting down (its stop timeout).
  const removable = snap.instances.filter(
    (i) => i.status === 'DRAINING' && i.drainedForScaleIn && !i.notOwned && i.tasks.length === 0 && !(i.tasksStopping ?? 0),
  );
  if (removable.length > 0) {
    const ids: string[] = [];
    let after = desired;
    for (const i of removable) {
      const w = weightOf(snap, i.instanceType);
      if (after - w < lower) continue;
      after -= w;
      ids.push(i.ec2InstanceId);
    }
    if (ids.length > 0)
      return out(
        { decision: 'remove-drained', desired: after, instancesToRemove: ids },
        `remove ${ids.length} instance(s) drained for scale-in and now empty: ${names(ids)}; desired ${desired} → ${after}`,
      );
    reasons.push(`${removable.length} drained instance(s) kept: removing them would take desired ${desired} below min ${lower}`);
  }

  const blocks = scaleInBlocks(snap, s, now);
  if (blocks.length > 0) return out({ decision: 'none' }, `no scale-in: ${blocks.join('; ')}`);

  // Under the thresholds the emptiest instance goes; above them only a consolidation can (see consolidationBlock).
  const choice = reservationLow(reservation, s) ? chooseScaleIn(snap, s, lower) : chooseConsolidation(snap, s, lower);
  if (!choice.instance) return out({ decision: 'none' }, ...choice.reasons);
  const w = weightOf(snap, choice.instance.instanceType);
  return out(
    { decision: 'scale-in', desired: desired - w, instanceToDrain: choice.instance.ec2InstanceId },
    ...choice.reasons,
    `once drained, remove exactly it: desired ${desired} → ${desired - w}`,
  );
}

const reservationLow = (r: Resources, s: CapacitySettings) => r.cpu < s.scaleInCpuPercent && r.memory < s.scaleInMemoryPercent;

/**
 * Every gate that keeps scale-in shut this tick (empty ⇒ open): reservations not both low and no
 * consolidation possible, a service starved or mid-deployment, capacity in flight, the cooldown,
 * the draining budget, min.
 * scaleTick also asks it before reading the candidates' tasks (reads only worth a scale-in).
 */
export function scaleInBlocks(snap: CapacitySnapshot, s: CapacitySettings, now: number): string[] {
  const reservation = reservationOf(snap.instances);
  const starved = starvedServices(snap);
  const { lower } = boundsOf(snap, s);
  const desired = snap.backend.counts.desired;
  const blocks: string[] = [];
  if (!reservationLow(reservation, s)) {
    const why = consolidationBlock(snap, s);
    if (why)
      blocks.push(
        `reservations are not both under the scale-in thresholds (CPU ${s.scaleInCpuPercent}%, memory ${s.scaleInMemoryPercent}%) and ${why}`,
      );
  }
  if (starved.length > 0) blocks.push('a service is starved');
  const { holding } = deploymentHolds(snap, s, now);
  if (holding.length > 0) blocks.push(`deployment or replacement in progress: ${names(holding)}`);
  if (comingUnits(snap, s, now) > 0) blocks.push('capacity is in flight');
  // The instance a recommendation's replacement replaces still looks like room until its notice or the bound.
  const rebalancing = snap.instances.filter((i) => i.rebalancing).map((i) => i.ec2InstanceId);
  if (rebalancing.length > 0) blocks.push(`a rebalance recommendation's replacement is under way: ${names(rebalancing)}`);
  const last = snap.recent.lastScaleOutAt;
  if (last !== undefined && now - last < s.scaleInCooldownMs)
    blocks.push(`cooldown: last scale-out ${Math.round((now - last) / 1000)}s ago, ${Math.round(s.scaleInCooldownMs / 1000)}s required`);
  // Only our backends' instances count: another team's drain is not ours to wait for.
  const draining = snap.instances.filter((i) => i.status === 'DRAINING' && !i.notOwned).length;
  if (draining >= s.maxDraining) blocks.push(`${draining} instance(s) draining, at most ${s.maxDraining} at once`);
  if (desired <= lower) blocks.push(`desired ${desired} is at min ${lower}`);
  return blocks;
}
