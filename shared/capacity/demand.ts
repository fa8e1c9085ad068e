import { largest, packNew, packOnto, type FreeRoom, type PackItem } from './bin-pack';
import { daemonReserve, perUnitToward, roomsAfterDaemons, shapesAfterDaemons, surgeOf } from './placement';
import type { CapacityInstance, CapacitySettings, CapacitySnapshot, InstanceShape, Resources, Unplaceable } from './types';

/** Float slack for "brought back under the threshold" (CPU units and MiB are integers). */
const EPSILON = 1e-9;

const pct = (n: number) => `${Math.round(n * 10) / 10}%`;

/** Capacity units one instance of this type counts for (an unknown type counts 1). */
export function weightOf(snap: CapacitySnapshot, instanceType: string): number {
  return snap.backend.shapes.find((s) => s.instanceType === instanceType)?.weight ?? 1;
}

/** Registered and reserved (registered − remaining) CPU and memory over ACTIVE instances. */
export function totals(instances: readonly CapacityInstance[]): { registered: Resources; reserved: Resources } {
  const t = { registered: { cpu: 0, memory: 0 }, reserved: { cpu: 0, memory: 0 } };
  for (const i of instances) {
    if (i.status !== 'ACTIVE') continue;
    t.registered.cpu += i.registered.cpu;
    t.registered.memory += i.registered.memory;
    t.reserved.cpu += i.registered.cpu - i.remaining.cpu;
    t.reserved.memory += i.registered.memory - i.remaining.memory;
  }
  return t;
}

/**
 * CPUReservation / MemoryReservation in percent, the way CloudWatch computes them: reserved by
 * tasks over registered, summed over the cluster's ACTIVE container instances (0 with none).
 */
export function reservationOf(instances: readonly CapacityInstance[]): Resources {
  const { registered, reserved } = totals(instances);
  return {
    cpu: registered.cpu > 0 ? (100 * reserved.cpu) / registered.cpu : 0,
    memory: registered.memory > 0 ? (100 * reserved.memory) / registered.memory : 0,
  };
}

/** The bounds in capacity units: the settings narrowed by the backend's own min and max. */
export function boundsOf(snap: CapacitySnapshot, s: CapacitySettings): { lower: number; upper: number } {
  return { lower: Math.max(s.min, snap.backend.counts.min), upper: Math.min(s.max, snap.backend.counts.max) };
}

/**
 * Units asked for and not yet registered: counted as coming however long they take, so the same
 * shortfall is never asked for twice (raising desired again does not make a launch that fails
 * succeed; it only overshoots once capacity returns). Late capacity is reported (notArrivedUnits).
 */
export function comingUnits(snap: CapacitySnapshot, _s: CapacitySettings, _now: number): number {
  return snap.inFlight.reduce((n, f) => n + f.units, 0);
}

/** Units asked for longer ago than the arrival timeout and still not registered ("capacity that never arrived"). */
export function notArrivedUnits(snap: CapacitySnapshot, s: CapacitySettings, now: number): number {
  return snap.inFlight.filter((f) => now - f.requestedAt >= s.arrivalTimeoutMs).reduce((n, f) => n + f.units, 0);
}

/** Where a headroom window's tasks come from in reasons and packing (a space: no service or family is named so). */
export const windowSource = (window: string) => `headroom window '${window}'`;
/** Room held spare (the headroom, a headroom window's): bin-packed like tasks, never counted as reserved. */
export const isSpareRoom = (x: PackItem) => x.spare === true;

export const starvedServices = (snap: CapacitySnapshot): string[] =>
  snap.services.filter((v) => v.desired > v.running + v.pending).map((v) => v.name);

/**
 * Tasks that need room on ACTIVE instances: per service, what desired asks beyond the tasks
 * pending and running on ACTIVE instances (a service task on a DRAINING instance will be
 * replaced) — or, while it deploys, its surge if larger (surgeOf) — then tasks RunTask could not
 * place (extraDemand), then the headroom tasks and the tasks headroom windows hold now (windowDemand,
 * set by the planner for its `now`). DAEMON services are not demand here: their
 * reservation comes off every instance (placement.ts). A task holding fixed host ports carries them.
 */
