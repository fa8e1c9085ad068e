import fc from 'fast-check';
import type { ClusterSettings } from '../../../shared/capacity/config';
import type { CapacityStepResult } from '../../../shared/capacity/execute';
import type { BackendView } from '../../../shared/capacity/ports';
import type { ClusterRead } from '../../../shared/capacity/cluster-read';
import type { CapacityStep } from '../../../shared/capacity/steps';
import { outcomeOf, retryAfterWrite } from '../../../shared/capacity/tick-choices';
import {
  candidatesSettled,
  composeViews,
  frameTick,
  goesToFallback,
  lateUnits,
  planOnPlanner,
  wantsCandidates,
  type TickFrame,
} from '../../../shared/capacity/tick-plan';
import { roundReport } from '../../../shared/capacity/tick-report';
import type { CapacityDecision, CapacityDecisionKind } from '../../../shared/capacity/types';
import { BACKOFF_TAG, DEMAND_IN_FLIGHT_TAG, LAST_SCALE_OUT_TAG } from '../../../shared/tags';
import { batchTask, inst, MIN, settings, snapshot, T0 } from './fixtures';

const view = (id: string, desired: number, tags: Record<string, string> = {}, instanceIds: string[] = []): BackendView => ({
  ref: { kind: 'asg', id, tags },
  counts: { desired, inService: instanceIds.length, min: 0, max: 20 },
  shapes: [{ instanceType: 'm5.large', weight: 1 }],
  instances: instanceIds.map((ec2InstanceId) => ({
    ec2InstanceId,
    instanceType: 'm5.large',
    weight: 1,
    state: 'in-service' as const,
    protectedFromScaleIn: false,
  })),
});
const decision = (d: CapacityDecisionKind, over: Partial<CapacityDecision> = {}): CapacityDecision => ({
  decision: d,
  reasons: ['planned'],
  unplaceable: [],
  reservation: { cpu: 0, memory: 0 },
  starved: [],
  ...over,
});
const FUTURE = new Date(T0 + 10 * MIN).toISOString();
const PAST = new Date(T0 - 10 * MIN).toISOString();

/** A read of a cluster with instances i-1 (the primary's) and i-2 (the fallback's), both ACTIVE. */
function readOf(): ClusterRead & { warnings: string[] } {
  const snap = snapshot({ instances: [inst('i-1', 'az-a', []), inst('i-2', 'az-b', [])] });
  return {
    snapshot: snap,
    containerInstanceArnOf: new Map([
      ['i-1', 'arn:ci/1'],
      ['i-2', 'arn:ci/2'],
    ]),
    scaleInMarkedAt: new Map(),
    taskDefinitionOf: new Map(),
    unregistered: [],
    taskCountOf: new Map(),
    warnings: ['sizes unknown for instance types x'],
  };
}
const clusterSettings = (): ClusterSettings => ({ ...settings(), headroom: { tasks: 0, cpu: 0, memory: 0 } });

describe('composeViews', () => {
  it.each([
    ['no fallback: the primary is active whatever its back-off', view('p', 2, { [BACKOFF_TAG]: FUTURE }), undefined, false],
    ['a back-off in the future with a fallback: the fallback is active', view('p', 2, { [BACKOFF_TAG]: FUTURE }), view('f', 0), true],
    ['a back-off that ended: the primary is active again', view('p', 2, { [BACKOFF_TAG]: PAST }), view('f', 0), false],
    ['an unreadable back-off counts as none', view('p', 2, { [BACKOFF_TAG]: 'soon' }), view('f', 0), false],
  ])('%s', (_, p, f, onFallback) => {
    const v = composeViews(p, f, T0);
    expect(v.onFallback).toBe(onFallback);
    expect(v.active.ref.id).toBe(onFallback ? 'f' : 'p');
  });

  it('reads both backends as one: every shape and instance, the active one’s counts', () => {
    const v = composeViews(
      view('p', 2, {}, ['i-1']),
      { ...view('f', 1, {}, ['i-2']), shapes: [{ instanceType: 'c5.large', weight: 1 }] },
      T0,
    );
    expect(v.both.counts.desired).toBe(2);
    expect(v.both.instances.map((i) => i.ec2InstanceId)).toEqual(['i-1', 'i-2']);
    expect(v.both.shapes.map((s) => s.instanceType)).toEqual(['m5.large', 'c5.large']);
  });

  it('takes the shapes from the instance-types tag when the backend names none', () => {
    const v = composeViews({ ...view('p', 0, { 'ecs-steady:instance-types': 'c5.xlarge:2' }), shapes: [] }, undefined, T0);
    expect(v.primary.shapes).toEqual([{ instanceType: 'c5.xlarge', weight: 2 }]);
  });
});

