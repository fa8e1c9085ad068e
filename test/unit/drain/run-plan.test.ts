import fc from 'fast-check';
import {
  abortsAtDeadline,
  afterClosing,
  drainTimes,
  giveUp,
  HAND_ON_GRACE_MS,
  heartbeatOverdueAt,
  logsReportFirst,
  loopMove,
  notInClusterFacts,
  pendingStops,
  planSettingsOf,
  retimed,
  sleepMs,
  stepBatches,
  stopVerdict,
} from '../../../shared/drain/run-plan';
import { STEP_RANK, type DrainStep, type DrainTimes, type LifecycleState } from '../../../shared/drain/types';
import { ecsTask, stateWith } from '../../support/drain-state';
import { batch, T0, TIMES, worker } from '../../support/plan-fixtures';

const REF = { autoScalingGroupName: 'asg', lifecycleHookName: 'hook', lifecycleActionToken: 'tok', instanceId: 'i-1' };
const LC: LifecycleState = { ref: REF, heartbeatTimeoutMs: 300_000, globalEndsAt: T0 + 3_600_000, lastHeartbeatAt: T0, result: 'CONTINUE' };
const STOP = (arn: string): DrainStep => ({ kind: 'stopTask', cluster: 'web', taskArn: arn, reason: 'r', task: {} as never });
const DEREG: DrainStep = { kind: 'deregisterTargets', targetGroupArn: 'tg', targets: [{ id: '10.0.0.1', port: 80 }] };
const BEAT: DrainStep = { kind: 'heartbeat', ref: REF };
const DONE: DrainStep = { kind: 'completeLifecycle', ref: REF, result: 'CONTINUE' };
const HAND_ON: DrainStep = { kind: 'handOn', delaySeconds: 5 };

describe('drainTimes', () => {
  it.each([
    [
      'a Spot notice: force 15 s before the reclaim, the drain wait capped by it',
      { deadline: T0 + 120_000, startedAt: T0 },
      90_000,
      T0 + 90_000,
    ],
    ['a long wait is cut at the force time', { deadline: T0 + 120_000, startedAt: T0 }, 600_000, T0 + 105_000],
    ['a late start leaves less wait', { deadline: T0 + 120_000, startedAt: T0 + 60_000 }, 90_000, T0 + 105_000],
  ])('%s', (_name, req, maxWaitMs, drainWaitEndsAt) => {
    const t = drainTimes(req, { safetyMarginMs: 15_000, maxWaitMs });
    expect(t).toEqual({ forceAt: T0 + 105_000, drainWaitEndsAt, deadline: T0 + 120_000, stepEndsAt: Infinity, expiresAt: T0 + 120_000 });
  });

  it('keeps a step end and an expiry when the request names them', () => {
    const t = drainTimes(
      { deadline: T0 + 1e6, startedAt: T0, stepEndsAt: T0 + 240_000, expiresAt: T0 + 300_000 },
      { safetyMarginMs: 0, maxWaitMs: 1 },
    );
    expect([t.stepEndsAt, t.expiresAt]).toEqual([T0 + 240_000, T0 + 300_000]);
  });
});

describe('retimed: a wave moves the force time earlier by its stop lead', () => {
  it.each<[string, DrainTimes, number, number, number]>([
    ['no lead: unchanged', TIMES, 0, TIMES.forceAt, TIMES.drainWaitEndsAt],
    ['a lead of 20 s moves the force time and the drain wait', TIMES, 20_000, T0 + 85_000, T0 + 85_000],
    ['a lead longer than the drain is cut at its start', TIMES, 500_000, T0, T0],
    [
      'a smaller lead later never moves it back',
      { ...TIMES, forceAt: T0 + 50_000, drainWaitEndsAt: T0 + 50_000 },
      1_000,
      T0 + 50_000,
      T0 + 50_000,
    ],
  ])('%s', (_name, current, lead, forceAt, drainWaitEndsAt) => {
    const t = retimed(current, TIMES, T0, lead);
    expect([t.forceAt, t.drainWaitEndsAt]).toEqual([forceAt, drainWaitEndsAt]);
    expect(t.deadline).toBe(TIMES.deadline);
  });

  it('never moves the force time later, never before the start, and keeps the drain wait inside it, whatever the leads', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -10_000, max: 200_000 }), { maxLength: 20 }), (leads) => {
        let t = TIMES;
        for (const lead of leads) {
          const next = retimed(t, TIMES, T0, lead);
          expect(next.forceAt).toBeLessThanOrEqual(t.forceAt);
          expect(next.forceAt).toBeGreaterThanOrEqual(T0);
          expect(next.drainWaitEndsAt).toBeLessThanOrEqual(next.forceAt);
          expect(next.forceAt).toBe(lead > 0 ? Math.max(T0, Math.min(t.forceAt, TIMES.forceAt - lead)) : t.forceAt);
          t = next;
        }
      }),
    );
  });
});

