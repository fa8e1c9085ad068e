import { AVAILABLE_SINCE_TAG, OFFER_TAG, OFFER_VALUE, type LogVolumesConfig } from './config';
import type { VolumeView } from './ports';

/**
 * A side effect of the run. `stamp` records when an unflushed volume was first seen available
 * (EC2 does not say when a volume was detached); `offer` marks an orphan for a new instance to
 * mount; `delete` removes a flushed volume past its grace.
 */
export type VolumeStep =
  | { kind: 'delete'; volumeId: string }
  | { kind: 'stamp'; volumeId: string; tags: Record<string, string> }
  | { kind: 'offer'; volumeId: string; tags: Record<string, string> };

/**
 * What the plan makes of one volume:
 * - `delete`: flushed, past its grace → a delete step.
 * - `deferred`: would be deleted, but the run's deletion bound is spent (next run).
 * - `within-grace`: flushed, grace not over.
 * - `orphan`: not flushed and available for at least the alert age → alerted (and offered, if configured).
 * - `orphan-young`: not flushed, not yet old enough to alert on.
 * - `bad-flushed-tag`: the flushed tag is not a time we can read → alerted, never deleted.
 * - `skipped`: not ours or not available (never listed in practice; checked again here).
 */
export type Verdict = 'delete' | 'deferred' | 'within-grace' | 'orphan' | 'orphan-young' | 'bad-flushed-tag' | 'skipped';

export interface VolumeDecision {
  volumeId: string;
  /** The ownership tag's value (the cluster). */
  owner: string;
  verdict: Verdict;
  reason: string;
}

export interface LogVolumesPlan {
  decisions: VolumeDecision[];
  steps: VolumeStep[];
}

export type PlanSettings = Pick<
  LogVolumesConfig,
  'ownerTag' | 'owners' | 'flushedTag' | 'graceMinutes' | 'orphanAlertMinutes' | 'orphanAction' | 'maxDeletionsPerRun'
>;

const MINUTE_MS = 60_000;
/** ISO 8601 with a date, a time to the minute at least, and a zone: what `new Date().toISOString()` writes. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch, or undefined for anything that is not an ISO-8601 time with a zone. */
export function parseTagTime(value: string | undefined): number | undefined {
  if (value === undefined || !ISO_TIME.test(value)) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

const iso = (ms: number) => new Date(ms).toISOString();
const minutes = (ms: number) => Math.floor(ms / MINUTE_MS);

/**
 * Pure: (volumes, settings, now) → decisions and steps. Deletes only `available` volumes that
 * carry our ownership tag (with an accepted value) and a readable flushed time at least
 * `graceMinutes` old — the oldest flushed first, at most `maxDeletionsPerRun`.
 */
export function planLogVolumes(volumes: readonly VolumeView[], s: PlanSettings, now: number): LogVolumesPlan {
  const decisions: VolumeDecision[] = [];
  const steps: VolumeStep[] = [];
  const due: Array<{ volume: VolumeView; flushedAt: number }> = [];
  for (const v of volumes) {
    const owner = v.tags[s.ownerTag];
    const decide = (verdict: Verdict, reason: string) => decisions.push({ volumeId: v.volumeId, owner: owner ?? '', verdict, reason });
    if (owner === undefined || (s.owners.length > 0 && !s.owners.includes(owner))) {
      decide('skipped', `not ours: no ${s.ownerTag} tag${s.owners.length > 0 ? ` with a configured value` : ''}`);
      continue;
    }
    if (v.state !== 'available' || v.attachedTo.length > 0) {
      decide('skipped', `${v.state}${v.attachedTo.length > 0 ? ` on ${v.attachedTo.join(', ')}` : ''}: only available volumes are touched`);
      continue;
    }
    const flushedRaw = v.tags[s.flushedTag];
    if (flushedRaw !== undefined) {
      const flushedAt = parseTagTime(flushedRaw);
      if (flushedAt === undefined) decide('bad-flushed-tag', `${s.flushedTag}=${JSON.stringify(flushedRaw)} is not an ISO-8601 time: kept`);
      else if (now - flushedAt >= s.graceMinutes * MINUTE_MS) due.push({ volume: v, flushedAt });
      else decide('within-grace', `flushed ${iso(flushedAt)}, grace ends ${iso(flushedAt + s.graceMinutes * MINUTE_MS)}`);
      continue;
    }
    const stamped = parseTagTime(v.tags[AVAILABLE_SINCE_TAG]);
    if (stamped === undefined) steps.push({ kind: 'stamp', volumeId: v.volumeId, tags: { [AVAILABLE_SINCE_TAG]: iso(now) } });
    const since = stamped ?? now;
    const age = now - since;
    if (age < s.orphanAlertMinutes * MINUTE_MS) {
      decide('orphan-young', `not flushed; available since ${iso(since)} (${minutes(age)} min, alert at ${s.orphanAlertMinutes})`);
      continue;
    }
    const offer = s.orphanAction === 'alert-and-offer' && v.tags[OFFER_TAG] !== OFFER_VALUE;
    if (offer) steps.push({ kind: 'offer', volumeId: v.volumeId, tags: { [OFFER_TAG]: OFFER_VALUE } });
    decide(
      'orphan',
      `not flushed; available since ${iso(since)} (${minutes(age)} min): still holds logs, kept` +
        (s.orphanAction === 'alert-and-offer' ? ` and ${offer ? '' : 'already '}offered for a new instance to mount` : ''),
    );
  }
  due.sort((a, b) => a.flushedAt - b.flushedAt || a.volume.volumeId.localeCompare(b.volume.volumeId));
  due.forEach(({ volume, flushedAt }, i) => {
    const owner = volume.tags[s.ownerTag] ?? '';
    const past = `flushed ${iso(flushedAt)}, ${minutes(now - flushedAt)} min ago (grace ${s.graceMinutes})`;
    if (i < s.maxDeletionsPerRun) {
      steps.push({ kind: 'delete', volumeId: volume.volumeId });
      decisions.push({ volumeId: volume.volumeId, owner, verdict: 'delete', reason: past });
    } else {
      decisions.push({
        volumeId: volume.volumeId,
        owner,
        verdict: 'deferred',
        reason: `${past}; over ${s.maxDeletionsPerRun} deletions this run`,
      });
    }
  });
  return { decisions, steps };
}
