import type { CapacitySnapshot } from './types';

export type Demand = NonNullable<CapacitySnapshot['extraDemand']>;

/**
 * Demand ECS cannot show — tasks RunTask could not place — for which capacity was asked and is
 * still in flight, kept on the backend (DEMAND_IN_FLIGHT_TAG) by the capacity writer. Without it
 * the next re-plan would count the capacity in flight against demand that no longer includes the
 * tasks it was asked for, and 15 failed tasks in 5 batches would ask for a third of what they
 * need in one. It holds while the backend has capacity in flight and is rewritten (or cleared)
 * on every scale-out the writer records. Value: `cpu:memory:count` items, space-separated
 * (characters every backend's tag values accept), at most a tag value's 256 characters.
 */
export const HELD_SOURCE = 'run-task (capacity in flight)';
const TAG_VALUE_MAX = 256;

/** Add counts of the same size together (the held form keeps sizes, not families). */
export function mergeDemand(...lists: readonly Demand[]): Demand {
  const out = new Map<string, Demand[number]>();
  for (const list of lists)
    for (const d of list) {
      const key = `${d.cpu}:${d.memory}`;
      const x = out.get(key);
      if (x) x.count += d.count;
      else out.set(key, { ...d });
    }
  return [...out.values()];
}

/** The tag's value for this demand; items that do not fit the value are dropped, largest tasks kept first. */
export function encodeHeld(demand: Demand): { value: string; dropped: number } {
  const items = mergeDemand(demand)
    .filter((d) => d.count > 0)
    .sort((a, b) => b.cpu * b.memory - a.cpu * a.memory);
  const parts: string[] = [];
  let dropped = 0;
  for (const d of items) {
    const part = `${d.cpu}:${d.memory}:${d.count}`;
    if ([...parts, part].join(' ').length > TAG_VALUE_MAX) dropped += d.count;
    else parts.push(part);
  }
  return { value: parts.join(' '), dropped };
}

/** The held demand a tag value names; a value we did not write (malformed items) counts for nothing. */
export function decodeHeld(value: string | undefined): Demand {
  if (!value) return [];
  const out: Demand = [];
  for (const part of value.trim().split(/\s+/)) {
    const m = /^(\d{1,6}):(\d{1,7}):(\d{1,4})$/.exec(part);
    if (m) out.push({ source: HELD_SOURCE, cpu: Number(m[1]), memory: Number(m[2]), count: Number(m[3]) });
  }
  return out;
}