describe('loopMove and sleepMs', () => {
  it.each([
    ['an outcome ends the loop, closing steps or not', { outcome: 'drained' as const, steps: [DONE], reads: [] }, 'end'],
    ['nothing to do or read: sleep', { steps: [], reads: [] }, 'sleep'],
    ['a read: work', { steps: [], reads: [{ kind: 'listTasks' as const }] }, 'work'],
    ['a step: work', { steps: [DEREG], reads: [] }, 'work'],
  ])('%s', (_name, plan, move) => expect(loopMove(plan)).toBe(move));

  const times = { deadline: T0 + 120_000, stepEndsAt: Infinity };
  it.each([
    ['one poll when the plan names no moment', { now: T0, pollMs: 5_000, times }, 5_000],
    ['until the plan wakes', { now: T0, wakeAt: T0 + 2_000, pollMs: 5_000, times }, 2_000],
    ['a wave looks at its lead again first', { now: T0, wakeAt: T0 + 9_000, pollMs: 10_000, retimeEveryMs: 2_000, times }, 2_000],
    ['never past the deadline', { now: T0 + 119_000, pollMs: 5_000, times }, 1_000],
    ['never past the step end', { now: T0, pollMs: 5_000, times: { ...times, stepEndsAt: T0 + 300 } }, 300],
    ['a moment already past: at least 1 ms, so the clock moves', { now: T0, wakeAt: T0 - 10, pollMs: 5_000, times }, 1],
    ['a deadline already past no longer bounds the sleep', { now: T0 + 130_000, pollMs: 5_000, times }, 5_000],
  ])('sleeps %s', (_name, a, ms) => expect(sleepMs(a)).toBe(ms));

  it('never sleeps past a deadline or step end still ahead, nor past the wake, and always at least 1 ms', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200_000 }),
        fc.option(fc.integer({ min: -5_000, max: 200_000 }), { nil: undefined }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.option(fc.integer({ min: 1, max: 30_000 }), { nil: undefined }),
        fc.integer({ min: 0, max: 200_000 }),
        (offset, wake, pollMs, retimeEveryMs, stepEnd) => {
          const now = T0 + offset;
          const t = { deadline: T0 + 120_000, stepEndsAt: T0 + stepEnd };
          const ms = sleepMs({
            now,
            pollMs,
            times: t,
            ...(wake !== undefined ? { wakeAt: T0 + wake } : {}),
            ...(retimeEveryMs ? { retimeEveryMs } : {}),
          });
          expect(ms).toBeGreaterThanOrEqual(1);
          for (const bound of [t.deadline, t.stepEndsAt].filter((b) => b > now))
            expect(now + ms).toBeLessThanOrEqual(Math.max(bound, now + 1));
          expect(ms).toBeLessThanOrEqual(Math.max(1, (wake !== undefined ? T0 + wake : now + pollMs) - now));
        },
      ),
    );
  });
});

describe('calls and heartbeats', () => {
  it.each<[string, DrainStep | undefined, boolean]>([
    ['a read', undefined, true],
    ['a deregistration', DEREG, true],
    ['a stop', STOP('t/1'), true],
    ['a heartbeat', BEAT, false],
    ['a lifecycle completion', DONE, false],
    ['a hand-on', HAND_ON, false],
  ])('%s is cut off at the deadline: %s', (_name, step, aborts) => expect(abortsAtDeadline(step)).toBe(aborts));

  it.each<[string, LifecycleState | undefined, number]>([
    ['no lifecycle action', undefined, Infinity],
    ['a live action: halfway through its heartbeat timeout', LC, T0 + 150_000],
    ['a completed action needs no heartbeat', { ...LC, completed: 'completed' }, Infinity],
  ])('%s', (_name, lc, at) => expect(heartbeatOverdueAt(lc)).toBe(at));

  it.each([
    ['the first completion logs the report', [DONE], false, true],
    ['a completion tried again does not', [DONE], true, false],
    ['an end without completion does not', [HAND_ON], false, false],
  ])('%s', (_name, steps, logged, first) => expect(logsReportFirst(steps, logged)).toBe(first));
});

describe('afterClosing', () => {
  const ends = T0 + 240_000;
  it.each([
    ['every closing step succeeded: finish', [{ step: DONE, ok: true }], T0, { kind: 'finish' }],
    ['no closing steps: finish', [], T0, { kind: 'finish' }],
    ['a completion failed: try again', [{ step: DONE, ok: false, error: 'x' }], T0 + 1e7, { kind: 'retry' }],
    [
      'a hand-on failed inside its grace: try again',
      [{ step: HAND_ON, ok: false, error: 'x' }],
      ends + HAND_ON_GRACE_MS - 1,
      { kind: 'retry' },
    ],
    [
      'a hand-on still failing past its grace: give the message back',
      [{ step: HAND_ON, ok: false, error: 'SQS down' }],
      ends + HAND_ON_GRACE_MS,
      { kind: 'give-back', error: 'the drain could not be handed on: SQS down' },
    ],
  ])('%s', (_name, results, now, next) => expect(afterClosing(results, now, ends)).toEqual(next));
});

