import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterRead } from '../../../shared/capacity/snapshot';
import { planRebalanceCallOffs } from '../../../shared/capacity/steps';
import { parseSpotDrainConfig } from '../../../shared/drain/config';
import { parseSpotSignal } from '../../../shared/drain/messages';
import { ConfigError, EventValidationError } from '../../../shared/lambda/errors';
import type { RetiringMark } from '../../../shared/retire/mark';
import { readMark } from '../../../shared/retire/mark';
import { rebalanceCallOff, rebalanceRequest } from '../../../shared/retire/rebalance';
import { RETIRING_ATTRIBUTE } from '../../../shared/tags';
import { inst, MIN, snapshot, T0 } from '../capacity/fixtures';

const SAMPLE = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'events', 'rebalance-recommendation.json'), 'utf8'));
const BOUND = 30 * MIN;
const mark = (at: number, reason: RetiringMark['reason'] = 'rebalance'): RetiringMark => ({ reason, at, from: 'mark' });
const spotRunning = { state: 'running', lifecycle: 'spot' as const, spotRequestStatus: 'fulfilled' };

describe('rebalance recommendation: parsing', () => {
  it('reads the documented event as a rebalance signal, and a notice on the same queue as a notice', () => {
    expect(parseSpotSignal(SAMPLE)).toEqual({
      kind: 'rebalance',
      eventId: SAMPLE.id,
      ec2InstanceId: 'i-1234567890abcdef0',
      recommendedAt: Date.parse(SAMPLE.time),
    });
    const notice = {
      ...SAMPLE,
      'detail-type': 'EC2 Spot Instance Interruption Warning',
      detail: { ...SAMPLE.detail, 'instance-action': 'terminate' },
    };
    expect(parseSpotSignal(notice).kind).toBe('notice');
  });

  it('names every bad field of a malformed recommendation', () => {
    const bad = { ...SAMPLE, source: 'aws.autoscaling', time: 'yesterday', detail: { 'instance-id': 'web-1' } };
    try {
      parseSpotSignal(bad);
      throw new Error('parsed');
    } catch (err) {
      expect(err).toBeInstanceOf(EventValidationError);
      const text = JSON.stringify((err as EventValidationError).issues);
      for (const field of ['source', 'time', 'detail.instance-id']) expect(text).toContain(field);
    }
  });

  it('is off unless set, and a bad mode is named with its value', () => {
    expect(parseSpotDrainConfig({}).rebalance).toBe('off');
    expect(parseSpotDrainConfig({ REBALANCE_RECOMMENDATIONS: 'replace-and-drain' }).rebalance).toBe('replace-and-drain');
    expect(() => parseSpotDrainConfig({ REBALANCE_RECOMMENDATIONS: 'drain' })).toThrow(ConfigError);
    expect(() => parseSpotDrainConfig({ REBALANCE_RECOMMENDATIONS: 'drain' })).toThrow(/REBALANCE_RECOMMENDATIONS="drain"/);
  });

  it('a rebalance retirement needs the backend that holds the instance (it is advice, not AWS taking it)', () => {
    expect(() => rebalanceRequest({ ec2InstanceId: 'i-0123456789abcdef0', recommendedAt: T0 }, undefined, MIN)).toThrow(/backend/);
    expect(rebalanceRequest({ ec2InstanceId: 'i-0123456789abcdef0', recommendedAt: T0 }, { kind: 'asg', id: 'g' }, MIN)).toMatchObject({
      reason: 'rebalance',
      then: 'none',
    });
  });

  it('the mark round-trips as `rebalance@<iso>`', () => {
    expect(readMark({ [RETIRING_ATTRIBUTE]: `rebalance@${new Date(T0).toISOString()}` }, {})).toEqual(mark(T0));
  });
});

