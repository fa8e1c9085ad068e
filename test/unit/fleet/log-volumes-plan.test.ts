import fc from 'fast-check';
import { AVAILABLE_SINCE_TAG, OFFER_TAG } from '../../../shared/fleet/log-volumes/config';
import { parseTagTime, planLogVolumes, type PlanSettings, type Verdict } from '../../../shared/fleet/log-volumes/plan';
import type { VolumeView } from '../../../shared/fleet/log-volumes/ports';

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

function volume(id: string, tags: Record<string, string>, over: Partial<VolumeView> = {}): VolumeView {
  return { volumeId: id, state: 'available', az: 'eu-west-1a', sizeGiB: 20, createTime: NOW - 600 * MIN, tags, attachedTo: [], ...over };
}
const ours = (tags: Record<string, string> = {}) => ({ 'ecs-steady:log-volume': 'web', ...tags });

describe('planLogVolumes', () => {
  const cases: Array<[string, VolumeView, Partial<PlanSettings>, Verdict, string[]]> = [
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
      'never touches an in-use volume',
      volume('v1', ours({ 'ecs-steady:flushed-at': ago(999) }), { state: 'in-use', attachedTo: ['i-1'] }),
      {},
      'skipped',
      [],
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
  });
  const arbSettings = fc.record({
    graceMinutes: fc.integer({ min: 0, max: 2_000 }),
    orphanAlertMinutes: fc.integer({ min: 0, max: 2_000 }),
    maxDeletionsPerRun: fc.integer({ min: 1, max: 10 }),
    owners: fc.constantFrom<string[]>([], ['web']),
    orphanAction: fc.constantFrom('alert' as const, 'alert-and-offer' as const),
  });

  it('deletes only available volumes of ours, flushed at least the grace ago, never more than the bound, each once; re-planning after apply is a no-op but for the deferred', () => {
    fc.assert(
      fc.property(fc.uniqueArray(arbVolume, { selector: (v) => v.id, maxLength: 40 }), arbSettings, (raw, over) => {
        const s = { ...settings, ...over };
        const vs = raw.map((r) =>
          volume(
            `vol-${r.id}`,
            {
              ...(r.owner ? { [s.ownerTag]: r.owner } : {}),
              ...(r.flushed !== undefined ? { [s.flushedTag]: r.flushed } : {}),
              ...(r.since ? { [AVAILABLE_SINCE_TAG]: r.since } : {}),
            },
            { state: r.state, attachedTo: r.state === 'in-use' ? ['i-1'] : [] },
          ),
        );
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
        }
        // Every step names a volume of ours that is available.
        for (const st of plan.steps) expect(plan.decisions.find((d) => d.volumeId === st.volumeId)!.verdict).not.toBe('skipped');

        // Planning again after the steps were carried out asks for no tag again and deletes only what was deferred.
        const applied = vs
          .filter((v) => !deletes.includes(v.volumeId))
          .map((v) => {
            const tags = { ...v.tags };
            for (const st of plan.steps) if (st.volumeId === v.volumeId && st.kind !== 'delete') Object.assign(tags, st.tags);
            return { ...v, tags };
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
