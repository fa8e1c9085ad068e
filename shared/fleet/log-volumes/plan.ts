import { AVAILABLE_SINCE_TAG, OFFER_TAG, SEEN_ATTACHED_TAG } from '../../tags';
import { FLUSH_DETACH_MINUTES, OFFER_VALUE, type LogVolumesConfig } from './config';
import type { LogVolume } from './ports';

/**
 * A side effect of the run. `stamp` records what we observed that EC2 forgets: when an unflushed
 * volume was first seen available (EC2 does not say when a volume was detached), and when the
 * attachment we last saw began (EC2 shows only current attachments); `offer` marks an orphan for
 * a new instance to mount; `delete` removes a flushed volume past its grace.
 */
export type VolumeStep =
  | { kind: 'delete'; volumeId: string }
  | { kind: 'stamp'; volumeId: string; tags: Record<string, string> }
  | { kind: 'offer'; volumeId: string; tags: Record<string, string> };

/**
 * What the plan makes of one volume:
 * - `delete`: flushed, past its grace → a delete step.
 * - `deferred`: would be deleted, but the run's deletion bound is spent, or EBS's metrics since its
 *   flush were not read this run, or not delivered yet (next run).
 * - `within-grace`: flushed, grace not over.
 * - `orphan`: not flushed (or flushed before its last attachment) and available for at least the
 *   alert age → alerted (and offered, if configured).
 * - `orphan-young`: not flushed, not yet old enough to alert on.
 *   A flushed time older than the attachment we last saw is stale (attached again after its
 *   flush: it holds logs) and the volume is an orphan.
 * - `orphan-young`: not flushed, not yet old enough to alert on.
 * - `bad-flushed-tag`: the flushed tag is not a time we can read → alerted, never deleted.
 * - `unobserved`: flushed, but never seen attached by us: its ownership is a tag's word → kept, reported.
 * - `in-use`: attached now → the attachment is recorded, nothing else.
 * - `skipped`: not ours or neither available nor in use (never listed in practice; checked again here).
 */
export type Verdict =
  'delete' | 'deferred' | 'within-grace' | 'orphan' | 'orphan-young' | 'bad-flushed-tag' | 'unobserved' | 'in-use' | 'skipped';