describe('frameTick, lateUnits and goesToFallback', () => {
  const frameFor = (p: BackendView, f?: BackendView, extra: TickFrame['demand'] = []) => {
    const v = composeViews(p, f, T0);
    return { v, frame: frameTick(readOf(), v, clusterSettings(), extra, T0) };
  };
  it('counts the primary’s units asked and not registered as in flight, late once the arrival time passed', () => {
    const asked = new Date(T0 - 11 * MIN).toISOString();
    const { v, frame } = frameFor(view('p', 4, { [LAST_SCALE_OUT_TAG]: asked }, ['i-1']), view('f', 0));
    expect(frame.pIn).toEqual({ units: 3, requestedAt: T0 - 11 * MIN });
    expect(frame.lateByTime).toBe(true);
    expect(lateUnits(frame, undefined)).toBe(3);
    expect(goesToFallback(v, 3)).toBe(true);
  });
  it.each([
    ['asked a minute ago, no failure reported: not late', 1, false, 0],
    ['asked a minute ago, a capacity failure reported: late at once', 1, true, 3],
  ])('%s', (_, minutesAgo, failed, late) => {
    const asked = new Date(T0 - minutesAgo * MIN).toISOString();
    const { frame } = frameFor(view('p', 4, { [LAST_SCALE_OUT_TAG]: asked }, ['i-1']), view('f', 0));
    expect(lateUnits(frame, failed ? { at: T0, message: 'InsufficientInstanceCapacity' } : undefined)).toBe(late);
  });
  it('never goes to the fallback without one, nor while the primary already backs off', () => {
    expect(goesToFallback(composeViews(view('p', 4), undefined, T0), 3)).toBe(false);
    expect(goesToFallback(composeViews(view('p', 4, { [BACKOFF_TAG]: FUTURE }), view('f', 0), T0), 3)).toBe(false);
    expect(goesToFallback(composeViews(view('p', 4), view('f', 0), T0), 0)).toBe(false);
  });
  it('holds the demand remembered on the active backend only while capacity is in flight', () => {
    const held = { [DEMAND_IN_FLIGHT_TAG]: '256:512:2' };
    expect(frameFor(view('p', 4, held, ['i-1'])).frame.demand).toEqual([expect.objectContaining({ cpu: 256, memory: 512, count: 2 })]);
    expect(frameFor(view('p', 1, held, ['i-1'])).frame.demand).toEqual([]);
  });
});

describe('wantsCandidates and candidatesSettled', () => {
  const quiet = snapshot({ instances: [inst('i-1', 'az-a', []), inst('i-2', 'az-b', [])] });
  it.each([
    ['a tick with nothing else to do reads candidates', decision('none'), undefined, true],
    ['an event never does (it only scales out)', decision('none'), { scaleOutOnly: true }, false],
    ['a scale-out does not', decision('scale-out'), undefined, false],
  ])('%s', (_, d, event, expected) => {
    expect(wantsCandidates(d, quiet, settings({ min: 0 }), T0 + 60 * MIN, event)).toBe(expected);
  });
  it('does not when a gate blocks scale-in anyway (at min)', () => {
    expect(wantsCandidates(decision('none'), quiet, settings({ min: 2 }), T0 + 60 * MIN)).toBe(false);
  });
  it('stops when a round added no candidate, or one known is not ruled out; goes on while every one is', () => {
    const unread = { ...inst('i-9', 'az-a', []), tasksUnread: true as const };
    const busy = inst('i-1', 'az-a', [batchTask()]);
    expect(candidatesSettled(1, snapshot({ instances: [busy, unread] }))).toBe(true);
    expect(candidatesSettled(0, snapshot({ instances: [busy, unread] }))).toBe(false);
    expect(candidatesSettled(0, snapshot({ instances: [busy, inst('i-2', 'az-b', [])] }))).toBe(true);
  });
});

