import fc from 'fast-check';
import { AVAILABLE_SINCE_TAG, OFFER_TAG, SEEN_ATTACHED_TAG } from '../../../shared/tags';
import {
  FOREIGN_ATTACHMENT_MARK,
  parseTagTime,
  planLogVolumes,
  type PlanSettings,
  type Verdict,
} from '../../../shared/fleet/log-volumes/plan';
import type { LogVolume } from '../../../shared/fleet/log-volumes/ports';
import { STAMPED_KEYS } from '../../../shared/fleet/log-volumes/stamps';
import { GRACE_MINUTES_MIN } from '../../../shared/fleet/log-volumes/config';

const NOW = Date.parse('2026-12-02T12:00:00Z');
const MIN = 60_000;
const ago = (minutes: number) => new Date(NOW - minutes * MIN).toISOString();

const settings: PlanSettings = {
  ownerTag: 'ecs-steady:log-volume',
  owners: [],
  flushedTag: 'ecs-steady:flushed-at',
  graceMinutes: 60,
  orphanAlertMinutes: 30,
  orphanAction: 'alert',
  maxDeletionsPerRun: 20,
};

/** A volume as the snapshot hands it over: the stamps among `tags` count as verified by KMS (see `forged` for the other case). */
function volume(id: string, tags: Record<string, string>, over: Partial<LogVolume> = {}): LogVolume {
  const stamps = Object.fromEntries(Object.entries(tags).filter(([k]) => STAMPED_KEYS.includes(k)));
  return {
    volumeId: id,
    state: 'available',
    az: 'eu-west-1a',
    sizeGiB: 20,
    createTime: NOW - 600 * MIN,
    tags,
    attachedTo: [],
    stamps,
    unverifiedStamps: [],
    // EBS reported no attachment since the flush (the snapshot reads it for due volumes only).
    attachedAfterFlush: false,
    ...over,
  };
}
/** The same volume, its stamps rejected by KMS: they are on the volume as tags, but count as absent. */
const forged = (v: LogVolume): LogVolume => ({
  ...v,
  stamps: {},
  unverifiedStamps: Object.keys(v.stamps).map((key) => ({ key, why: 'forged' as const, detail: 'MAC rejected by KMS' })),
});
/** Ours: the ownership tag, and our stamp of the attachment we saw (a day ago, on the instance that wrote the logs). */
const ours = (tags: Record<string, string> = {}) => ({ 'ecs-steady:log-volume': 'web', [SEEN_ATTACHED_TAG]: ago(24 * 60), ...tags });