export function demandItems(snap: CapacitySnapshot, s: CapacitySettings): PackItem[] {
  const onDraining = new Map<string, number>();
  for (const i of snap.instances)
    if (i.status === 'DRAINING')
      for (const t of i.tasks)
        if (t.kind === 'service' && t.serviceName) onDraining.set(t.serviceName, (onDraining.get(t.serviceName) ?? 0) + 1);
  const items: PackItem[] = [];
  for (const v of snap.services) {
    if (v.daemon) continue;
    const missing = Math.max(0, v.desired - v.pending - v.running + Math.min(v.running, onDraining.get(v.name) ?? 0), surgeOf(v));
    const ports = v.hostPorts?.length ? { ports: v.hostPorts } : {};
    for (let k = 0; k < missing; k++) items.push({ source: v.name, ...v.task, ...ports });
  }
  for (const x of snap.extraDemand ?? []) for (let k = 0; k < x.count; k++) items.push({ source: x.source, cpu: x.cpu, memory: x.memory });
  for (let k = 0; k < s.headroom.tasks; k++)
    items.push({ source: 'headroom', spare: true, cpu: s.headroom.cpu, memory: s.headroom.memory });
  for (const w of snap.windowDemand ?? [])
    for (let k = 0; k < w.count; k++)
      items.push({ source: windowSource(w.window), spare: true, cpu: w.cpu, memory: w.memory, ...(w.ports ? { ports: w.ports } : {}) });
  return items;
}

/** Free room where ECS can place a task now: ACTIVE instances whose agent is connected, less daemon tasks still to come, with their ports held. */
export const freeRooms = (snap: CapacitySnapshot): FreeRoom[] =>
  roomsAfterDaemons(
    snap,
    snap.instances
      .filter((i) => i.status === 'ACTIVE' && i.agentConnected)
      .map((i) => ({ id: i.ec2InstanceId, ...i.remaining, ...(i.usedPorts?.length ? { ports: new Set(i.usedPorts) } : {}) })),
  );

export interface OutNeed {
  /** Units still to ask for: the larger of the two measures, less the capacity coming. */
  units: number;
  /** The larger of the two measures before the capacity coming. */
  gross: number;
  coming: number;
  reasons: string[];
  unplaceable: Unplaceable[];
}

/**
 * Units that bring a reservation above its threshold back to it or under, per unit the smallest
 * shape gives. The reservation counts the tasks still missing (they will reserve room once placed,
 * wherever that is): sizing on what is placed now asks too little, and the next tick asks again.
 */
function reservationUnits(
  snap: CapacitySnapshot,
  s: CapacitySettings,
  key: 'cpu' | 'memory',
  missing: readonly PackItem[],
  reasons: string[],
): number {
  const threshold = key === 'cpu' ? s.scaleOutCpuPercent : s.scaleOutMemoryPercent;
  const { registered, reserved } = totals(snap.instances);
  reserved[key] += missing.filter((x) => !isSpareRoom(x)).reduce((n, x) => n + x[key], 0);
  const percent = registered[key] > 0 ? (100 * reserved[key]) / registered[key] : 0;
  if (percent <= threshold) return 0;
  // Counted at the least room per unit any shape gives (its daemons' share taken): the backend may launch any of them.
  const perUnit = perUnitToward(snap, key, threshold);
  if (perUnit <= 0) {
    reasons.push(
      snap.backend.shapes.length === 0
        ? `${key} reservation ${pct(percent)} is above ${threshold}%, but the backend names no instance shapes to size it`
        : `${key} reservation ${pct(percent)} is above ${threshold}%, but the DAEMON services' share fills every shape the backend launches`,
    );
    return 0;
  }
  const units = Math.max(1, Math.ceil(((100 * reserved[key]) / threshold - registered[key]) / perUnit - EPSILON));
  const waiting = missing.filter((x) => !isSpareRoom(x)).length;
  reasons.push(
    waiting > 0
      ? `${key} reservation would be ${pct(percent)} once ${waiting} waiting task(s) are placed, above ${threshold}%: ${units} unit(s) bring it back under`
      : `${key} reservation ${pct(percent)} is above ${threshold}%: ${units} unit(s) bring it back under`,
  );
  return units;
}