describe('planOnPlanner', () => {
  const kinds: CapacityDecisionKind[] = ['scale-out', 'scale-in', 'remove-drained', 'fallback', 'none'];
  const arbDecision = fc.record({
    kind: fc.constantFrom(...kinds),
    units: fc.integer({ min: 0, max: 10 }),
    desired: fc.integer({ min: 0, max: 20 }),
  });

  it('property: an event’s re-plan never lowers desired, never drains nor removes, and a raise starts at the active backend’s desired', () => {
    fc.assert(
      fc.property(arbDecision, fc.integer({ min: 0, max: 20 }), fc.boolean(), ({ kind, units, desired }, activeDesired, onFallback) => {
        const v = composeViews(
          view('p', activeDesired, onFallback ? { [BACKOFF_TAG]: FUTURE } : {}, ['i-1']),
          view('f', activeDesired, {}, ['i-2']),
          T0,
        );
        const frame = frameTick(readOf(), v, clusterSettings(), [], T0);
        const d = decision(kind, { units, desired, instanceToDrain: 'i-1', instancesToRemove: ['i-1'] });
        const plan = planOnPlanner(frame, v, d, T0, 10 * MIN, { scaleOutOnly: true, trigger: 'runTaskFailure' });
        expect(['scale-out', 'none']).toContain(plan.decision.decision);
        for (const s of plan.steps) {
          expect(['setDesired', 'recordAction']).toContain(s.kind);
          if (s.kind === 'setDesired') expect(s).toMatchObject({ from: activeDesired, desired: activeDesired + units });
          if (s.kind === 'recordAction') expect(s.action).toBe('scale-out');
        }
      }),
    );
  });

  it('a tick carries out a scale-in: mark, drain and retire on the backend holding the instance', () => {
    const v = composeViews(view('p', 1, {}, ['i-1']), view('f', 1, {}, ['i-2']), T0);
    const frame = frameTick(readOf(), v, clusterSettings(), [], T0);
    const plan = planOnPlanner(frame, v, decision('scale-in', { instanceToDrain: 'i-2', desired: 1 }), T0, 10 * MIN);
    expect(plan.decision.decision).toBe('scale-in');
    expect(plan.steps.filter((s) => s.kind === 'retire')).toEqual([expect.objectContaining({ ec2InstanceId: 'i-2', on: 'fallback' })]);
  });

  it('says why scale-outs go to the fallback, after the decision’s reasons and before the read’s warnings', () => {
    const v = composeViews(view('p', 1, { [BACKOFF_TAG]: FUTURE }, ['i-1']), view('f', 1, {}, ['i-2']), T0);
    const frame = frameTick(readOf(), v, clusterSettings(), [], T0);
    const plan = planOnPlanner(frame, v, decision('scale-out', { units: 2, desired: 4 }), T0, 10 * MIN);
    expect(plan.reasons).toEqual([
      'planned',
      `asg p backs off until ${FUTURE}: scale-outs go to the fallback`,
      'sizes unknown for instance types x',
    ]);
    expect(plan.steps[0]).toMatchObject({ kind: 'setDesired', on: 'fallback', from: 1, desired: 3 });
  });
});