describe('rebalanceCallOff', () => {
  const base = { status: 'DRAINING', mark: mark(T0 - BOUND), leaving: false, ec2: spotRunning };
  it.each([
    ['the bound passed, Spot, running', true, base],
    ['the bound has not passed', false, { ...base, mark: mark(T0 - BOUND + 1) }],
    ['ACTIVE already', false, { ...base, status: 'ACTIVE' }],
    ['a notice took it over (spot-notice mark)', false, { ...base, mark: mark(T0 - BOUND, 'spot-notice') }],
    ['a scale-in mark', false, { ...base, mark: mark(T0 - BOUND, 'scale-in') }],
    ['a legacy mark', false, { ...base, mark: { ...mark(T0 - BOUND), from: 'legacy-scale-in-tag' as const } }],
    ['leaving its backend (a lifecycle hook drains it)', false, { ...base, leaving: true }],
    ['shutting down in EC2', false, { ...base, ec2: { ...spotRunning, state: 'shutting-down' } }],
    ['unknown to EC2', false, { ...base, ec2: undefined }],
    ['on-demand (no recommendation is ever sent for it)', false, { ...base, ec2: { ...spotRunning, lifecycle: 'on-demand' as const } }],
    [
      'its Spot request cancelled, the instance kept running',
      true,
      { ...base, ec2: { ...spotRunning, spotRequestStatus: 'request-canceled-and-instance-running' } },
    ],
    // A notice we missed (its re-mark failed, or never ran): EC2's own record keeps the drain.
    ...['marked-for-termination', 'marked-for-stop', 'marked-for-stop-by-experiment', 'instance-terminated-by-price'].map(
      (code): [string, boolean, typeof base] => [
        `Spot request ${code}`,
        false,
        { ...base, ec2: { ...spotRunning, spotRequestStatus: code } },
      ],
    ),
    [
      'no Spot request found for it',
      false,
      { ...base, ec2: { state: 'running', lifecycle: 'spot' as const, spotRequestStatus: undefined } },
    ],
  ])('%s → call off: %s', (_name, callOff, facts) => {
    expect(rebalanceCallOff(facts, BOUND, T0).callOff).toBe(callOff);
  });

  const detached = { group: undefined, detachedFrom: 'web-asg' };
  it.each([
    ['DRAINING, in no group, our group detached it → back into it', { ...base, asg: detached }, { callOff: true, attachTo: 'web-asg' }],
    [
      'ACTIVE (replace), in no group, our group detached it → back into it',
      { ...base, status: 'ACTIVE', asg: detached },
      { callOff: true, attachTo: 'web-asg' },
    ],
    [
      'ACTIVE, in no group, no group of ours detached it → unmarked only, never attached',
      { ...base, status: 'ACTIVE', asg: { group: undefined } },
      { callOff: true },
    ],
    ['DRAINING, still in a group → ACTIVE, nothing attached', { ...base, asg: { group: 'web-asg' } }, { callOff: true }],
    ['ACTIVE inside a group → not ours to act on', { ...base, status: 'ACTIVE', asg: { group: 'web-asg' } }, { callOff: false }],
    [
      'ACTIVE, in no group, before the bound → kept',
      { ...base, status: 'ACTIVE', asg: detached, mark: mark(T0 - BOUND + 1) },
      { callOff: false },
    ],
    [
      'in no group but on-demand → never attached',
      { ...base, asg: detached, ec2: { ...spotRunning, lifecycle: 'on-demand' as const } },
      { callOff: false },
    ],
    [
      'in no group but stopped in EC2 → never attached',
      { ...base, asg: detached, ec2: { ...spotRunning, state: 'stopped' } },
      { callOff: false },
    ],
  ])('%s', (_name, facts, expected) => {
    const d = rebalanceCallOff(facts, BOUND, T0);
    expect(d).toMatchObject(expected);
    if (!('attachTo' in expected)) expect('attachTo' in d).toBe(false);
  });
});

describe('planRebalanceCallOffs', () => {
  const read = (): ClusterRead => ({
    snapshot: snapshot({
      instances: [
        inst('i-old', 'az-a', [], { status: 'DRAINING' }),
        inst('i-new', 'az-a', [], { status: 'DRAINING' }),
        inst('i-active', 'az-b', []),
        inst('i-beginning', 'az-b', []),
        inst('i-retried', 'az-b', []),
        inst('i-replace-mode', 'az-b', []),
        inst('i-scale', 'az-b', [], { status: 'DRAINING', drainedForScaleIn: true }),
        // Detached at a `replace` recommendation: ACTIVE, no backend of ours holds it.
        inst('i-detached', 'az-a', [], { notOwned: true }),
        inst('i-detached-new', 'az-a', [], { notOwned: true }),
      ],
    }),
    containerInstanceArnOf: new Map(),
    scaleInMarkedAt: new Map([['i-scale', T0 - 2 * BOUND]]),
    rebalanceMarks: new Map([
      ['i-old', mark(T0 - BOUND)],
      ['i-new', mark(T0 - MIN)],
      ['i-active', mark(T0 - 2 * BOUND)],
      // Written a minute ago: spotInterruption is setting it DRAINING right now.
      ['i-beginning', mark(T0 - MIN)],
      ['i-detached', mark(T0 - BOUND)],
      // Past the two-minute grace, before the bound: not a stale mark, the instance waits outside its group.
      ['i-detached-new', mark(T0 - 5 * MIN)],
      // Three minutes: a retried record may still be setting it DRAINING (twice the act bound, plus a tick-old read).
      ['i-retried', mark(T0 - 3 * MIN)],
      // Past the grace, not the bound: a mode that keeps an ACTIVE instance marked until the bound.
      ['i-replace-mode', mark(T0 - BOUND + MIN)],
    ]),
    leaving: new Set(['i-old']),
    taskDefinitionOf: new Map(),
    unregistered: [],
    taskCountOf: new Map(),
  });

  it('hands a DRAINING instance past the bound and an ACTIVE one outside its group past the bound to retire; clears the mark of an ACTIVE one its group holds past the grace and the bound; leaves the rest (and scale-in’s) alone', () => {
    const steps = planRebalanceCallOffs(read(), BOUND, T0);
    expect(steps.map((s) => [s.kind, 'ec2InstanceId' in s ? s.ec2InstanceId : ''])).toEqual([
      ['endRebalance', 'i-old'],
      ['clearRebalanceMark', 'i-active'],
      ['endRebalance', 'i-detached'],
    ]);
    expect(steps[0]).toMatchObject({ status: 'DRAINING', leaving: true, mark: mark(T0 - BOUND), boundMs: BOUND });
    expect(steps[1]).toMatchObject({ mark: mark(T0 - 2 * BOUND) });
    expect(steps[2]).toMatchObject({ status: 'ACTIVE', leaving: false, mark: mark(T0 - BOUND), boundMs: BOUND });
  });
});
