import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { firstCarry, lifecycleStateOf, nextContinuation, notOwnedWhy, stepBounds, triage } from '../../../shared/drain/lifecycle-plan';
import { continuation, lifecycleTerminateEvent, type LifecycleTerminateEvent } from '../../../shared/drain/messages';

const EVENT: LifecycleTerminateEvent = lifecycleTerminateEvent.parse(
  JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'events', 'asg-lifecycle-terminate.json'), 'utf8')),
);
const NOTICE = Date.parse(EVENT.time);
const CONFIG = { defaultHeartbeatSeconds: 300, drainMaxMs: 3_600_000 };
const MAX_GLOBAL = 172_800;
const NO_TOTALS = { tasksStopped: { standalone: 0, service: 0 }, targetsDeregistered: 0, interruptedTasksPublished: 0, failures: 0 };

describe('triage', () => {
  it('leaves a test notification and another team’s hook alone, saying why', () => {
    expect(triage({ kind: 'test-notification', autoScalingGroupName: 'asg' })).toEqual({
      ignored: { why: 'test notification of asg', test: true },
    });
    expect(triage({ kind: 'foreign', hookName: 'theirs', autoScalingGroupName: 'asg', ec2InstanceId: 'i-1' })).toEqual({
      ignored: { why: 'hook theirs is not one of ours', test: false },
    });
  });

  it('takes the action from the event, first or continued', () => {
    const first = triage({ kind: 'lifecycle', event: EVENT });
    const ref = {
      autoScalingGroupName: EVENT.detail.AutoScalingGroupName,
      lifecycleHookName: EVENT.detail.LifecycleHookName,
      lifecycleActionToken: EVENT.detail.LifecycleActionToken,
      instanceId: EVENT.detail.EC2InstanceId,
    };
    expect(first).toEqual({ event: EVENT, ref, noticeAt: NOTICE });
    const c = nextContinuation(
      EVENT,
      firstCarry({ hook: undefined, config: CONFIG, maxGlobalTimeoutSeconds: MAX_GLOBAL, noticeAt: NOTICE, now: NOTICE }),
      {
        totals: NO_TOTALS,
      },
    );
    expect(triage({ kind: 'continuation', continuation: c })).toEqual({ event: EVENT, ref, noticeAt: NOTICE, continued: c });
  });
});

describe('notOwnedWhy', () => {
  it.each([
    ['no ownership tag configured: every ASG of our hooks is ours', undefined, undefined, undefined],
    ['the ASG carries the tag: ours', new Set(['team']), 'team', undefined],
    ['the ASG lacks it: left alone', new Set(['other']), 'team', 'ASG asg lacks the tag team'],
    ['the ASG has no tags: left alone', undefined, 'team', 'ASG asg lacks the tag team'],
  ])('%s', (_name, tags, tag, why) => expect(notOwnedWhy('asg', tags, tag)).toBe(why));
});

describe('firstCarry: the bounds of a drain begun by a first message', () => {
  const at = (s: number) => NOTICE + s * 1000;
  it.each([
    [
      'the hook described: its timeouts; the drain bound first',
      { heartbeatTimeoutSeconds: 600, globalTimeoutSeconds: 7200 },
      600,
      at(3600),
      at(7200),
    ],
    ['a short global timeout bounds the drain', { heartbeatTimeoutSeconds: 60, globalTimeoutSeconds: 900 }, 60, at(900), at(900)],
    ['no description: the default heartbeat, 100 × it as the global timeout', undefined, 300, at(3600), at(30_000)],
    ['a described heartbeat only: 100 × it, at most 48 h', { heartbeatTimeoutSeconds: 7200 }, 7200, at(3600), at(MAX_GLOBAL)],
  ])('%s', (_name, hook, heartbeat, deadline, globalEndsAt) => {
    const c = firstCarry({ hook, config: CONFIG, maxGlobalTimeoutSeconds: MAX_GLOBAL, noticeAt: NOTICE, now: NOTICE + 5 });
    expect(c).toEqual({
      startedAt: NOTICE + 5,
      deadline,
      heartbeatTimeoutSeconds: heartbeat,
      globalEndsAt,
      lastHeartbeatAt: NOTICE,
      step: 1,
      totals: NO_TOTALS,
    });
  });

  it('keeps the configured result and the action’s clock in the lifecycle state', () => {
    const ref = { autoScalingGroupName: 'a', lifecycleHookName: 'h', lifecycleActionToken: 't', instanceId: 'i-1' };
    const c = firstCarry({ hook: undefined, config: CONFIG, maxGlobalTimeoutSeconds: MAX_GLOBAL, noticeAt: NOTICE, now: NOTICE });
    expect(lifecycleStateOf(ref, c, 'ABANDON')).toEqual({
      ref,
      heartbeatTimeoutMs: 300_000,
      globalEndsAt: at(30_000),
      lastHeartbeatAt: NOTICE,
      result: 'ABANDON',
    });
  });
});

