import { packOnto } from './bin-pack';
import { demandItems, freeRooms, isSpareRoom, totals, weightOf } from './demand';
import type { CapacityInstance, CapacitySettings, CapacitySnapshot } from './types';

const MAX_NAMED = 3;
/**
 * At most this many candidates are simulated per tick (each check packs the whole cluster's
 * demand): the best ones by the order below. Cluster-autoscaler bounds its scale-down
 * simulation the same way; a big cluster where the first 50 cannot go is not quiet anyway.
 */
export const MAX_EXAMINED = 50;

/** Why an instance is never drained for scale-in (hard exclusions, not preferences). */
export function exclusionOf(i: CapacityInstance): string | undefined {
  if (i.status !== 'ACTIVE') return 'not ACTIVE';
  if (i.notOwned) return 'no backend of ours holding it';
  if (!i.agentConnected) return 'agent disconnected';
  if (i.doNotDisrupt) return 'do-not-disrupt tag';
  if (i.protectedFromScaleIn) return 'instance scale-in protection';
  if (i.tasksUnread) return 'tasks not read this tick';
  // A per-instance agent goes with its instance (the drain stops it last): only batch work keeps one.
  if (i.tasks.some((t) => t.kind === 'standalone' && !t.agent)) return 'standalone tasks';
  if (i.tasks.some((t) => t.protected)) return 'protected tasks';
  return undefined;
}

/** The snapshot as it is once `chosen` is set DRAINING for scale-in (its tasks still on it). */
export function withDraining(snap: CapacitySnapshot, chosen: string): CapacitySnapshot {
  return {
    ...snap,
    instances: snap.instances.map((i) => (i.ec2InstanceId === chosen ? { ...i, status: 'DRAINING', drainedForScaleIn: true } : i)),
  };
}

/**
 * Candidates in order: the fallback backend's first (the costlier capacity); fewest tasks; then from the AZ with the most ACTIVE instances (keeps
 * AZs balanced); then the least reserved; then the instance id (deterministic).
 */
export function ordered(snap: CapacitySnapshot, candidates: CapacityInstance[]): CapacityInstance[] {
  const perAz = new Map<string, number>();
  for (const i of snap.instances) if (i.status === 'ACTIVE') perAz.set(i.availabilityZone, (perAz.get(i.availabilityZone) ?? 0) + 1);
  const used = (i: CapacityInstance) =>
    (i.registered.cpu - i.remaining.cpu) / Math.max(1, i.registered.cpu) +
    (i.registered.memory - i.remaining.memory) / Math.max(1, i.registered.memory);
  return [...candidates].sort(
    (a, b) =>
      Number(!!b.preferRemoval) - Number(!!a.preferRemoval) ||
      a.tasks.length - b.tasks.length ||
      (perAz.get(b.availabilityZone) ?? 0) - (perAz.get(a.availabilityZone) ?? 0) ||
      used(a) - used(b) ||
      (a.ec2InstanceId < b.ec2InstanceId ? -1 : a.ec2InstanceId > b.ec2InstanceId ? 1 : 0),
  );
}

/**
 * Why draining this instance would leave the cluster short, or undefined if it is safe: every
 * task that would then need room (its service tasks, those of instances already draining, the
 * missing ones, the headroom and the room headroom windows hold) fits the free room of the rest, and once they moved neither
 * reservation would be above its scale-out threshold (which would scale straight back out).
 */
function shortAfter(snap: CapacitySnapshot, s: CapacitySettings, id: string): string | undefined {
  const after = withDraining(snap, id);
  const items = demandItems(after, s);
  const left = packOnto(items, freeRooms(after));
  if (left.length > 0) return `${left.length} task(s) would not fit on the rest`;
  const { registered, reserved } = totals(after.instances);
  for (const x of items)
    if (!isSpareRoom(x)) {
      reserved.cpu += x.cpu;
      reserved.memory += x.memory;
    }
  const cpu = registered.cpu > 0 ? (100 * reserved.cpu) / registered.cpu : 0;
  const memory = registered.memory > 0 ? (100 * reserved.memory) / registered.memory : 0;
  if (cpu > s.scaleOutCpuPercent || memory > s.scaleOutMemoryPercent)
    return `reservation would rise to CPU ${Math.round(cpu)}% / memory ${Math.round(memory)}%, above the scale-out threshold`;
  return undefined;
}

/** Why removing `i` (weight `w`) would break a bound: its own backend's min, or the cluster's `lower`; undefined if neither. */
export function boundReason(snap: CapacitySnapshot, i: CapacityInstance, w: number, lower: number): string | undefined {
  const desired = snap.backend.counts.desired;
  if (i.ownerRoom !== undefined && w > i.ownerRoom) return `${i.ec2InstanceId} (weight ${w}) would take its own backend below its min`;
  if (desired - w < lower) return `${i.ec2InstanceId} (weight ${w}) would take desired ${desired} below min ${lower}`;
  return undefined;
}

export interface ScaleInChoice {
  instance?: CapacityInstance;
  reasons: string[];
}

/** The instances no hard exclusion rules out, and a note counting the others by reason (none when only non-ACTIVE ones). */
export function candidatesOf(snap: CapacitySnapshot): { candidates: CapacityInstance[]; reasons: string[] } {
  const excluded = new Map<string, number>();
  const candidates: CapacityInstance[] = [];
  for (const i of snap.instances) {
    const why = exclusionOf(i);
    if (why) excluded.set(why, (excluded.get(why) ?? 0) + 1);
    else candidates.push(i);
  }
  const skipped = [...excluded].filter(([why]) => why !== 'not ACTIVE');
  return { candidates, reasons: skipped.length > 0 ? [`not candidates: ${skipped.map(([why, n]) => `${n} with ${why}`).join(', ')}`] : [] };
}

/** The safest emptiest instance to drain for scale-in, keeping desired at or above `lower`. */
export function chooseScaleIn(snap: CapacitySnapshot, s: CapacitySettings, lower: number): ScaleInChoice {
  const { candidates, reasons } = candidatesOf(snap);
  let kept = 0;
  // Name the first few instances kept and why; count the rest (a big cluster would flood the log).
  const keep = (why: string) => (kept++ < MAX_NAMED ? reasons.push(why) : undefined);
  const queue = ordered(snap, candidates);
  for (const i of queue.slice(0, MAX_EXAMINED)) {
    const bound = boundReason(snap, i, weightOf(snap, i.instanceType), lower);
    if (bound) {
      keep(bound);
      continue;
    }
    const short = shortAfter(snap, s, i.ec2InstanceId);
    if (short) {
      keep(`${i.ec2InstanceId} kept: ${short}`);
      continue;
    }
    reasons.push(
      `drain ${i.ec2InstanceId} (${i.instanceType}, ${i.availabilityZone}, ${i.tasks.length} task(s)): everything on it fits on the rest`,
    );
    return { instance: i, reasons };
  }
  if (kept > MAX_NAMED) reasons.push(`${kept - MAX_NAMED} more instance(s) kept for the same reasons`);
  if (queue.length > MAX_EXAMINED) reasons.push(`${queue.length - MAX_EXAMINED} more candidate(s) not examined this tick`);
  reasons.push('no instance can be drained safely');
  return { reasons };
}
