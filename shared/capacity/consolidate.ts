import { largest, packOnto, sortDecreasing, type PackItem } from './bin-pack';
import { boundReason, candidatesOf, MAX_EXAMINED, ordered, withDraining, type ScaleInChoice } from './choose';
import { demandItems, freeRooms, isSpareRoom, totals, weightOf } from './demand';
import type { CapacityInstance, CapacitySettings, CapacitySnapshot, Resources } from './types';

/**
 * Consolidation: scale in because the cluster's demand fits on fewer instances than it runs, not
 * because a reservation is under its scale-in threshold. Karpenter's single-node consolidation is
 * the model (karpenter.sh/docs/concepts/disruption, "Consolidation"): a node is removed when a
 * scheduling simulation puts every one of its pods on the free room of the other nodes, one
 * disruption at a time within the budget, never a node whose pods cannot be evicted. Here the
 * simulation is the planner's own bin-packing (the same demandItems the scale-out sizes with,
 * so headroom and any other demand count), and the budget is the scale-in gates (cooldown,
 * deployments, starved services, capacity in flight, maxDraining, min).
 *
 * No flapping: a consolidation must never make the next tick scale out. The rest must hold the
 * moved tasks, the missing ones and the headroom with room for one spare task (the largest the
 * cluster runs) left over, and both reservations — the spare counted — must stay at or under the
 * scale-out thresholds. The spare absorbs ECS placing the moved tasks differently from our packing.
 */

const MAX_NAMED = 3;
const MARGIN = 'consolidation margin';

/** One more of the largest task the cluster asks room for (a service task or the headroom's): the margin kept free. */
export function spareTaskOf(snap: CapacitySnapshot, s: CapacitySettings): PackItem | undefined {
  const sizes: PackItem[] = snap.services.filter((v) => !v.daemon && v.desired > 0).map((v) => ({ source: MARGIN, ...v.task }));
  if (s.headroom.tasks > 0) sizes.push({ source: MARGIN, cpu: s.headroom.cpu, memory: s.headroom.memory });
  return sortDecreasing(sizes, largest(snap.backend.shapes))[0];
}

const pct = (used: number, of: number) => (of > 0 ? (100 * used) / of : 0);

/** Reservations (%) once `items` (room held spare aside, it reserves nothing) are placed on the ACTIVE instances of `snap`. */
function reservationWith(snap: CapacitySnapshot, items: readonly PackItem[]): Resources {
  const { registered, reserved } = totals(snap.instances);
  for (const x of items)
    if (!isSpareRoom(x)) {
      reserved.cpu += x.cpu;
      reserved.memory += x.memory;
    }
  return { cpu: pct(reserved.cpu, registered.cpu), memory: pct(reserved.memory, registered.memory) };
}

const overThreshold = (r: Resources, s: CapacitySettings) =>
  r.cpu > s.scaleOutCpuPercent || r.memory > s.scaleOutMemoryPercent
    ? `reservation would be CPU ${Math.round(r.cpu)}% / memory ${Math.round(r.memory)}% with a spare task, above the scale-out threshold`
    : undefined;

/**
 * Why the cluster cannot run on one instance fewer, judged before its instances' tasks are read
 * (scaleTick reads candidates' tasks only when some scale-in could happen), or undefined when it
 * may: removing its smallest possible candidate must leave room, by totals, for everything that
 * runs, is missing or is kept as headroom, plus the spare, within the scale-out thresholds.
 * Necessary, not sufficient: chooseConsolidation then packs task by task.
 */