describe('planLogVolumes', () => {
  const cases: Array<[string, LogVolume, Partial<PlanSettings>, Verdict, string[]]> = [
    ['deletes a flushed volume past its grace', volume('v1', ours({ 'ecs-steady:flushed-at': ago(61) })), {}, 'delete', ['delete']],
    ['deletes at exactly the end of the grace', volume('v1', ours({ 'ecs-steady:flushed-at': ago(60) })), {}, 'delete', ['delete']],
    ['keeps a flushed volume within its grace', volume('v1', ours({ 'ecs-steady:flushed-at': ago(59) })), {}, 'within-grace', []],
    [
      'keeps a volume flushed in the future (clock skew) within grace',
      volume('v1', ours({ 'ecs-steady:flushed-at': ago(-5) })),
      {},
      'within-grace',
      [],
    ],
    [
      'keeps a flushed tag that is not a time, and says so',
      volume('v1', ours({ 'ecs-steady:flushed-at': 'yes' })),
      {},
      'bad-flushed-tag',
      [],
    ],
    ['keeps a date without a zone', volume('v1', ours({ 'ecs-steady:flushed-at': '2026-12-01T00:00:00' })), {}, 'bad-flushed-tag', []],
    ['stamps an unflushed volume seen for the first time and does not alert yet', volume('v1', ours()), {}, 'orphan-young', ['stamp']],
    ['alerts at once when the alert age is 0', volume('v1', ours()), { orphanAlertMinutes: 0 }, 'orphan', ['stamp']],
    ['does not alert on an orphan stamped 29 minutes ago', volume('v1', ours({ [AVAILABLE_SINCE_TAG]: ago(29) })), {}, 'orphan-young', []],
    ['alerts on an orphan stamped 30 minutes ago and keeps it', volume('v1', ours({ [AVAILABLE_SINCE_TAG]: ago(30) })), {}, 'orphan', []],
    [
      'offers an old orphan for a new instance to mount when configured',
      volume('v1', ours({ [AVAILABLE_SINCE_TAG]: ago(90) })),
      { orphanAction: 'alert-and-offer' },
      'orphan',
      ['offer'],
    ],
    [
      'does not offer twice',
      volume('v1', ours({ [AVAILABLE_SINCE_TAG]: ago(90), [OFFER_TAG]: 'offered' })),
      { orphanAction: 'alert-and-offer' },
      'orphan',
      [],
    ],
    ['never touches a volume without our tag', volume('v1', { 'ecs-steady:flushed-at': ago(999) }), {}, 'skipped', []],
    [
      'never touches a volume of a cluster not configured',
      volume('v1', ours({ 'ecs-steady:flushed-at': ago(999) })),
      { owners: ['api'] },
      'skipped',
      [],
    ],
    [
      'only records the attachment of an in-use volume on a container instance of its cluster, however old its flushed tag',
      volume('v1', ours({ 'ecs-steady:flushed-at': ago(999) }), {
        state: 'in-use',
        attachedTo: ['i-1'],
        attachedAt: NOW - 10 * MIN,
        attachedInOwnerCluster: true,
      }),
      {},
      'in-use',
      ['stamp'],
    ],
    [
      'marks an attachment to an instance ECS does not have in the cluster its tag names as not ours (no ownership proof)',
      volume('v1', ours(), { state: 'in-use', attachedTo: ['i-1'], attachedAt: NOW - 10 * MIN, attachedInOwnerCluster: false }),
      {},
      'in-use',
      ['stamp'],
    ],
    [
      'a volume we saw attached in its cluster, then reused outside it, loses its earlier proof (it is not deleted on an older flush)',
      volume('v1', ours({ [SEEN_ATTACHED_TAG]: ago(120) }), {
        state: 'in-use',
        attachedTo: ['i-9'],
        attachedAt: NOW - 10 * MIN,
        attachedInOwnerCluster: false,
      }),
      {},
      'in-use',
      ['stamp'],
    ],
    [
      'keeps a volume marked as reused outside its cluster, whatever its flushed-at says',
      volume('v1', ours({ [SEEN_ATTACHED_TAG]: `${FOREIGN_ATTACHMENT_MARK}${ago(60)}`, 'ecs-steady:flushed-at': ago(999) })),
      {},
      'unobserved',
      [],
    ],
    [
      'does not record an attachment whose membership could not be read this run',
      volume('v1', ours(), { state: 'in-use', attachedTo: ['i-1'], attachedAt: NOW - 10 * MIN }),
      {},
      'in-use',
      [],
    ],
    [
      'records an attachment already recorded no second time',
      volume('v1', ours({ [SEEN_ATTACHED_TAG]: ago(10) }), { state: 'in-use', attachedTo: ['i-1'], attachedAt: NOW - 10 * MIN }),
      {},
      'in-use',
      [],
    ],
    [
      'keeps a flushed volume it never saw attached: its ownership is a tag alone',
      volume('v1', { 'ecs-steady:log-volume': 'web', 'ecs-steady:flushed-at': ago(999) }),
      {},
      'unobserved',
      [],
    ],
    [
      'keeps a volume flushed before the attachment it saw last (reused since): an orphan, stamped',
      volume('v1', ours({ 'ecs-steady:flushed-at': ago(120), [SEEN_ATTACHED_TAG]: ago(90) })),
      { orphanAlertMinutes: 0 },
      'orphan',
      ['stamp'],
    ],
    [
      'keeps a volume EBS reported attached after its flush (a reuse between two runs): an orphan, the attachment stamped',
      volume('v1', ours({ 'ecs-steady:flushed-at': ago(120) }), { attachedAfterFlush: true }),
      { orphanAlertMinutes: 0 },
      'orphan',
      ['stamp', 'stamp'],
    ],
    [
      'keeps a due volume whose EBS metrics since the flush were not read this run, until they are',
      volume('v1', ours({ 'ecs-steady:flushed-at': ago(120) }), { attachedAfterFlush: undefined }),
      {},
      'deferred',
      [],
    ],
    [
      'keeps a flushed volume whose seen-attached stamp KMS rejects (forged, or copied from another volume): as if never seen',
      forged(volume('v1', ours({ 'ecs-steady:flushed-at': ago(999) }))),
      {},
      'unobserved',
      [],
    ],
    [
      'restamps (sealed anew) an orphan whose available-since KMS rejects, and does not alert on its claimed age',
      forged(volume('v1', { 'ecs-steady:log-volume': 'web', [AVAILABLE_SINCE_TAG]: ago(600) })),
      {},
      'orphan-young',
      ['stamp'],
    ],
    [
      'records an in-use attachment again when the stamp claiming it is recorded is forged',
      forged(
        volume('v1', ours({ [SEEN_ATTACHED_TAG]: ago(5) }), {
          state: 'in-use',
          attachedTo: ['i-1'],
          attachedAt: NOW - 10 * MIN,
          attachedInOwnerCluster: true,
        }),
      ),
      {},
      'in-use',
      ['stamp'],
    ],
    [
      'does not rewrite an in-use stamp KMS could not check this run (it may be good)',
      {
        ...volume('v1', ours({ [SEEN_ATTACHED_TAG]: ago(5) }), {
          state: 'in-use',
          attachedTo: ['i-1'],
          attachedAt: NOW - 10 * MIN,
          attachedInOwnerCluster: true,
        }),
        stamps: {},
        unverifiedStamps: [{ key: SEEN_ATTACHED_TAG, why: 'unchecked' as const, detail: 'ThrottlingException' }],
      },
      {},
      'in-use',
      [],
    ],
    [
      "does not rewrite an orphan's available-since KMS could not check this run (its age would restart every throttled run)",
      {
        ...volume('v1', ours({ [AVAILABLE_SINCE_TAG]: ago(300) })),
        stamps: { [SEEN_ATTACHED_TAG]: ago(24 * 60) },
        unverifiedStamps: [{ key: AVAILABLE_SINCE_TAG, why: 'unchecked' as const, detail: 'ThrottlingException' }],
      },
      {},
      'orphan-young',
      [],
    ],
    [
      'restamps an orphan whose available-since predates the attachment it saw since',
      volume('v1', ours({ [AVAILABLE_SINCE_TAG]: ago(300), [SEEN_ATTACHED_TAG]: ago(90) })),
      {},
      'orphan-young',
      ['stamp'],
    ],
  ];
  it.each(cases)('%s', (_name, v, over, verdict, steps) => {
    const plan = planLogVolumes([v], { ...settings, ...over }, NOW);
    expect(plan.decisions.map((d) => d.verdict)).toEqual([verdict]);
    expect(plan.decisions[0]!.reason.length).toBeGreaterThan(0);
    expect(plan.steps.map((s) => s.kind)).toEqual(steps);
  });

  it('deletes the oldest flushed first, at most the per-run bound, and defers the rest', () => {
    const vs = [5, 90, 70, 200, 65].map((m, i) => volume(`v${i}`, ours({ 'ecs-steady:flushed-at': ago(m) })));
    const plan = planLogVolumes(vs, { ...settings, maxDeletionsPerRun: 2 }, NOW);
    expect(plan.steps).toEqual([
      { kind: 'delete', volumeId: 'v3' },
      { kind: 'delete', volumeId: 'v1' },
    ]);
    expect(plan.decisions.filter((d) => d.verdict === 'deferred').map((d) => d.volumeId)).toEqual(['v2', 'v4']);
    expect(plan.decisions.find((d) => d.volumeId === 'v0')!.verdict).toBe('within-grace');
  });

  it('reads only ISO-8601 times with a zone', () => {
    expect(parseTagTime('2026-12-02T12:00:00Z')).toBe(NOW);
    expect(parseTagTime('2026-12-02T13:00:00.000+01:00')).toBe(NOW);
    for (const bad of [undefined, '', 'true', '1764676800', '2026-12-02', '2026-12-02T12:00:00', '2026-13-45T99:00Z']) {
      expect(parseTagTime(bad)).toBeUndefined();
    }
  });
});

