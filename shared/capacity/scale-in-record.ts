import { SCALE_IN_DRAINS_TAG } from '../tags';
import type { BackendRole, CapacityStep } from './steps';
import type { CapacityInstance } from './types';

/**
 * Our record of our scale-in drains, kept on the backend holding each instance (SCALE_IN_DRAINS_TAG).
 * Removal needs the instance DRAINING, its scale-in mark, and this record naming it: a mark and a
 * DRAINING someone else set are not ours. Tag values hold "up to 256 Unicode characters" (ASG
 * CreateOrUpdateTags, EC2 CreateTags): 12 instance ids of 19 characters and their separators.
 */
export const RECORD_MAX_IDS = 12;

export function parseRecord(tags: Readonly<Record<string, string>>): string[] {
  return (tags[SCALE_IN_DRAINS_TAG] ?? '').split(/\s+/).filter((x) => /^i-\w{1,17}$/.test(x));
}

/** The ids still ours to remember: DRAINING with our mark, held by a backend of ours. */
export function stillDraining(ids: readonly string[], instances: readonly CapacityInstance[]): string[] {
  const live = new Set(instances.filter((i) => i.status === 'DRAINING' && i.drainedForScaleIn && !i.notOwned).map((i) => i.ec2InstanceId));
  return ids.filter((id) => live.has(id));
}

/** Rewrite a backend's record to `ids` (our last scale-in activity is its time). */
export function writeRecord(
  on: BackendRole,
  ids: readonly string[],
  extra: Partial<Pick<CapacityStep, 'id' | 'after'>> = {},
): CapacityStep {
  return { kind: 'recordAction', action: 'scale-in', on, tags: { [SCALE_IN_DRAINS_TAG]: ids.join(' ') }, ...extra };
}
