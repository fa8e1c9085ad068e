import type { InstanceShape, Resources } from './types';

/** One task that needs room; `source` names where it comes from (service, headroom, instance). */
export interface PackItem extends Resources {
  source: string;
  /** Room held, not a task (the headroom, a headroom window's): packed like a task, reserves nothing. */
  spare?: true;
  /** Host ports the task holds fixed: an instance where any is taken cannot take it (ECS's port resource). */
  ports?: readonly number[];
}

/** Free room on an existing instance. */
export interface FreeRoom extends Resources {
  id: string;
  /** Host ports already held on it (DescribeContainerInstances' PORTS, and ports of items packed onto it). */
  ports?: ReadonlySet<number>;
}

/** Room being filled: what is left, and the host ports held so far. */
interface Filling extends Resources {
  ports: Set<number>;
}

const fits = (item: PackItem, room: Resources & { ports?: ReadonlySet<number> }) =>
  item.cpu <= room.cpu && item.memory <= room.memory && !(item.ports ?? []).some((p) => room.ports?.has(p));

function take(room: Filling, item: PackItem): void {
  room.cpu -= item.cpu;
  room.memory -= item.memory;
  for (const p of item.ports ?? []) room.ports.add(p);
}

/**
 * Largest first: by the larger of the item's CPU and memory shares of `ref`, then CPU, then
 * memory, then source (stable and deterministic, so the same snapshot always packs the same way).
 */
export function sortDecreasing<T extends PackItem>(items: readonly T[], ref: Resources): T[] {
  const share = (x: Resources) => Math.max(x.cpu / Math.max(1, ref.cpu), x.memory / Math.max(1, ref.memory));
  return [...items].sort(
    (a, b) => share(b) - share(a) || b.cpu - a.cpu || b.memory - a.memory || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0),
  );
}

/** The largest CPU and memory of any room or shape: the reference for "largest first". */
export function largest(rooms: readonly Resources[]): Resources {
  return rooms.reduce((m, r) => ({ cpu: Math.max(m.cpu, r.cpu), memory: Math.max(m.memory, r.memory) }), { cpu: 1, memory: 1 });
}

/**
 * First-fit decreasing onto existing free room (rooms in the order given). Returns the items
 * left over, largest first. Pure; the rooms passed in are not changed.
 */
export function packOnto(items: readonly PackItem[], rooms: readonly FreeRoom[]): PackItem[] {
  const free: Filling[] = rooms.map((r) => ({ cpu: r.cpu, memory: r.memory, ports: new Set(r.ports ?? []) }));
  const left: PackItem[] = [];
  for (const item of sortDecreasing(items, largest(rooms))) {
    const room = free.find((r) => fits(item, r));
    if (room) take(room, item);
    else left.push(item);
  }
  return left;
}

export interface NewCapacity {
  /** Capacity units of the instances opened (the sum of their shapes' weights). */
  units: number;
  /** The instances opened, by shape, in the order opened. */
  instances: Array<{ shape: InstanceShape; items: PackItem[] }>;
  /** Items larger than every shape (in CPU or in memory). */
  unplaceable: PackItem[];
}

/**
 * First-fit decreasing onto new instances of the backend's shapes, weights respected: an item
 * goes into the first opened instance with room; otherwise a new instance is opened of the
 * shape that holds it at the lowest weight (ties: the most room per unit, then the type's
 * name). An item no shape holds is returned in `unplaceable`, never dropped. `held` are the host
 * ports every new instance has taken before any of these items (its DAEMON tasks' fixed ports).
 */
export function packNew(items: readonly PackItem[], shapes: readonly InstanceShape[], held: readonly number[] = []): NewCapacity {
  const perUnit = (s: InstanceShape) => s.cpu / s.weight + s.memory / s.weight;
  const byCost = [...shapes].sort((a, b) => a.weight - b.weight || perUnit(b) - perUnit(a) || (a.instanceType < b.instanceType ? -1 : 1));
  const out: NewCapacity = { units: 0, instances: [], unplaceable: [] };
  const free: Filling[] = [];
  const fresh = new Set(held);
  for (const item of sortDecreasing(items, largest(shapes))) {
    const i = free.findIndex((r) => fits(item, r));
    if (i >= 0) {
      take(free[i]!, item);
      out.instances[i]!.items.push(item);
      continue;
    }
    const shape = byCost.find((s) => fits(item, { ...s, ports: fresh }));
    if (!shape) {
      out.unplaceable.push(item);
      continue;
    }
    const room: Filling = { cpu: shape.cpu, memory: shape.memory, ports: new Set(fresh) };
    take(room, item);
    free.push(room);
    out.instances.push({ shape, items: [item] });
    out.units += shape.weight;
  }
  return out;
}
