import fc from 'fast-check';
import { confirmPrimary, rememberCluster, resolveClaim, standingOf } from '../../../shared/capacity/backend-claims';
import type { BackendInstance, BackendView } from '../../../shared/capacity/ports';
import type { CapacityStep } from '../../../shared/capacity/steps';
import { CLUSTER_TAG, LAST_SCALE_OUT_TAG, SCALED_FOR_TAG } from '../../../shared/tags';
import { MIN, T0 } from './fixtures';

const ARRIVAL = 10 * MIN;
const member = (id: string, state: BackendInstance['state'] = 'in-service'): BackendInstance => ({
  ec2InstanceId: id,
  instanceType: 'm5.large',
  weight: 1,
  state,
  protectedFromScaleIn: false,
});
const view = (id: string, tags: Record<string, string>, instances: BackendInstance[] = []): BackendView => ({
  ref: { kind: 'asg', id, tags },
  counts: { desired: instances.length, inService: instances.length, min: 0, max: 10 },
  shapes: [],
  instances,
});
const REGISTERED = new Set(['i-ours-1', 'i-ours-2']);
const askedAgo = (ms: number) => new Date(T0 - ms).toISOString();

describe('standingOf', () => {
  it.each([
    ['an instance registered in the cluster confirms it', [member('i-ours-1'), member('i-x')], {}, 'confirmed'],
    ['no instance at all: nothing says otherwise', [], {}, 'unproven'],
    ['only launching instances: nothing says otherwise yet', [member('i-x', 'pending')], {}, 'unproven'],
    ['in-service instances registered elsewhere disprove it', [member('i-x')], { [CLUSTER_TAG]: 'web' }, 'disproved'],
    [
      'asked for this cluster within the arrival time: still arriving',
      [member('i-x')],
      { [SCALED_FOR_TAG]: 'web', [LAST_SCALE_OUT_TAG]: askedAgo(2 * MIN) },
      'unproven',
    ],
    [
      'asked longer ago than the arrival time: disproved',
      [member('i-x')],
      { [SCALED_FOR_TAG]: 'web', [LAST_SCALE_OUT_TAG]: askedAgo(11 * MIN) },
      'disproved',
    ],
    [
      'asked recently for another cluster: disproved here',
      [member('i-x')],
      { [SCALED_FOR_TAG]: 'batch', [LAST_SCALE_OUT_TAG]: askedAgo(MIN) },
      'disproved',
    ],
  ] as const)('%s', (_, instances, tags, expected) => {
    expect(standingOf(view('g', tags, [...instances]), 'web', REGISTERED, T0, ARRIVAL)).toBe(expected);
  });
});

