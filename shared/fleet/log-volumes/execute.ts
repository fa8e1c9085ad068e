import type { Clock } from '../../lambda/clock';
import { errorMessage } from '../../lambda/errors';
import type { VolumeStep } from './plan';
import type { VolumesPort } from './ports';

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

/** The wait before retry round `round` (1, 2, 4, 8 s…, at most 8 s). */
export const retryBackoffMs = (round: number) => Math.min(8_000, 1_000 * 2 ** (round - 1));

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
    if (round > 0) {
      const wait = retryBackoffMs(round);
      if (o.clock.now() + wait >= o.endsAt) break;
      await o.clock.sleep(wait, o.signal).catch(() => undefined);
    }
    const failed: StepResult[] = [];
    for (const r of pending) {
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
    case 'offer':
      await port.tag(step.volumeId, step.tags, { signal });
      return 'done';
  }
}