describe('giveUp after too many looks', () => {
  it.each([
    ['a live lifecycle action is never dropped', { ec2InstanceId: 'i-1', lifecycle: LC }, T0, 'give-back'],
    ['past the force time: deadline reached', { ec2InstanceId: 'i-1' }, TIMES.forceAt, 'deadline-reached'],
    ['before it: handed on', { ec2InstanceId: 'i-1' }, TIMES.forceAt - 1, 'handed-on'],
    [
      'a completed action ends like any drain',
      { ec2InstanceId: 'i-1', lifecycle: { ...LC, completed: 'completed' as const } },
      T0,
      'handed-on',
    ],
  ])('%s', (_name, state, now, end) => {
    const r = giveUp(state, now, TIMES.forceAt, 5000);
    expect(r.kind === 'give-back' ? r.kind : r.outcome).toBe(end);
    if (r.kind === 'give-back') expect(r.error).toBe('the drain of i-1 made no progress in 5000 looks');
  });
});

describe('pendingStops, stopVerdict, planSettingsOf, notInClusterFacts', () => {
  it('counts tasks wanted running and not stopped, and listed ones not yet described', () => {
    const state = stateWith({
      tasks: [worker, batch, ecsTask({ arn: 't/old', desired: 'STOPPED' })],
      listed: [worker.taskArn!, batch.taskArn!, 't/new'],
    });
    expect(pendingStops(state)).toBe(3);
    state.stopped.set(batch.taskArn!, { at: T0, ours: true });
    expect(pendingStops(state)).toBe(2);
  });

  it.each([
    ['ECS kept our reason: ours', { gone: false, stoppedReason: 'drain d1' }, { ours: true, gone: false }],
    ['another reason was first: not ours', { gone: false, stoppedReason: 'deploy' }, { ours: false, gone: false }],
    ['the task is gone: not ours', { gone: true }, { ours: false, gone: true }],
  ])('%s', (_name, answer, verdict) => expect(stopVerdict('drain d1', answer)).toEqual(verdict));

  it('publishes records only with a topic, and passes the optional settings only when set', () => {
    const base = { dryRun: false, pollMs: 5_000, keepServing: true, expiredToleranceMs: 0 };
    expect(planSettingsOf(base, 'd1')).toEqual({ ...base, notifyInterrupted: false, drainId: 'd1' });
    expect(planSettingsOf({ ...base, interruptedTasksTopicArn: 'arn:t', agentFamilies: ['dd'], stopTimeoutMs: 1 }, 'd2')).toEqual({
      ...base,
      notifyInterrupted: true,
      drainId: 'd2',
      agentFamilies: ['dd'],
      stopTimeoutMs: 1,
    });
  });

  it('names where it looked, and an unknown region as such', () => {
    expect(notInClusterFacts('i-1', [], undefined)).toEqual({
      ec2InstanceId: 'i-1',
      region: 'unknown (AWS_REGION not set)',
      clusters: 'all clusters in region ?',
    });
    expect(notInClusterFacts('i-1', ['web'], 'eu-west-1')).toEqual({ ec2InstanceId: 'i-1', region: 'eu-west-1', clusters: ['web'] });
  });
});

describe('stepBatches', () => {
  it('runs DRAINING, deregistrations and heartbeats first, stops next, records after, lifecycle last', () => {
    const notify: DrainStep = { kind: 'notifyInterrupted', task: {} as never, cluster: 'web', ec2InstanceId: 'i-1' };
    const batches = stepBatches([DONE, notify, STOP('t/1'), DEREG, STOP('t/2'), BEAT]);
    expect(batches.map((rank) => rank.map((b) => b.map((s) => s.kind)))).toEqual([
      [['deregisterTargets'], ['heartbeat']],
      [['stopTask', 'stopTask']],
      [['notifyInterrupted']],
      [['completeLifecycle']],
    ]);
  });

  const arbStep = fc.constantFrom<DrainStep>(DEREG, BEAT, DONE, HAND_ON, STOP('t/1'), STOP('t/2'), {
    kind: 'setDraining',
    cluster: 'web',
    containerInstanceArn: 'ci',
  });
  it('carries out every step exactly once, rank by rank, one kind per batch, in the plan’s order within a kind', () => {
    fc.assert(
      fc.property(fc.array(arbStep, { maxLength: 30 }), (steps) => {
        const batches = stepBatches(steps);
        const flat = batches.flat(2);
        expect(flat).toHaveLength(steps.length);
        expect(new Set(flat)).toEqual(new Set(steps));
        const ranks = flat.map((s) => STEP_RANK[s.kind]);
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
        for (const rank of batches)
          for (const b of rank) {
            expect(new Set(b.map((s) => s.kind)).size).toBe(1);
            expect(b).toEqual(steps.filter((s) => s.kind === b[0]!.kind));
          }
      }),
    );
  });
});