export function consolidationBlock(snap: CapacitySnapshot, s: CapacitySettings): string | undefined {
  if (!s.consolidation) return 'consolidation is off';
  const possible = snap.instances.filter(
    (i) => i.status === 'ACTIVE' && i.agentConnected && !i.notOwned && !i.doNotDisrupt && !i.protectedFromScaleIn,
  );
  if (possible.length === 0) return 'no instance can be consolidated';
  const smallest = [...possible].sort(
    (a, b) => weightOf(snap, a.instanceType) - weightOf(snap, b.instanceType) || a.registered.cpu - b.registered.cpu,
  )[0]!;
  const spare = spareTaskOf(snap, s);
  const items = [...demandItems(snap, s), ...(spare ? [spare] : [])];
  const { registered, reserved } = totals(snap.instances);
  const room = { cpu: registered.cpu - smallest.registered.cpu, memory: registered.memory - smallest.registered.memory };
  // Everything asked must fit; only what will be reserved (not the spare room windows and headroom hold) counts toward scale-out.
  const need = { cpu: reserved.cpu, memory: reserved.memory };
  const reservedOnly = { cpu: reserved.cpu, memory: reserved.memory };
  for (const x of items) {
    need.cpu += x.cpu;
    need.memory += x.memory;
    if (isSpareRoom(x)) continue;
    reservedOnly.cpu += x.cpu;
    reservedOnly.memory += x.memory;
  }
  const fits =
    need.cpu <= room.cpu &&
    need.memory <= room.memory &&
    pct(reservedOnly.cpu, room.cpu) <= s.scaleOutCpuPercent &&
    pct(reservedOnly.memory, room.memory) <= s.scaleOutMemoryPercent;
  return fits ? undefined : 'the demand does not fit on fewer instances';
}

/**
 * Why consolidating `id` would leave the cluster short (or scale it straight back out), or
 * undefined if it is safe: the moved tasks, the missing ones, the headroom and one spare task all
 * fit the free room of the rest, and the reservations with them stay at or under scale-out.
 */
export function consolidationShortAfter(snap: CapacitySnapshot, s: CapacitySettings, id: string): string | undefined {
  const after = withDraining(snap, id);
  const spare = spareTaskOf(snap, s);
  const items = [...demandItems(after, s), ...(spare ? [spare] : [])];
  const left = packOnto(items, freeRooms(after));
  if (left.length > 0) {
    const margin = left.some((x) => x.source === MARGIN) ? ' with a spare task' : '';
    return `${left.length} task(s) would not fit on the rest${margin}`;
  }
  return overThreshold(reservationWith(after, items), s);
}

/**
 * The instance to consolidate: among the scale-in candidates (the same hard exclusions as
 * chooseScaleIn: standalone or protected tasks, do-not-disrupt, instance protection, …), the one
 * whose removal frees the most capacity units and whose tasks all fit on the rest; ties go to the
 * scale-in order (the fallback's first, fewest tasks — the least disruption —, AZ balance).
 */
export function chooseConsolidation(snap: CapacitySnapshot, s: CapacitySettings, lower: number): ScaleInChoice {
  const { candidates, reasons } = candidatesOf(snap);
  const byUnits = ordered(snap, candidates)
    .slice(0, MAX_EXAMINED)
    .map((i, rank) => ({ i, rank, w: weightOf(snap, i.instanceType) }))
    .sort((a, b) => b.w - a.w || a.rank - b.rank);
  let kept = 0;
  const keep = (why: string) => (kept++ < MAX_NAMED ? reasons.push(why) : undefined);
  for (const { i, w } of byUnits) {
    const bound = boundReason(snap, i, w, lower);
    if (bound) {
      keep(bound);
      continue;
    }
    const short = consolidationShortAfter(snap, s, i.ec2InstanceId);
    if (short) {
      keep(`${i.ec2InstanceId} kept: ${short}`);
      continue;
    }
    reasons.push(consolidateReason(i, w));
    return { instance: i, reasons };
  }
  if (kept > MAX_NAMED) reasons.push(`${kept - MAX_NAMED} more instance(s) kept for the same reasons`);
  reasons.push('no instance can be consolidated safely');
  return { reasons };
}

const consolidateReason = (i: CapacityInstance, w: number) =>
  `consolidate: the demand fits on fewer instances; drain ${i.ec2InstanceId} (${i.instanceType}, ${i.availabilityZone}, ${i.tasks.length} task(s), ${w} unit(s) freed): everything on it fits on the rest with a spare task`;
