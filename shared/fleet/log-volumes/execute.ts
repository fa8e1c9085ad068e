import { backoffDelay, jitterOf, sleepWithin, type Backoff } from '../../aws/retry';
import type { Clock } from '../../lambda/clock';
import { errorMessage } from '../../lambda/errors';
import type { VolumeStep } from './plan';
import type { VolumesPort } from './ports';
import { sealStamps } from './stamps';

/**
 * What came of one step: `done`, `dry-run` (skipped), `not-found` (a delete of a volume already
 * gone), `in-use` (attached again since it was read: kept), `failed` after its attempts, or
 * `not-attempted` (the deadline came first).
 */
export interface StepResult {
  step: VolumeStep;
  outcome: 'done' | 'dry-run' | 'not-found' | 'in-use' | 'failed' | 'not-attempted';
  attempts: number;
  error?: string;
}

export interface ExecuteOptions {
  dryRun: boolean;
  /** Attempts per step (rounds), each also retried by the SDK on throttling. */
  attempts: number;
  clock: Clock;
  endsAt: number;
  signal: AbortSignal;
}

/** Retry rounds (and reads) wait 1 s doubling to 8 s, jittered. */
export const VOLUME_RETRY: Backoff = { baseMs: 1_000, capMs: 8_000 };

/**
 * A flat loop over the steps, in rounds: every step once, then the failed ones again after a
 * backoff, until each succeeded, its attempts are spent or the deadline is near. Dry-run is
 * checked here and only here: it skips deletes and offers; the `stamp` (when an unflushed
 * volume was first seen available) is still written, because without it a dry run could never
 * learn an orphan's age — it changes no volume's fate.
 */
export async function executeSteps(steps: readonly VolumeStep[], port: VolumesPort, o: ExecuteOptions): Promise<StepResult[]> {
  const results: StepResult[] = steps.map((step) => ({ step, outcome: 'not-attempted', attempts: 0 }));
  let pending = results.filter((r) => {
    if (o.dryRun && r.step.kind !== 'stamp') r.outcome = 'dry-run';
    return r.outcome !== 'dry-run';
  });
  for (let round = 0; pending.length > 0 && round < o.attempts; round++) {
    if (round > 0 && !(await sleepWithin(o.clock, o.endsAt, backoffDelay(round, VOLUME_RETRY, jitterOf(o.clock)), o.signal))) break;
    const failed: StepResult[] = [];
    // First round: offers that are the same go out together (CreateTags takes many volumes, all or none);
    // a batch that fails is retried volume by volume, so one bad volume cannot hold back the others.
    // Stamps never batch: each one's MAC binds its own volume id.
    const batches = round === 0 ? tagBatches(pending) : new Map<string, StepResult[]>();
    for (const group of batches.values()) {
      if (o.signal.aborted || o.clock.now() >= o.endsAt) break;
      const first = group[0]!.step as Extract<VolumeStep, { kind: 'offer' }>;
      try {
        await port.tag(
          group.map((r) => r.step.volumeId),
          first.tags,
          { signal: o.signal },
        );
        for (const r of group) Object.assign(r, { outcome: 'done', attempts: r.attempts + 1 });
      } catch (err) {
        for (const r of group) Object.assign(r, { outcome: 'failed', attempts: r.attempts + 1, error: errorMessage(err) });
        failed.push(...group);
      }
    }
    const batched = new Set([...batches.values()].flat());
    for (const r of pending.filter((x) => !batched.has(x))) {
      if (o.signal.aborted || o.clock.now() >= o.endsAt) break;
      r.attempts++;
      try {
        r.outcome = await apply(r.step, port, o.signal);
        delete r.error;
      } catch (err) {
        r.outcome = 'failed';
        r.error = errorMessage(err);
        failed.push(r);
      }
    }
    pending = failed;
  }
  return results;
}

async function apply(step: VolumeStep, port: VolumesPort, signal: AbortSignal): Promise<StepResult['outcome']> {
  switch (step.kind) {
    case 'delete': {
      const outcome = await port.delete(step.volumeId, { signal });
      return outcome === 'deleted' ? 'done' : outcome;
    }
    case 'stamp':
      // Sealed here, at write time: GenerateMac on our key over (volume id, key, value) — stamps.ts.
      await port.tag([step.volumeId], await sealStamps(port.mac, step.volumeId, step.tags, { signal }), { signal });
      return 'done';
    case 'offer':
      await port.tag([step.volumeId], step.tags, { signal });
      return 'done';
  }
}

/** Offer steps grouped by the tags they write (two or more volumes a group; a lone one goes alone). */
function tagBatches(pending: readonly StepResult[]): Map<string, StepResult[]> {
  const groups = new Map<string, StepResult[]>();
  for (const r of pending)
    if (r.step.kind === 'offer') {
      const key = JSON.stringify(Object.entries(r.step.tags).sort());
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
  for (const [k, g] of groups) if (g.length < 2) groups.delete(k);
  return groups;
}