describe('confirmPrimary', () => {
  const ours = view('ours', { [CLUSTER_TAG]: 'web' }, [member('i-ours-1'), member('i-ours-2')]);
  const theirs = view('aaa-theirs', { [CLUSTER_TAG]: 'web', [LAST_SCALE_OUT_TAG]: askedAgo(MIN) }, [member('i-theirs')]);

  it('never uses a claimant whose instances are registered elsewhere, even first by name and with our state tags; says why', () => {
    const r = confirmPrimary('web', [theirs, ours], REGISTERED, T0, ARRIVAL);
    expect(r.chosen?.ref.id).toBe('ours');
    expect(r.notes).toEqual([
      'asg aaa-theirs claims web (ecs-steady:cluster=web) but none of its 1 in-service instance(s) is registered in web: never used for it',
    ]);
  });

  it('keeps our backend after its cluster tag was rewritten (found by our memory) and says so', () => {
    const rewritten = view('ours', { [CLUSTER_TAG]: 'elsewhere', [SCALED_FOR_TAG]: 'web' }, [member('i-ours-1')]);
    const r = confirmPrimary('web', [rewritten], REGISTERED, T0, ARRIVAL);
    expect(r.chosen?.ref.id).toBe('ours');
    expect(r.notes).toEqual([
      'asg ours: its ecs-steady:cluster tag says "elsewhere", but its instances are registered in web: it keeps serving web (correct the tag)',
    ]);
  });

  it('the cluster the rewritten tag names gets nothing from it', () => {
    const rewritten = view('ours', { [CLUSTER_TAG]: 'elsewhere', [SCALED_FOR_TAG]: 'web' }, [member('i-ours-1')]);
    expect(confirmPrimary('elsewhere', [rewritten], new Set(['i-other']), T0, ARRIVAL).chosen).toBeUndefined();
  });

  it('prefers a confirmed claimant over an empty one, and reports the other', () => {
    const empty = view('aaa-empty', { [CLUSTER_TAG]: 'web' });
    const r = confirmPrimary('web', [empty, ours], REGISTERED, T0, ARRIVAL);
    expect(r.chosen?.ref.id).toBe('ours');
    expect(r.notes).toEqual([
      '2 capacity backends tagged for web: asg ours is used (its instances are registered in web); asg aaa-empty ignored: remove its ecs-steady:cluster tag, or name the backend in CAPACITY_BACKENDS',
    ]);
  });

  it('scales a cluster up from zero on its one empty backend', () => {
    const r = confirmPrimary('web', [view('ours', { [CLUSTER_TAG]: 'web' })], new Set(), T0, ARRIVAL);
    expect(r).toEqual({ chosen: expect.objectContaining({ ref: expect.objectContaining({ id: 'ours' }) }), notes: [] });
  });

  const arbClaimant = fc.record({
    id: fc.constantFrom('a', 'b', 'c', 'd'),
    registered: fc.nat({ max: 2 }),
    elsewhere: fc.nat({ max: 2 }),
    pending: fc.nat({ max: 1 }),
    tags: fc.subarray([CLUSTER_TAG, SCALED_FOR_TAG, LAST_SCALE_OUT_TAG]),
    tagValue: fc.constantFrom('web', 'batch'),
  });
  it('property: a disproved claimant is never chosen; when any claimant is confirmed, the chosen one is', () => {
    fc.assert(
      fc.property(fc.uniqueArray(arbClaimant, { selector: (c) => c.id, minLength: 1, maxLength: 4 }), (claimants) => {
        const registered = new Set<string>();
        const views = claimants.map((c) => {
          const mine = Array.from({ length: c.registered }, (_, k) => member(`i-${c.id}-in-${k}`));
          mine.forEach((m) => registered.add(m.ec2InstanceId));
          const tags = Object.fromEntries(c.tags.map((t) => [t, t === LAST_SCALE_OUT_TAG ? askedAgo(MIN) : c.tagValue]));
          return view(c.id, tags, [
            ...mine,
            ...Array.from({ length: c.elsewhere }, (_, k) => member(`i-${c.id}-out-${k}`)),
            ...Array.from({ length: c.pending }, (_, k) => member(`i-${c.id}-p-${k}`, 'pending')),
          ]);
        });
        const { chosen } = confirmPrimary('web', views, registered, T0, ARRIVAL);
        const standing = (v: BackendView) => standingOf(v, 'web', registered, T0, ARRIVAL);
        if (chosen) expect(standing(chosen)).not.toBe('disproved');
        if (views.some((v) => standing(v) === 'confirmed')) expect(chosen && standing(chosen)).toBe('confirmed');
        if (views.every((v) => standing(v) === 'disproved')) expect(chosen).toBeUndefined();
      }),
    );
  });
});

describe('resolveClaim', () => {
  const ours = view('ours', { [CLUSTER_TAG]: 'web' }, [member('i-ours-1')]);
  const theirs = view('aaa-theirs', { [CLUSTER_TAG]: 'web' }, [member('i-theirs')]);
  const [a, b] = [{ ref: ours.ref }, { ref: theirs.ref }];
  const at = (switched: boolean) => ({ now: T0, arrivalMs: ARRIVAL, switched });
  it.each([
    ['keeps the claimant it read with when ECS confirms it', a, [ours, theirs], false, 'keep'],
    ['reads again with the one ECS confirms when it read with a lying claimant', b, [theirs, ours], false, 'switch'],
    ['never switches twice in one tick: the backends changed while read', b, [theirs, ours], true, 'error'],
  ] as const)('%s', (_, current, views, switched, next) => {
    const r = resolveClaim('web', [a, b], current, views, REGISTERED, at(switched));
    expect(r.next).toBe(next);
    if (r.next === 'switch') expect(r.to).toBe(a);
    expect(r.conflict).toMatch(/asg aaa-theirs claims web/);
  });
  it('reports an error naming why when no claimant serves the cluster, with the fallback’s conflict kept', () => {
    const r = resolveClaim('web', [b], b, [theirs], REGISTERED, at(false), '2 fallback backends for web: x is used; y ignored');
    expect(r).toEqual({
      next: 'error',
      conflict: expect.stringMatching(/^2 fallback backends for web: x is used; y ignored; asg aaa-theirs claims web/),
      error: expect.stringMatching(/^no capacity backend ECS confirms for web: 2 fallback backends/),
    });
  });
});

describe('rememberCluster', () => {
  it('writes the cluster with each of our records on its own backend, never on the fallback’s', () => {
    const steps: CapacityStep[] = [
      { kind: 'setDesired', desired: 3, from: 2 },
      { kind: 'recordAction', action: 'scale-out', tags: { 'ecs-steady:demand-in-flight': '' } },
      { kind: 'recordAction', action: 'backoff', on: 'primary' },
      { kind: 'recordAction', action: 'scale-out', on: 'fallback' },
    ];
    expect(rememberCluster(steps, 'web')).toEqual([
      steps[0],
      { ...steps[1], tags: { 'ecs-steady:demand-in-flight': '', [SCALED_FOR_TAG]: 'web' } },
      { ...steps[2], tags: { [SCALED_FOR_TAG]: 'web' } },
      steps[3],
    ]);
  });
});