export interface VolumeDecision {
  volumeId: string;
  /** The ownership tag's value (the cluster). */
  owner: string;
  verdict: Verdict;
  reason: string;
  /** Our stamp keys on the volume that KMS did not verify this run (forged, or not checkable): ignored. */
  unverifiedStamps?: string[];
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

export { EBS_METRICS_DELAY_MINUTES, FLUSH_DETACH_MINUTES } from './config';

/**
 * The flushed time of a volume the plan would delete if EBS shows no attachment since the flush
 * (the snapshot reads those metrics only for these): ours, available, flushed after the attachment
 * our verified stamp records, past its grace. Undefined for any other volume.
 */
export function dueFlushedAt(v: LogVolume, s: PlanSettings, now: number): number | undefined {
  const owner = v.tags[s.ownerTag];
  if (owner === undefined || (s.owners.length > 0 && !s.owners.includes(owner))) return undefined;
  if (v.state !== 'available' || v.attachedTo.length > 0) return undefined;
  const flushedAt = parseTagTime(v.tags[s.flushedTag]);
  const seenAttached = parseTagTime(v.stamps[SEEN_ATTACHED_TAG]);
  if (flushedAt === undefined || seenAttached === undefined || flushedAt < seenAttached) return undefined;
  return now - flushedAt >= s.graceMinutes * MINUTE_MS ? flushedAt : undefined;
}

/** The seen-attached value written when a volume is seen attached outside the cluster its tag names. */
export const FOREIGN_ATTACHMENT_MARK = 'outside-cluster-since ';

/**
 * Pure: (volumes, settings, now) → decisions and steps. A tag is memory, never authority
 * (docs/design/trust.md): a volume is deleted only when the facts hold —
 * - ours: it carries the ownership tag (an accepted value) AND we saw it attached ourselves to a
 *   container instance of the cluster that tag names (our SEEN_ATTACHED_TAG stamp, written only
 *   then: a volume never seen so is `unobserved`);
 * - `available` now with no attachment (EC2's answer of this run);
 * - nothing attached it after its flush: the readable flushed time is not older than the
 *   AttachTime of the last attachment we saw, and EBS reported no metric for it from
 *   FLUSH_DETACH_MINUTES after the flush until now (`attachedAfterFlush === false`, read by the
 *   snapshot) — else it was reused and holds logs: an orphan, and that attachment is stamped;
 * - at least `graceMinutes` since the flush — the oldest flushed first, at most `maxDeletionsPerRun`.
 * In-use volumes get only the stamp of the attachment we see (once per attachment, when ECS
 * vouches for the instance: `attachedInOwnerCluster`, read by the snapshot).
 */
export function planLogVolumes(volumes: readonly LogVolume[], s: PlanSettings, now: number): LogVolumesPlan {
  const decisions: VolumeDecision[] = [];
  const steps: VolumeStep[] = [];
  const due: Array<{ volume: LogVolume; flushedAt: number }> = [];
  for (const v of volumes) {
    const owner = v.tags[s.ownerTag];
    if (owner === undefined || (s.owners.length > 0 && !s.owners.includes(owner))) {
      const reason = `not ours: no ${s.ownerTag} tag${s.owners.length > 0 ? ` with a configured value` : ''}`;
      decisions.push({ volumeId: v.volumeId, owner: owner ?? '', verdict: 'skipped', reason });
      continue;
    }
    // Our stamps as KMS verified them this run: a forged one is absent (and named in the reason).
    const seenAttached = parseTagTime(v.stamps[SEEN_ATTACHED_TAG]);
    const forged = v.unverifiedStamps.map((u) => `${u.key} ${u.why === 'forged' ? 'forged' : 'unverifiable now'} (${u.detail})`);
    const decide = (verdict: Verdict, reason: string) =>
      decisions.push({
        volumeId: v.volumeId,
        owner: owner ?? '',
        verdict,
        reason: forged.length > 0 ? `${reason}; ignored: ${forged.join(', ')}` : reason,
        ...(forged.length > 0 ? { unverifiedStamps: v.unverifiedStamps.map((u) => u.key) } : {}),
      });
    if (v.state === 'in-use' && v.attachedTo.length > 0) {
      const on = `attached to ${v.attachedTo.join(', ')}${v.attachedAt !== undefined ? ` since ${iso(v.attachedAt)}` : ''}`;
      // A stamp KMS could not check this run (throttled, unavailable) is not rewritten: it may be good.
      const unchecked = v.unverifiedStamps.some((u) => u.key === SEEN_ATTACHED_TAG && u.why === 'unchecked');
      const unrecorded = !unchecked && v.attachedAt !== undefined && (seenAttached === undefined || seenAttached < v.attachedAt);
      // Record the attachment's start (EC2's AttachTime, not our clock) once, and only on an
      // instance ECS says is in the cluster the tag names: a later flush must be after it.
      if (unrecorded && v.attachedInOwnerCluster === true) {
        steps.push({ kind: 'stamp', volumeId: v.volumeId, tags: { [SEEN_ATTACHED_TAG]: iso(v.attachedAt!) } });
        decide('in-use', `${on}: a container instance of ${owner}, recorded`);
      } else if (unrecorded && v.attachedInOwnerCluster === false) {
        // Reused outside the cluster its tag names: whatever we saw before no longer proves the
        // volume ours, and an older flushed-at must not get it deleted once it is available again.
        // The stamp is overwritten with a value no time parses from (so the volume is `unobserved`).
        const mark = `${FOREIGN_ATTACHMENT_MARK}${iso(v.attachedAt!)}`;
        if (v.stamps[SEEN_ATTACHED_TAG] !== mark) steps.push({ kind: 'stamp', volumeId: v.volumeId, tags: { [SEEN_ATTACHED_TAG]: mark } });
        decide('in-use', `${on}: not a container instance of cluster ${owner}, so not ours now: its earlier attachment no longer counts`);
      } else if (unrecorded)
        decide('in-use', `${on}: its cluster membership was not read this run (failed, or over the per-run bound): not recorded yet`);
      else decide('in-use', unchecked ? `${on}: our stamp could not be verified this run, so not rewritten` : on);
      continue;
    }
    if (v.state !== 'available' || v.attachedTo.length > 0) {
      decide('skipped', `${v.state}${v.attachedTo.length > 0 ? ` on ${v.attachedTo.join(', ')}` : ''}: only available volumes are touched`);
      continue;
    }
    const flushedRaw = v.tags[s.flushedTag];
    let stale: string | undefined;
    /** The latest attachment start we know of: our verified stamp, or what EBS's metrics showed this run. */
    let lastAttached = seenAttached;
    if (flushedRaw !== undefined) {
      const flushedAt = parseTagTime(flushedRaw);
      const reusedFrom = flushedAt === undefined ? 0 : flushedAt + FLUSH_DETACH_MINUTES * MINUTE_MS;
      if (flushedAt === undefined) decide('bad-flushed-tag', `${s.flushedTag}=${JSON.stringify(flushedRaw)} is not an ISO-8601 time: kept`);
      else if (seenAttached === undefined)
        decide('unobserved', `flushed ${iso(flushedAt)}, but never seen attached by logVolumes: ownership rests on a tag alone, kept`);
      else if (flushedAt < seenAttached)
        stale = `flushed ${iso(flushedAt)}, before the attachment seen at ${iso(seenAttached)}: reused since, so it holds logs`;
      else if (now - flushedAt < s.graceMinutes * MINUTE_MS)
        decide('within-grace', `flushed ${iso(flushedAt)}, grace ends ${iso(flushedAt + s.graceMinutes * MINUTE_MS)}`);
      else if (v.attachedAfterFlush === false) due.push({ volume: v, flushedAt });
      else if (v.attachedAfterFlush === undefined)
        decide(
          'deferred',
          `flushed ${iso(flushedAt)}; EBS's metrics since then were not read this run (failed, not delivered yet, or over the bound): next run`,
        );
      else {
        // Attached again after the flush, between two runs (we never saw it in use): remember it, sealed, as an attachment.
        stale = `flushed ${iso(flushedAt)}, but EBS reported it attached after ${iso(reusedFrom)}: reused since, so it holds logs`;
        lastAttached = reusedFrom;
        steps.push({ kind: 'stamp', volumeId: v.volumeId, tags: { [SEEN_ATTACHED_TAG]: iso(reusedFrom) } });
      }
      if (!stale) continue;
    }
    // An orphan: its age counts from our first sight of this availability period (restamped after an attachment we saw).
    const stamped = parseTagTime(v.stamps[AVAILABLE_SINCE_TAG]);
    const current = stamped !== undefined && (lastAttached === undefined || stamped >= lastAttached) ? stamped : undefined;
    // A stamp KMS could not check this run may be good: rewriting it with `now` would restart the orphan's age every throttled run.
    const sinceUnchecked = v.unverifiedStamps.some((u) => u.key === AVAILABLE_SINCE_TAG && u.why === 'unchecked');
    if (current === undefined && !sinceUnchecked)
      steps.push({ kind: 'stamp', volumeId: v.volumeId, tags: { [AVAILABLE_SINCE_TAG]: iso(now) } });
    const since = current ?? now;
    const age = now - since;
    const what = stale ?? 'not flushed';
    if (age < s.orphanAlertMinutes * MINUTE_MS) {
      decide('orphan-young', `${what}; available since ${iso(since)} (${minutes(age)} min, alert at ${s.orphanAlertMinutes})`);
      continue;
    }
    const offer = s.orphanAction === 'alert-and-offer' && v.tags[OFFER_TAG] !== OFFER_VALUE;
    if (offer) steps.push({ kind: 'offer', volumeId: v.volumeId, tags: { [OFFER_TAG]: OFFER_VALUE } });
    decide(
      'orphan',
      `${what}; available since ${iso(since)} (${minutes(age)} min): still holds logs, kept` +
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
  return { decisions, steps: boundStamps(steps, decisions) };
}

/**
 * Stamps sealed and written per run at most. Each stamp is its own GenerateMac and CreateTags (its
 * MAC binds its volume, so stamps cannot share a CreateTags), and EC2 meters CreateTags per account
 * (a bucket of 100, refilled 10 a second — docs/design/trust.md): a first run over a large fleet
 * records this many, later runs the rest. Deletes go first, so stamping never starves them.
 */
export const STAMPS_PER_RUN = 200;

function boundStamps(steps: readonly VolumeStep[], decisions: VolumeDecision[]): VolumeStep[] {
  const stamps = steps.filter((st) => st.kind === 'stamp');
  for (const st of stamps.slice(STAMPS_PER_RUN)) {
    const d = decisions.find((x) => x.volumeId === st.volumeId)!;
    d.reason += `; not stamped this run (over ${STAMPS_PER_RUN} stamps a run): next run`;
  }
  const kept = new Set(stamps.slice(0, STAMPS_PER_RUN));
  return [
    ...steps.filter((st) => st.kind === 'delete'),
    ...steps.filter((st) => st.kind !== 'delete' && (st.kind !== 'stamp' || kept.has(st))),
  ];
}
