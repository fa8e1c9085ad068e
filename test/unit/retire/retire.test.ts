import fc from 'fast-check';
import type { DrainReport } from '../../../shared/retire/drain-report';
import { formatMark, readMark } from '../../../shared/retire/mark';
import { ownershipOf, thenIsDue } from '../../../shared/retire/plan';
import type { HeldInstance, RetireBackend, RetirePorts } from '../../../shared/retire/ports';
import { checkRetireRequest, type RetireRequest } from '../../../shared/retire/request';
import { carryOutRetire, markRetiring, unmarkRetiring } from '../../../shared/retire/run';
import { AGENT_REPLACE_ATTRIBUTE, RETIRING_ATTRIBUTE, SCALE_IN_TAG } from '../../../shared/tags';
import { recordingLogger } from '../../support/recorders';

const T0 = Date.parse('2026-12-01T12:00:00Z');
const ID = 'i-0123456789abcdef0';
const ARN = 'arn:aws:ecs:eu-west-1:123456789012:container-instance/c/abc';
const REQ: RetireRequest = {
  cluster: 'c',
  ec2InstanceId: ID,
  containerInstanceArn: ARN,
  reason: 'scale-in',
  startedAt: T0,
  deadline: T0 + 900_000,
  then: 'remove',
  backend: { kind: 'asg', id: 'ours' },
};

/** A backend whose instance list is read from `holds()` at each describe: a test changes it between reads. */
function backend(holds: () => HeldInstance[], calls: string[]): RetireBackend {
  return {
    ref: { kind: 'asg', id: 'ours' },
    describe: async () => (calls.push('describe'), { instances: holds() }),
    remove: async (id) => (calls.push(`remove ${id}`), { removed: true }),
    replace: async (id) => (calls.push(`replace ${id}`), { replaced: true }),
  };
}
const report = (outcome: DrainReport['outcome']) => ({ outcome, why: `drain ${outcome}` }) as DrainReport;
function ports(holds: () => HeldInstance[], outcome: DrainReport['outcome'] = 'drained') {
  const calls: string[] = [];
  const p: RetirePorts = {
    backends: [backend(holds, calls)],
    putMark: async (_arn, name, value) => void calls.push(`put ${name}=${value}`),
    removeMarks: async (_arn, names) => void calls.push(`delete ${names.join(',')}`),
    removeLegacyTag: async (_arn, key) => void calls.push(`untag ${key}`),
    drain: async (r) => (calls.push(`drain ${r.ec2InstanceId}`), report(outcome)),
  };
  return { deps: { ports: p, log: recordingLogger() }, calls };
}
const held = (state: HeldInstance['state'] = 'in-service'): HeldInstance[] => [{ ec2InstanceId: ID, state }];

describe('checkRetireRequest', () => {
  it('names every bad field of a request built in code', () => {
    expect(() =>
      checkRetireRequest({
        ...REQ,
        cluster: '',
        ec2InstanceId: 'web-1',
        reason: 'bored' as never,
        then: 'remove',
        backend: undefined,
        deadline: NaN,
      }),
    ).toThrow(/cluster: .*; ec2InstanceId: .*"web-1".*; reason: .*"bored".*; deadline: .*; backend: required for then=remove/);
  });

  it('takes a Spot notice without a cluster, and a deadline already past (the drain calls it expired)', () => {
    expect(checkRetireRequest({ ec2InstanceId: ID, reason: 'spot-notice', startedAt: T0, deadline: T0 - 1, then: 'none' })).toBeTruthy();
  });
});

describe('the retiring mark', () => {
  it.each([
    ['our mark', { [RETIRING_ATTRIBUTE]: formatMark('agent-unhealthy', T0) }, {}, { reason: 'agent-unhealthy', at: T0, from: 'mark' }],
    [
      'the last release’s replace record',
      { [AGENT_REPLACE_ATTRIBUTE]: new Date(T0).toISOString() },
      {},
      { reason: 'agent-unhealthy', from: 'legacy-agent-replace' },
    ],
    [
      'the last release’s scale-in tag',
      {},
      { [SCALE_IN_TAG]: new Date(T0).toISOString() },
      { reason: 'scale-in', from: 'legacy-scale-in-tag' },
    ],
    ['a mark that does not parse', { [RETIRING_ATTRIBUTE]: 'scale-in@yesterday' }, {}, undefined],
    ['a reason we never write', { [RETIRING_ATTRIBUTE]: `bored@${new Date(T0).toISOString()}` }, {}, undefined],
    ['our attribute’s key written as a tag', {}, { [RETIRING_ATTRIBUTE]: formatMark('scale-in', T0) }, undefined],
  ])('%s', (_, attributes, tags, expected) => {
    const mark = readMark(attributes as Record<string, string>, tags as Record<string, string>);
    if (expected === undefined) expect(mark).toBeUndefined();
    else expect(mark).toMatchObject(expected);
  });
});