function grouped(items: readonly PackItem[], snap: CapacitySnapshot, shapes: readonly InstanceShape[]): Unplaceable[] {
  const big = largest(shapes);
  const daemons = daemonReserve(snap);
  const share = daemons.cpu > 0 || daemons.memory > 0 ? ` after the DAEMON services' ${daemons.cpu} CPU / ${daemons.memory} MiB` : '';
  const out = new Map<string, Unplaceable>();
  for (const x of items) {
    const key = `${x.source}|${x.cpu}|${x.memory}`;
    const u = out.get(key);
    if (u) u.count++;
    else {
      const clash = (x.ports ?? []).filter((p) => daemons.ports.includes(p));
      const reason =
        clash.length > 0
          ? `needs host port ${clash.join(', ')}, which a DAEMON service holds on every instance`
          : snap.backend.shapes.length === 0
            ? 'the backend names no instance shapes'
            : shapes.length === 0
              ? `the DAEMON services' ${daemons.cpu} CPU / ${daemons.memory} MiB fill every shape the backend launches`
              : `needs ${x.cpu} CPU / ${x.memory} MiB; no shape the backend launches holds it (largest ${big.cpu} CPU / ${big.memory} MiB${share})`;
      out.set(key, { source: x.source, count: 1, cpu: x.cpu, memory: x.memory, reason });
    }
  }
  return [...out.values()];
}

/**
 * How many capacity units the cluster is short: reservation above a threshold (sized to bring
 * it back under), and tasks that need room (missing service tasks and headroom) and do not fit
 * the free room, bin-packed onto the backend's shapes. Capacity in flight counts as coming.
 */
export function scaleOutNeed(snap: CapacitySnapshot, s: CapacitySettings, now: number): OutNeed {
  const reasons: string[] = [];
  const items = demandItems(snap, s);
  const left = packOnto(items, freeRooms(snap));
  const shapes = shapesAfterDaemons(snap);
  const packed = packNew(left, shapes, daemonReserve(snap).ports);
  // Tasks no shape holds will never reserve anything: they are named, not counted.
  const never = new Set(packed.unplaceable);
  const placeable = items.filter((x) => !never.has(x));
  const byReservation = Math.max(
    reservationUnits(snap, s, 'cpu', placeable, reasons),
    reservationUnits(snap, s, 'memory', placeable, reasons),
  );
  const unplaceable = grouped(packed.unplaceable, snap, shapes);
  if (packed.units > 0) {
    const sources = [...new Set(packed.instances.flatMap((x) => x.items.map((i) => i.source)))].join(', ');
    reasons.push(
      `${left.length - packed.unplaceable.length} task(s) need room the cluster lacks (${sources}): ${packed.units} unit(s) by bin-packing`,
    );
  }
  for (const u of unplaceable) reasons.push(`${u.count} task(s) of ${u.source} cannot be placed: ${u.reason}`);
  const gross = Math.max(byReservation, packed.units);
  const coming = comingUnits(snap, s, now);
  const units = Math.max(0, gross - coming);
  if (gross > 0 && coming > 0)
    reasons.push(
      units > 0
        ? `${coming} unit(s) in flight count as coming: ${units} more needed`
        : `${coming} unit(s) in flight cover the ${gross} needed: nothing more asked`,
    );
  const late = notArrivedUnits(snap, s, now);
  if (late > 0)
    reasons.push(`${late} unit(s) asked for over ${s.arrivalTimeoutMs / 1000}s ago have not registered: still counted, not asked again`);
  return { units, gross, coming, reasons, unplaceable };
}