describe('planLogVolumes properties', () => {
  const arbVolume = fc.record({
    id: fc.integer({ min: 0, max: 10_000 }),
    owner: fc.constantFrom(undefined, 'web', 'api'),
    state: fc.constantFrom('available', 'in-use', 'creating', 'deleting'),
    flushed: fc.option(fc.oneof(fc.integer({ min: -120, max: 3_000 }).map(ago), fc.constantFrom('yes', '')), { nil: undefined }),
    since: fc.option(fc.integer({ min: 0, max: 3_000 }).map(ago), { nil: undefined }),
    seen: fc.option(fc.integer({ min: 0, max: 3_000 }), { nil: undefined }),
    member: fc.option(fc.boolean(), { nil: undefined }),
    /** The stamps on it were written by someone else: KMS rejects them. */
    forgedStamps: fc.boolean(),
    /** What EBS's metrics say since the flush: attached, not, or not read. */
    attachedAfterFlush: fc.constantFrom(true, false, undefined),
  });
  const arbSettings = fc.record({
    graceMinutes: fc.integer({ min: GRACE_MINUTES_MIN, max: 2_000 }),
    orphanAlertMinutes: fc.integer({ min: 0, max: 2_000 }),
    maxDeletionsPerRun: fc.integer({ min: 1, max: 10 }),
    owners: fc.constantFrom<string[]>([], ['web']),
    orphanAction: fc.constantFrom('alert' as const, 'alert-and-offer' as const),
  });

  it('deletes only available volumes of ours that it saw attached, flushed after that attachment and at least the grace ago, never more than the bound, each once; re-planning after apply is a no-op but for the deferred', () => {
    fc.assert(
      fc.property(fc.uniqueArray(arbVolume, { selector: (v) => v.id, maxLength: 40 }), arbSettings, (raw, over) => {
        const s = { ...settings, ...over };
        const vs = raw.map((r) => {
          const v = volume(
            `vol-${r.id}`,
            {
              ...(r.owner ? { [s.ownerTag]: r.owner } : {}),
              ...(r.flushed !== undefined ? { [s.flushedTag]: r.flushed } : {}),
              ...(r.since ? { [AVAILABLE_SINCE_TAG]: r.since } : {}),
              ...(r.seen !== undefined ? { [SEEN_ATTACHED_TAG]: ago(r.seen) } : {}),
            },
            r.state === 'in-use'
              ? {
                  state: r.state,
                  attachedTo: ['i-1'],
                  attachedAt: NOW - (r.seen ?? 5) * MIN,
                  ...(r.member !== undefined ? { attachedInOwnerCluster: r.member } : {}),
                }
              : { state: r.state, attachedAfterFlush: r.attachedAfterFlush },
          );
          return r.forgedStamps ? forged(v) : v;
        });
        const plan = planLogVolumes(vs, s, NOW);
        const deletes = plan.steps.filter((st) => st.kind === 'delete').map((st) => st.volumeId);
        expect(new Set(deletes).size).toBe(deletes.length);
        expect(deletes.length).toBeLessThanOrEqual(s.maxDeletionsPerRun);
        expect(plan.decisions).toHaveLength(vs.length);
        for (const id of deletes) {
          const v = vs.find((x) => x.volumeId === id)!;
          expect(v.state).toBe('available');
          expect(v.attachedTo).toEqual([]);
          const owner = v.tags[s.ownerTag];
          expect(owner).toBeDefined();
          if (s.owners.length > 0) expect(s.owners).toContain(owner);
          const flushedAt = parseTagTime(v.tags[s.flushedTag]);
          expect(flushedAt).toBeDefined();
          expect(NOW - flushedAt!).toBeGreaterThanOrEqual(s.graceMinutes * MIN);
          // Seen attached by us (a stamp KMS verified), and flushed no earlier than that attachment began.
          const seenAttached = parseTagTime(v.stamps[SEEN_ATTACHED_TAG]);
          expect(seenAttached).toBeDefined();
          expect(flushedAt!).toBeGreaterThanOrEqual(seenAttached!);
          // And EBS reported no attachment after the flush (a reuse between two runs).
          expect(v.attachedAfterFlush).toBe(false);
        }
        // An attachment is recorded as a time (proof of ownership) only on an instance ECS has in the
        // cluster the tag names; one outside it is recorded as the mark no time parses from.
        // On an available volume, an attachment is recorded only when EBS reported one after its flush.
        for (const st of plan.steps)
          if (st.kind === 'stamp' && st.tags[SEEN_ATTACHED_TAG] !== undefined) {
            const v = vs.find((x) => x.volumeId === st.volumeId)!;
            const at = parseTagTime(st.tags[SEEN_ATTACHED_TAG]);
            if (v.state === 'in-use') expect(v.attachedInOwnerCluster).toBe(at !== undefined);
            else {
              expect(v.attachedAfterFlush).toBe(true);
              expect(at!).toBeGreaterThan(parseTagTime(v.tags[s.flushedTag])!);
            }
          }
        // Every step names a volume of ours that is available.
        for (const st of plan.steps) expect(plan.decisions.find((d) => d.volumeId === st.volumeId)!.verdict).not.toBe('skipped');

        // Planning again after the steps were carried out asks for no tag again and deletes only what was deferred.
        const applied = vs
          .filter((v) => !deletes.includes(v.volumeId))
          .map((v) => {
            const tags = { ...v.tags };
            const stamps = { ...v.stamps };
            const written = new Set<string>();
            for (const st of plan.steps)
              if (st.volumeId === v.volumeId && st.kind !== 'delete') {
                Object.assign(tags, st.tags);
                // A stamp we wrote is sealed: KMS verifies it on the next read.
                if (st.kind === 'stamp') Object.assign(stamps, st.tags);
                Object.keys(st.tags).forEach((k) => written.add(k));
              }
            return { ...v, tags, stamps, unverifiedStamps: v.unverifiedStamps.filter((u) => !written.has(u.key)) };
          });
        const again = planLogVolumes(applied, s, NOW);
        expect(again.steps.filter((st) => st.kind !== 'delete')).toEqual([]);
        const deferred = plan.decisions.filter((d) => d.verdict === 'deferred').map((d) => d.volumeId);
        expect(again.steps.map((st) => st.volumeId).every((id) => deferred.includes(id))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});