describe('outcomeOf and retryAfterWrite', () => {
  const raise: CapacityStep = { kind: 'setDesired', id: 'raise', desired: 5, from: 3 };
  const record: CapacityStep = { kind: 'recordAction', action: 'scale-out' };
  const result = (step: CapacityStep, over: Partial<CapacityStepResult> = {}): CapacityStepResult => ({ step, ok: true, ...over });

  it.each([
    ['a raise went through', [result(raise, { at: T0 }), result(record)], true, 0, true],
    ['a dry run changed nothing', [result(raise, { skipped: 'dry run' })], false, 0, false],
    ['a refused raise is unwritten', [result(raise, { ok: false, error: 'ValidationError' })], false, 1, false],
    ['a refused record is unwritten', [result(raise, { at: T0 }), result(record, { ok: false, error: 'x' })], true, 1, true],
    [
      'a removal changed the counts',
      [result({ kind: 'retire', ec2InstanceId: 'i-1', request: {} as never }, { detail: 'removed' })],
      true,
      0,
      false,
    ],
  ] as const)('%s', (_, results, changed, unwritten, requested) => {
    const o = outcomeOf(results);
    expect(o.changed).toBe(changed);
    expect(o.unwritten.length).toBe(unwritten);
    expect(o.requested !== undefined).toBe(requested);
  });

  it('reads, plans and writes again only after a refused write and while the time allows; draws the jitter once either way', () => {
    const refused = outcomeOf([result(raise, { ok: false, error: 'x' })]);
    let draws = 0;
    const random = () => (draws++, 1);
    expect(retryAfterWrite(refused, 0, T0, T0 + MIN, random)).toEqual({ retry: true, waitMs: 1_000 });
    expect(retryAfterWrite(refused, 2, T0, T0 + MIN, random)).toEqual({ retry: true, waitMs: 4_000 });
    expect(retryAfterWrite(refused, 0, T0, T0 + 500, random)).toEqual({ retry: false });
    expect(retryAfterWrite(outcomeOf([result(raise)]), 0, T0, T0 + MIN, random)).toEqual({ retry: false });
    expect(draws).toBe(4);
  });
});

describe('roundReport', () => {
  const backend = (id: string) => ({ ref: { kind: 'asg' as const, id, tags: {} } }) as never;
  const base = { cluster: 'web', dryRun: false, startedAt: T0 };
  const round = (over: Partial<Parameters<typeof roundReport>[1]> = {}) =>
    roundReport(base, {
      primary: backend('p'),
      onFallback: false,
      decision: decision('scale-out', { desired: 5 }),
      reasons: ['planned'],
      snapshot: snapshot(),
      settings: settings(),
      results: [],
      outcome: outcomeOf([]),
      before: view('p', 3),
      after: view('p', 5),
      now: T0,
      ...over,
    });

  it('reports the counts re-read after the steps, or the ones from before marked stale', () => {
    expect(round().counts?.desired).toBe(5);
    expect(round({ after: undefined })).toMatchObject({ counts: { desired: 3 }, countsStale: true });
  });
  it('names the fallback as active when it took the scale-out or scale-outs go to it', () => {
    expect(round({ fallback: backend('f') }).fallback).toEqual({ kind: 'asg', id: 'f', active: false });
    expect(round({ fallback: backend('f'), onFallback: true }).fallback?.active).toBe(true);
    expect(round({ fallback: backend('f'), decision: decision('fallback') }).fallback?.active).toBe(true);
  });
  it('asks for a retry naming what was not written, and times the capacity request from an event’s trigger', () => {
    const raise: CapacityStep = { kind: 'setDesired', id: 'raise', desired: 5, from: 3 };
    const r = round({
      outcome: outcomeOf([
        { step: raise, ok: true, at: T0 + 4_000 },
        { step: { kind: 'recordAction', action: 'scale-out' }, ok: false, error: 'Throttling' },
      ]),
      event: { trigger: 'runTaskFailure', triggeredAt: T0 },
    });
    expect(r).toMatchObject({ retry: 'not written: recordAction Throttling', secondsToCapacityRequest: 4, trigger: 'runTaskFailure' });
    expect(round().retry).toBeUndefined();
    expect(round().secondsToCapacityRequest).toBeUndefined();
  });
});