describe('ownershipOf and thenIsDue', () => {
  it.each([
    ['held in service', true, held()],
    ['held, still pending', true, held('pending')],
    ['leaving its backend', false, held('leaving')],
    ['not in the backend', false, [{ ec2InstanceId: 'i-0other000000000000', state: 'in-service' as const }]],
    ['the backend is not ours', false, undefined],
  ])('remove an instance %s: ours = %s', (_, ours, list) => {
    expect(ownershipOf(REQ, list).ours).toBe(ours);
  });

  it('needs no backend for a Spot notice or a hook: AWS takes the instance anyway', () => {
    expect(ownershipOf({ ec2InstanceId: ID, then: 'none' }, undefined)).toEqual({ ours: true });
    expect(ownershipOf({ ec2InstanceId: ID, then: 'complete-lifecycle' }, undefined)).toEqual({ ours: true });
  });

  it.each([
    ['remove', 'drained', true],
    ['remove', 'deadline-reached', false],
    ['remove', 'handed-on', false],
    ['replace', 'deadline-reached', true],
    ['replace', 'not-in-cluster', false],
    ['none', 'drained', false],
  ] as const)('%s after a drain that ended %s: due = %s', (then, outcome, due) => {
    expect(thenIsDue(then, outcome)).toBe(due);
  });
});

describe('retire', () => {
  it('marks only an instance a backend of ours holds, with one attribute: reason and time', async () => {
    const ours = ports(held);
    expect(await markRetiring(ours.deps, REQ, T0)).toMatchObject({ outcome: 'marked' });
    expect(ours.calls).toEqual(['describe', `put ${RETIRING_ATTRIBUTE}=scale-in@2026-12-01T12:00:00.000Z`]);
    const theirs = ports(() => []);
    expect(await markRetiring(theirs.deps, REQ, T0)).toMatchObject({ outcome: 'not-ours' });
    expect(theirs.calls).toEqual(['describe']);
  });

  it('drains, reads ownership again, then removes exactly the instance', async () => {
    const { deps, calls } = ports(held);
    expect(await carryOutRetire(deps, REQ, T0 + 60_000, 'scale-in-1')).toMatchObject({ outcome: 'removed' });
    expect(calls).toEqual(['describe', `drain ${ID}`, 'describe', `remove ${ID}`]);
  });

  it('never drains an instance no backend of ours holds', async () => {
    const { deps, calls } = ports(() => []);
    expect(await carryOutRetire(deps, REQ, T0 + 60_000, 'x')).toMatchObject({ outcome: 'not-ours' });
    expect(calls).toEqual(['describe']);
  });

  it('does not remove an instance that left our backend during its drain', async () => {
    let reads = 0;
    const { deps, calls } = ports(() => (++reads === 1 ? held() : []));
    expect(await carryOutRetire(deps, REQ, T0 + 60_000, 'x')).toMatchObject({ outcome: 'not-ours', drain: { outcome: 'drained' } });
    expect(calls.filter((c) => c.startsWith('remove'))).toEqual([]);
  });

  it('leaves a drain that has not ended for a later invocation, and removes a drained one without draining it again', async () => {
    const busy = ports(held, 'handed-on');
    expect(await carryOutRetire(busy.deps, REQ, T0 + 60_000, 'x')).toMatchObject({ outcome: 'draining' });
    expect(busy.calls).toEqual(['describe', `drain ${ID}`]);
    const empty = ports(held);
    expect(await carryOutRetire(empty.deps, { ...REQ, resumed: true, drained: true }, T0, 'x')).toMatchObject({ outcome: 'removed' });
    expect(empty.calls).toEqual(['describe', 'describe', `remove ${ID}`]);
  });

  it('replaces after a drain that reached its deadline (agent-unhealthy)', async () => {
    const { deps, calls } = ports(held, 'deadline-reached');
    const r = await carryOutRetire(deps, { ...REQ, reason: 'agent-unhealthy', then: 'replace' }, T0, 'x');
    expect(r).toMatchObject({ outcome: 'replaced' });
    expect(calls).toContain(`replace ${ID}`);
  });

  it('unmarks our mark and the last release’s, the tag only when asked', async () => {
    const { deps, calls } = ports(held);
    await unmarkRetiring(deps, ARN, false);
    await unmarkRetiring(deps, ARN, true);
    expect(calls).toEqual([
      `delete ${RETIRING_ATTRIBUTE},${AGENT_REPLACE_ATTRIBUTE}`,
      `delete ${RETIRING_ATTRIBUTE},${AGENT_REPLACE_ATTRIBUTE}`,
      `untag ${SCALE_IN_TAG}`,
    ]);
  });

  it('property: an instance is drained only if held at the first read, removed only if also held at the second', async () => {
    const states = fc.constantFrom<HeldInstance['state'] | 'absent'>('in-service', 'pending', 'leaving', 'absent');
    await fc.assert(
      fc.asyncProperty(
        states,
        states,
        fc.constantFrom('drained', 'deadline-reached', 'handed-on') as fc.Arbitrary<DrainReport['outcome']>,
        async (a, b, outcome) => {
          let reads = 0;
          const as = (s: typeof a) => (s === 'absent' ? [] : held(s));
          const { deps, calls } = ports(() => as(++reads === 1 ? a : b), outcome);
          await carryOutRetire(deps, REQ, T0, 'x');
          const ours = (s: typeof a) => s === 'in-service' || s === 'pending';
          expect(calls.includes(`drain ${ID}`)).toBe(ours(a));
          expect(calls.includes(`remove ${ID}`)).toBe(ours(a) && ours(b) && outcome === 'drained');
        },
      ),
    );
  });
});