describe('stepBounds', () => {
  const c = firstCarry({ hook: undefined, config: CONFIG, maxGlobalTimeoutSeconds: MAX_GLOBAL, noticeAt: NOTICE, now: NOTICE });
  it.each([
    ['the configured step ends first', NOTICE + 900_000, NOTICE + 240_000],
    ['the invocation ends first', NOTICE + 100_000, NOTICE + 100_000],
  ])('%s', (_name, invocationEndsAt, stepEndsAt) => {
    expect(stepBounds(c, { noticeAt: NOTICE, now: NOTICE, stepMs: 240_000, invocationEndsAt })).toEqual({
      deadline: c.deadline,
      expiresAt: NOTICE + 300_000, // the action is gone once its first heartbeat timeout passed unanswered
      startedAt: NOTICE,
      stepEndsAt,
    });
  });
});

describe('a drain carried across invocations', () => {
  const arbHook = fc.option(
    fc.record(
      { heartbeatTimeoutSeconds: fc.integer({ min: 30, max: 7200 }), globalTimeoutSeconds: fc.integer({ min: 30, max: MAX_GLOBAL }) },
      { requiredKeys: [] },
    ),
    { nil: undefined },
  );
  const arbConfig = fc.record({
    defaultHeartbeatSeconds: fc.integer({ min: 30, max: 7200 }),
    drainMaxMs: fc.integer({ min: 1, max: 172_800_000 }),
  });

  it('never outlives the configured bound nor the action’s global timeout, and each hand-on resumes the same drain one step on', () => {
    fc.assert(
      fc.property(
        arbHook,
        arbConfig,
        fc.integer({ min: 0, max: 600_000 }),
        fc.array(fc.record({ beatAfter: fc.option(fc.integer({ min: 1, max: 600_000 }), { nil: undefined }), stopped: fc.nat(50) }), {
          maxLength: 6,
        }),
        (hook, config, late, steps) => {
          const first = firstCarry({ hook, config, maxGlobalTimeoutSeconds: MAX_GLOBAL, noticeAt: NOTICE, now: NOTICE + late });
          expect(first.deadline).toBeLessThanOrEqual(Math.min(NOTICE + config.drainMaxMs, first.globalEndsAt));
          expect(first.globalEndsAt).toBeLessThanOrEqual(NOTICE + MAX_GLOBAL * 1000);
          let c = first;
          for (const s of steps) {
            const beat = s.beatAfter === undefined ? undefined : c.lastHeartbeatAt + s.beatAfter;
            const totals = { ...NO_TOTALS, tasksStopped: { standalone: s.stopped, service: 0 } };
            const next = continuation.parse(
              nextContinuation(EVENT, c, { ...(beat !== undefined ? { lastHeartbeatAt: beat } : {}), totals }),
            );
            const again = triage({ kind: 'continuation', continuation: next });
            if ('ignored' in again) throw new Error('a continuation is never ignored');
            expect(again.ref.lifecycleActionToken).toBe(EVENT.detail.LifecycleActionToken);
            const { kind: _kind, event: _event, ...carried } = next;
            expect(carried).toEqual({ ...c, step: c.step + 1, lastHeartbeatAt: beat ?? c.lastHeartbeatAt, totals });
            c = carried;
          }
          expect(c.deadline).toBe(first.deadline);
          expect(c.startedAt).toBe(first.startedAt);
        },
      ),
    );
  });
});
