import fc from 'fast-check';
import type { Task } from '@aws-sdk/client-ecs';
import { targetKey, type Target, type TargetHealth, type TargetState } from '../../../shared/aws/elbv2-targets';
import { planDrain, shortArn, type PlanSettings } from '../../../shared/drain/plan';
import type { DrainPorts } from '../../../shared/drain/ports';
import { readInto } from '../../../shared/drain/snapshot';
import { applyStepResult } from '../../../shared/drain/state';
import type { DrainPlan, DrainState, DrainStep, DrainTimes, LifecycleState } from '../../../shared/drain/types';
import { deregistered, EC2_ID, ecsService, ecsTask, kinds, sawHealth, stateWith, withDelay } from '../../support/drain-state';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const TIMES: DrainTimes = {
  drainWaitEndsAt: T0 + 90_000,
  forceAt: T0 + 105_000,
  deadline: T0 + 120_000,
  stepEndsAt: Infinity,
  expiresAt: T0 + 120_000,
};
const SETTINGS: PlanSettings = {
  dryRun: false,
  pollMs: 5_000,
  keepServing: false,
  notifyInterrupted: false,
  expiredToleranceMs: 0,
  drainId: 'd1',
};
/** Instance-type group (bridge tasks: instance id + host port). */
const TG_A = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/a/1';
/** ip-type groups (awsvpc tasks: ENI address + container port). */
const TG_B = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/b/2';
const TG_C = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/c/3';

const WEB = ecsService('web', { runningCount: 4, lbs: [{ tg: TG_A, container: 'web', port: 80 }] });
const API = ecsService('api', {
  runningCount: 2,
  lbs: [
    { tg: TG_B, container: 'api', port: 8080 },
    { tg: TG_C, container: 'api', port: 8080 },
  ],
});
const WORKER = ecsService('worker', { runningCount: 2 });
const SERVICES = [WEB, API, WORKER];

const webTask = ecsTask({ arn: 't/web', service: 'web', bindings: [{ container: 'web', containerPort: 80, hostPort: 32768 }] });
const apiTask = ecsTask({ arn: 't/api', service: 'api', ip: '10.0.1.5' });
const batch = ecsTask({ arn: 't/batch', group: 'family:report' });
const worker = ecsTask({ arn: 't/worker', service: 'worker' });
const WEB_T: Target = { id: EC2_ID, port: 32768 };
const API_T: Target = { id: '10.0.1.5', port: 8080 };
const seen = (t: Target, state: TargetState): TargetHealth => ({ ...t, state });

/** Every step of a plan comes with its reason, one for one and in step order (a stop's or deregistration's reason names its task or group). */
function expectReasons(plan: DrainPlan) {
  expect(plan.reasons).toHaveLength(plan.steps.length);
  const subject = (st: DrainStep) =>
    st.kind === 'stopTask'
      ? st.taskArn
      : st.kind === 'deregisterTargets'
        ? st.targetGroupArn
        : st.kind === 'notifyInterrupted'
          ? st.task.taskArn
          : undefined;
  plan.steps.forEach((st, i) => {
    const arn = subject(st);
    if (arn) expect({ step: st.kind, reason: plan.reasons[i] }).toEqual({ step: st.kind, reason: expect.stringContaining(shortArn(arn)) });
  });
}
/** A plan that waits for targets to drain looks again no later than the drain wait's end; one that does not, not before it. */
function expectWaits(plan: DrainPlan, waits: boolean) {
  expect(plan.outcome).toBeUndefined();
  if (waits) expect(plan.wakeAt).toBeLessThanOrEqual(Math.min(TIMES.drainWaitEndsAt, TIMES.forceAt));
  else if (plan.wakeAt !== undefined) expect(plan.wakeAt).toBeGreaterThan(TIMES.drainWaitEndsAt);
}
const ok = (step: DrainStep, at: number) => ({ step, ok: true, at, stop: { ours: true, gone: false }, actionLive: true });
const applyAll = (state: DrainState, plan: DrainPlan, at: number) => plan.steps.forEach((st) => applyStepResult(state, ok(st, at)));

describe('planDrain', () => {
  const cases: Array<{
    name: string;
    state: () => DrainState;
    now: number;
    expect: string[];
    outcome?: DrainPlan['outcome'];
    waits?: boolean;
    reads?: string[];
    wakeAt?: number;
  }> = [
    {
      name: 'sets an ACTIVE instance DRAINING before anything else',
      state: () =>
        sawHealth(stateWith({ status: 'ACTIVE', tasks: [webTask], services: SERVICES }), TG_A, [seen(WEB_T, 'healthy')], T0 - 1_000),
      now: T0,
      expect: ['setDraining', `dereg:${TG_A}`],
      waits: true,
    },
    {
      name: 'stops batch tasks at once and leaves service tasks until their targets are deregistered',
      state: () => sawHealth(stateWith({ tasks: [batch, webTask], services: SERVICES }), TG_A, [seen(WEB_T, 'healthy')], T0 - 1_000),
      now: T0,
      expect: [`dereg:${TG_A}`, 'stop:t/batch'],
      waits: true,
    },
    {
      name: 'stops a service task without load balancer at once',
      state: () => stateWith({ tasks: [worker], services: SERVICES }),
      now: T0,
      expect: ['stop:t/worker'],
    },
    {
      name: 'deregisters an awsvpc task from every target group it is in',
      state: () => stateWith({ tasks: [apiTask], services: SERVICES }),
      now: T0,
      expect: [`dereg:${TG_B}`, `dereg:${TG_C}`],
      waits: true,
    },
    {
      name: 'waits while targets are draining and the drain wait is not over',
      state: () =>
        sawHealth(
          deregistered(stateWith({ tasks: [webTask], services: SERVICES }), TG_A, [WEB_T], T0),
          TG_A,
          [seen(WEB_T, 'draining')],
          T0 + 8_000,
        ),
      now: T0 + 10_000,
      expect: [],
      waits: true,
      reads: [],
    },
    {
      name: 'looks at the group again one poll after the last look while its targets drain',
      state: () =>
        sawHealth(
          deregistered(stateWith({ tasks: [webTask], services: SERVICES }), TG_A, [WEB_T], T0),
          TG_A,
          [seen(WEB_T, 'draining')],
          T0 + 5_000,
        ),
      now: T0 + 10_000,
      expect: [],
      waits: true,
      reads: [`groupHealth:${TG_A}`],
    },
    {
      name: 'stops a task once its targets have left the group',
      state: () =>
        sawHealth(
          deregistered(stateWith({ tasks: [webTask], services: SERVICES }), TG_A, [WEB_T], T0),
          TG_A,
          [seen(WEB_T, 'unused')],
          T0 + 8_000,
        ),
      now: T0 + 10_000,
      expect: ['stop:t/web'],
      reads: [],
    },
    {
      name: 'stops a task whose targets are still draining when the drain wait is over',
      state: () =>
        sawHealth(
          deregistered(stateWith({ tasks: [webTask], services: SERVICES }), TG_A, [WEB_T], T0),
          TG_A,
          [seen(WEB_T, 'draining')],
          T0 + 8_000,
        ),
      now: TIMES.drainWaitEndsAt,
      expect: ['stop:t/web'],
    },
    {
      name: 'treats a target whose health could not be read as registered (deregisters it, waits)',
      state: () => stateWith({ tasks: [webTask], services: SERVICES }),
      now: T0,
      expect: [`dereg:${TG_A}`],
      waits: true,
    },
    {
      name: 'does not take a deregistered target for gone until a health read after the deregistration shows it gone',
      state: () =>
        sawHealth(
          deregistered(stateWith({ tasks: [webTask], services: SERVICES }), TG_A, [WEB_T], T0),
          TG_A,
          [seen(WEB_T, 'unused')],
          T0 - 1_000,
        ),
      now: T0 + 5_000,
      expect: [],
      waits: true,
      reads: [`groupHealth:${TG_A}`],
    },
    {
      name: 'at the safety deadline deregisters what is left and stops everything, deregistration first',
      state: () => {
        const s = stateWith({ tasks: [webTask, apiTask], services: SERVICES });
        sawHealth(s, TG_A, [seen(WEB_T, 'healthy')], T0 + 100_000);
        for (const tg of [TG_B, TG_C]) sawHealth(deregistered(s, tg, [API_T], T0), tg, [seen(API_T, 'draining')], T0 + 100_000);
        return s;
      },
      now: TIMES.forceAt,
      expect: [`dereg:${TG_A}`, 'stop:t/web', 'stop:t/api'],
    },
    {
      name: 'ignores tasks ECS was already told to stop and is done when nothing else is left (counts read: 0)',
      state: () =>
        stateWith({
          tasks: [{ ...webTask, desiredStatus: 'STOPPED' }],
          services: SERVICES,
          counts: { running: 0, pending: 0, at: T0 - 1_000 },
        }),
      now: T0,
      expect: [],
      outcome: 'drained',
    },
    {
      name: 'reads the instance counts before it calls a drain done',
      state: () => stateWith({ tasks: [{ ...webTask, desiredStatus: 'STOPPED' }], services: SERVICES }),
      now: T0,
      expect: [],
      reads: ['instanceCounts'],
    },
    {
      name: 'is not done while the counts read after the last stop still show a task running: reads them again one poll later',
      state: () =>
        stateWith({
          tasks: [batch],
          services: SERVICES,
          stopped: { 't/batch': { at: T0, ours: true } },
          counts: { running: 1, pending: 0, at: T0 + 1_000 },
        }),
      now: T0 + 2_000,
      expect: [],
      reads: [],
      wakeAt: T0 + 6_000,
    },
    {
      name: 'does not trust counts read before the last stop',
      state: () =>
        stateWith({
          tasks: [batch],
          services: SERVICES,
          stopped: { 't/batch': { at: T0, ours: true } },
          counts: { running: 0, pending: 0, at: T0 - 1_000 },
        }),
      now: T0 + 2_000,
      expect: [],
      reads: ['instanceCounts'],
    },
  ];

  it.each(cases)('$name', ({ state, now, expect: expected, outcome, waits, reads, wakeAt }) => {
    const plan = planDrain(state(), TIMES, now, SETTINGS);
    expect(kinds(plan.steps)).toEqual(expected);
    expectReasons(plan);
    if (outcome) expect(plan.outcome).toBe(outcome);
    else if (wakeAt !== undefined) expect(plan.wakeAt).toBe(wakeAt);
    else expectWaits(plan, waits ?? false);
    if (reads) expect(plan.reads.map((r) => ('targetGroupArn' in r ? `${r.kind}:${r.targetGroupArn}` : r.kind))).toEqual(reads);
  });

  it('deregisters exactly the task targets that are not deregistered yet, once per group', () => {
    const plan = planDrain(stateWith({ tasks: [webTask, apiTask], services: SERVICES }), TIMES, T0, SETTINGS);
    const dereg = Object.fromEntries(plan.steps.flatMap((s) => (s.kind === 'deregisterTargets' ? [[s.targetGroupArn, s.targets]] : [])));
    expect(dereg).toEqual({ [TG_A]: [WEB_T], [TG_B]: [API_T], [TG_C]: [API_T] });
  });

  it('puts the drain id in every StopTask reason (a stop is ours only if ECS kept our reason)', () => {
    const plan = planDrain(stateWith({ tasks: [batch, worker], services: SERVICES }), TIMES, T0, SETTINGS);
    const reasons = plan.steps.flatMap((s) => (s.kind === 'stopTask' ? [s.reason] : []));
    expect(reasons).toEqual([
      'ecs-steady drain d1: standalone task stopped at once',
      'ecs-steady drain d1: service task without load balancer',
    ]);
  });

  describe('interrupted-task records', () => {
    // By design the record follows the stop: it is planned in the look after StopTask succeeded and ECS kept our reason.
    it('publishes a record for each standalone task this drain stopped, in the look after the stop, when a topic is configured', () => {
      const state = stateWith({ tasks: [batch, worker], services: SERVICES });
      const first = planDrain(state, TIMES, T0, { ...SETTINGS, notifyInterrupted: true });
      expect(kinds(first.steps)).toEqual(['stop:t/batch', 'stop:t/worker']);
      applyAll(state, first, T0);
      const second = planDrain(state, TIMES, T0 + 100, { ...SETTINGS, notifyInterrupted: true });
      expect(kinds(second.steps)).toEqual(['notifyInterrupted']);
      expect(second.steps[0]).toMatchObject({
        kind: 'notifyInterrupted',
        task: { taskArn: 't/batch', kind: 'standalone', group: 'family:report', startedBy: 'job-runner' },
        ec2InstanceId: EC2_ID,
      });
      expectReasons(second);
      applyAll(state, second, T0 + 100);
      expect(kinds(planDrain(state, TIMES, T0 + 200, { ...SETTINGS, notifyInterrupted: true }).steps)).toEqual([]);
    });

    it('publishes nothing without a topic', () => {
      const state = stateWith({ tasks: [batch], services: SERVICES, stopped: { 't/batch': { at: T0, ours: true } } });
      expect(kinds(planDrain(state, TIMES, T0 + 100, SETTINGS).steps)).toEqual([]);
    });

    it('publishes nothing for a task someone else stopped first (ECS kept their reason)', () => {
      const state = stateWith({ tasks: [batch], services: SERVICES, stopped: { 't/batch': { at: T0, ours: false } } });
      expect(kinds(planDrain(state, TIMES, T0 + 100, { ...SETTINGS, notifyInterrupted: true }).steps)).toEqual([]);
    });
  });

  it.each([false, true])('gives a reason for every step (notifyInterrupted: %s)', (notifyInterrupted) => {
    const state = stateWith({
      status: 'ACTIVE',
      tasks: [batch, webTask, worker, { ...batch, taskArn: 't/batch-2' }],
      services: SERVICES,
      stopped: { 't/batch-2': { at: T0 - 1_000, ours: true } },
    });
    const plan = planDrain(state, TIMES, T0, { ...SETTINGS, notifyInterrupted });
    expect(plan.steps.map((s) => s.kind)).toEqual([
      'setDraining',
      'deregisterTargets',
      'stopTask',
      'stopTask',
      ...(notifyInterrupted ? ['notifyInterrupted'] : []),
    ]);
    expect(plan.reasons.length).toBe(plan.steps.length);
    expect(plan.reasons.every((r) => r.length > 0)).toBe(true);
    expectReasons(plan);
  });

  describe('keep serving', () => {
    // web runs only here: its group is held until a target elsewhere is healthy, or until only its deregistration delay is left before the drain wait ends.
    const held = (o: { healthyElsewhere?: boolean; delay?: number; keepServing?: boolean; runningCount?: number } = {}) => {
      const keepServing = o.keepServing ?? true;
      const s = stateWith({
        tasks: [webTask],
        services: [ecsService('web', { runningCount: o.runningCount ?? 1, lbs: [{ tg: TG_A, container: 'web', port: 80 }] })],
        keepServing,
      });
      sawHealth(
        s,
        TG_A,
        [seen(WEB_T, 'healthy'), ...(o.healthyElsewhere ? [seen({ id: 'i-0fedcba9876543210', port: 32769 }, 'healthy')] : [])],
        T0,
      );
      if (o.delay !== undefined) withDelay(s, TG_A, o.delay);
      return { s, settings: { ...SETTINGS, keepServing } };
    };
    const releaseAt = TIMES.drainWaitEndsAt - 30_000;

    it('holds the deregistration of a group whose service runs all its tasks here while no target elsewhere is healthy', () => {
      const { s, settings } = held({ delay: 30 });
      expect(s.groups.get(TG_A)!.hold).toBe(true);
      const plan = planDrain(s, TIMES, T0 + 1_000, settings);
      expect(kinds(plan.steps)).toEqual([]);
      expect(plan.wakeAt).toBeLessThanOrEqual(releaseAt);
    });

    it('deregisters once a target elsewhere is healthy', () => {
      const { s, settings } = held({ delay: 30, healthyElsewhere: true });
      expect(kinds(planDrain(s, TIMES, T0 + 1_000, settings).steps)).toEqual([`dereg:${TG_A}`]);
    });

    it('deregisters when waiting longer would leave less than the deregistration delay before the drain wait ends', () => {
      const { s, settings } = held({ delay: 30 });
      expect(kinds(planDrain(s, TIMES, releaseAt - 1, settings).steps)).toEqual([]);
      expect(kinds(planDrain(s, TIMES, releaseAt, settings).steps)).toEqual([`dereg:${TG_A}`]);
    });

    it("reads the group's deregistration delay before it decides, and deregisters nothing meanwhile", () => {
      const { s, settings } = held();
      const plan = planDrain(s, TIMES, T0 + 1_000, settings);
      expect(kinds(plan.steps)).toEqual([]);
      expect(plan.reads).toContainEqual({ kind: 'groupDelay', targetGroupArn: TG_A });
    });

    it('does not hold a group whose service also runs elsewhere, nor any group when keep-serving is off', () => {
      expect(kinds(planDrain(held({ delay: 30, runningCount: 2 }).s, TIMES, T0 + 1_000, { ...SETTINGS, keepServing: true }).steps)).toEqual(
        [`dereg:${TG_A}`],
      );
      const off = held({ delay: 30, keepServing: false });
      expect(off.s.groups.get(TG_A)!.hold).toBe(false);
      expect(kinds(planDrain(off.s, TIMES, T0 + 1_000, off.settings).steps)).toEqual([`dereg:${TG_A}`]);
    });

    it('stops a held task at the safety deadline, deregistering it first', () => {
      const { s, settings } = held({ delay: 30 });
      expect(kinds(planDrain(s, TIMES, TIMES.forceAt, settings).steps)).toEqual([`dereg:${TG_A}`, 'stop:t/web']);
    });
  });

  describe('instance-type groups', () => {
    const STALE: Target = { id: EC2_ID, port: 40000 };
    const OTHER: Target = { id: 'i-0fedcba9876543210', port: 32768 };

    it('deregisters every target whose Id is the instance, on whatever port, but no other instance’s', () => {
      const s = sawHealth(
        stateWith({ tasks: [webTask], services: SERVICES }),
        TG_A,
        [seen(WEB_T, 'healthy'), seen(STALE, 'healthy'), seen(OTHER, 'healthy')],
        T0 - 1_000,
      );
      const plan = planDrain(s, TIMES, T0, SETTINGS);
      expect(plan.steps).toEqual([{ kind: 'deregisterTargets', targetGroupArn: TG_A, targets: [WEB_T, STALE] }]);
    });

    it('keeps the task running while a target of the instance on another port is still registered', () => {
      const s = deregistered(stateWith({ tasks: [webTask], services: SERVICES }), TG_A, [WEB_T], T0);
      sawHealth(s, TG_A, [seen(STALE, 'healthy'), seen(OTHER, 'healthy')], T0 + 5_000);
      const plan = planDrain(s, TIMES, T0 + 6_000, SETTINGS);
      expect(plan.steps).toEqual([{ kind: 'deregisterTargets', targetGroupArn: TG_A, targets: [STALE] }]);
    });

    // Expected: an unresolved task waits for its group's first health read (and the deregistration of the instance's targets it shows), as before the drain wait ends.
    // Got: at drainWaitEndsAt it is stopped in the same plan as that first read, its target never deregistered ("drain wait over, targets deregistered":
    // `task.targets.every(...)` holds vacuously for a task with no resolved target). A continuation (ASG hand-on) rebuilds its state and meets this on its first look.
    it('does not stop a task whose target could not be resolved before its group was looked at, even once the drain wait is over', () => {
      const unbound = ecsTask({ arn: 't/web', service: 'web', bindings: [{ container: 'web', containerPort: 9999, hostPort: 32768 }] });
      const plan = planDrain(stateWith({ tasks: [unbound], services: SERVICES }), TIMES, TIMES.drainWaitEndsAt, SETTINGS);
      expect(plan.reads).toEqual([{ kind: 'groupHealth', targetGroupArn: TG_A }]);
      expect(kinds(plan.steps)).toEqual([]);
    });

    it('finds the target of a task whose host port binding is missing by looking at the group', () => {
      const unbound = ecsTask({ arn: 't/web', service: 'web', bindings: [{ container: 'web', containerPort: 9999, hostPort: 32768 }] });
      const s = stateWith({ tasks: [unbound], services: SERVICES });
      expect(s.groups.get(TG_A)!.unresolved).toBe(true);
      const look = planDrain(s, TIMES, T0, SETTINGS);
      expect(kinds(look.steps)).toEqual([]);
      expect(look.reads).toEqual([{ kind: 'groupHealth', targetGroupArn: TG_A }]);
      sawHealth(s, TG_A, [seen(WEB_T, 'healthy')], T0);
      expect(planDrain(s, TIMES, T0 + 100, SETTINGS).steps).toEqual([
        { kind: 'deregisterTargets', targetGroupArn: TG_A, targets: [WEB_T] },
      ]);
    });
  });

  describe('expired notices', () => {
    // An ASG notice: it expires with the hook's first heartbeat timeout, long before the drain's deadline.
    const NOTICE = T0;
    const ASG_TIMES: DrainTimes = {
      forceAt: NOTICE + 3_585_000,
      drainWaitEndsAt: NOTICE + 390_000,
      deadline: NOTICE + 3_600_000,
      stepEndsAt: Infinity,
      expiresAt: NOTICE + 300_000,
    };
    const pending = (o: { resumed?: boolean; lifecycle?: LifecycleState } = {}) => stateWith({ lookup: 'pending', ...o });

    it('changes nothing for a notice that arrives after its deadline', () => {
      for (const times of [TIMES, ASG_TIMES]) {
        const plan = planDrain(pending(), times, times.expiresAt, SETTINGS);
        expect(plan).toMatchObject({ outcome: 'expired', steps: [], reads: [] });
        expectReasons(plan);
      }
    });

    it('looks the instance up for a notice still in time, within the tolerance, or for a continuation', () => {
      expect(planDrain(pending(), ASG_TIMES, ASG_TIMES.expiresAt - 1, SETTINGS)).toMatchObject({ reads: [{ kind: 'lookup' }], steps: [] });
      expect(planDrain(pending(), ASG_TIMES, ASG_TIMES.expiresAt + 1_000, { ...SETTINGS, expiredToleranceMs: 5_000 })).toMatchObject({
        reads: [{ kind: 'lookup' }],
        steps: [],
      });
      expect(planDrain(pending({ resumed: true }), ASG_TIMES, ASG_TIMES.expiresAt, SETTINGS)).toMatchObject({
        reads: [{ kind: 'lookup' }],
        steps: [],
      });
    });

    it('ends at the deadline, not as expired, for a Spot notice that arrives between the safety deadline and the reclaim', () => {
      expect(planDrain(pending(), TIMES, TIMES.forceAt, SETTINGS)).toMatchObject({ outcome: 'deadline-reached', steps: [], reads: [] });
    });

    // Expected: an expired ASG notice sends nothing (lifecycle.ts: "a late first message changes nothing"; the plan's why: "nothing changed").
    // Got: steps [{ kind: 'heartbeat' }] with outcome 'expired': planDrain plans the heartbeat (lastHeartbeatAt = the notice, due after a third
    // of the timeout) before it checks for expiry, and the runner carries out an outcome's steps.
    it('sends no heartbeat for an expired lifecycle notice', () => {
      const plan = planDrain(pending({ lifecycle: lifecycleAt(NOTICE) }), ASG_TIMES, ASG_TIMES.expiresAt, SETTINGS);
      expect(plan).toMatchObject({ outcome: 'expired', steps: [] });
    });
  });

  describe('lifecycle drains', () => {
    const waitingWeb = () =>
      sawHealth(
        deregistered(stateWith({ tasks: [webTask], services: SERVICES, lifecycle: lifecycleAt(T0 - 100_000) }), TG_A, [WEB_T], T0),
        TG_A,
        [seen(WEB_T, 'draining')],
        T0 + 1_000,
      );

    it('records a heartbeat once a third of the heartbeat timeout has passed, not before', () => {
      const beatAt = T0 - 100_000 + 300_000 / 3;
      const before = planDrain(waitingWeb(), TIMES, beatAt - 1, SETTINGS);
      expect(kinds(before.steps)).toEqual([]);
      expect(before.wakeAt).toBeLessThanOrEqual(beatAt);
      const at = planDrain(waitingWeb(), TIMES, beatAt, SETTINGS);
      expect(at.steps).toEqual([{ kind: 'heartbeat', ref: REF }]);
      expectReasons(at);
    });

    it('completes the action with CONTINUE once the instance is drained, whatever the configured result', () => {
      const s = stateWith({
        tasks: [batch],
        services: SERVICES,
        stopped: { 't/batch': { at: T0, ours: false } },
        counts: { running: 0, pending: 0, at: T0 + 1_000 },
        lifecycle: lifecycleAt(T0, 'ABANDON'),
      });
      const plan = planDrain(s, TIMES, T0 + 2_000, SETTINGS);
      expect(plan.outcome).toBe('drained');
      expect(kinds(plan.steps)).toEqual(['complete:CONTINUE']);
      expectReasons(plan);
    });

    it.each(['ABANDON', 'CONTINUE'] as const)(
      'completes the action with the configured result (%s) when the deadline cuts the drain',
      (result) => {
        const s = stateWith({
          tasks: [batch],
          services: SERVICES,
          stopped: { 't/batch': { at: TIMES.forceAt, ours: true } },
          counts: { running: 1, pending: 0, at: TIMES.forceAt + 1_000 },
          lifecycle: lifecycleAt(TIMES.forceAt, result),
        });
        s.published.add('t/batch');
        // Past the force time the counts are still watched: the action is not completed while a task stops.
        const watching = planDrain(s, TIMES, TIMES.forceAt + 3_000, SETTINGS);
        expect(watching.outcome).toBeUndefined();
        expect(watching.reads).toEqual([{ kind: 'instanceCounts' }]);
        const plan = planDrain(s, TIMES, TIMES.deadline, SETTINGS);
        expect(plan.outcome).toBe('deadline-reached');
        expect(kinds(plan.steps)).toEqual([`complete:${result}`]);
      },
    );

    it('neither beats nor completes an action that is already over', () => {
      const s = stateWith({
        tasks: [batch],
        services: SERVICES,
        stopped: { 't/batch': { at: T0, ours: false } },
        counts: { running: 0, pending: 0, at: T0 + 1_000 },
        lifecycle: { ...lifecycleAt(T0 - 300_000), completed: 'already-complete' },
      });
      const plan = planDrain(s, TIMES, T0 + 2_000, SETTINGS);
      expect(plan).toMatchObject({ outcome: 'drained', steps: [] });
    });

    it("hands the drain on when this invocation's time is up, keeping the action alive", () => {
      const times = { ...TIMES, stepEndsAt: T0 + 3_000 };
      const before = planDrain(waitingWeb(), times, T0 + 2_999, SETTINGS);
      expect(before.outcome).toBeUndefined();
      expect(before.wakeAt).toBeLessThanOrEqual(times.stepEndsAt);
      const plan = planDrain(waitingWeb(), times, T0 + 3_000, SETTINGS);
      expect(plan.outcome).toBe('handed-on');
      expect(plan.steps).toEqual([
        { kind: 'heartbeat', ref: REF },
        { kind: 'handOn', delaySeconds: 5 }, // one poll
      ]);
      expectReasons(plan);
    });

    it('hands on once per invocation: a plan re-made after a failed step in the same batch sends no second continuation', () => {
      const s = stateWith({ tasks: [batch], services: SERVICES, lifecycle: lifecycleAt(T0) });
      s.handedOn = true;
      const plan = planDrain(s, { ...TIMES, stepEndsAt: T0 }, T0 + 1_000, SETTINGS);
      expect(plan).toMatchObject({ outcome: 'handed-on', steps: [] });
    });

    it('ends the drain once the lifecycle action has timed out, without heartbeats or completion', () => {
      const s = stateWith({ tasks: [batch], services: SERVICES, lifecycle: lifecycleAt(T0 - 400_000) });
      const plan = planDrain(s, TIMES, T0, SETTINGS);
      expect(plan).toMatchObject({ outcome: 'deadline-reached', steps: [] });
    });

    it("hands on whatever is still undone when the invocation's time is up, but not at the safety deadline", () => {
      const s = stateWith({ tasks: [batch], services: SERVICES, lifecycle: lifecycleAt(T0) });
      const plan = planDrain(s, { ...TIMES, stepEndsAt: T0 }, T0 + 1_000, SETTINGS);
      expect(plan.outcome).toBe('handed-on');
      expect(kinds(plan.steps)).toEqual(['handOn']); // the heartbeat is not due yet: the next step sends it
      const forced = planDrain(s, { ...TIMES, stepEndsAt: T0 }, TIMES.forceAt, SETTINGS);
      expect(forced.outcome).toBeUndefined();
      expect(kinds(forced.steps)).toEqual(['heartbeat', 'stop:t/batch']); // a third of the heartbeat timeout has passed too
    });
  });

  describe('dry run', () => {
    const dry = { ...SETTINGS, dryRun: true };
    const cases: Array<[string, () => DrainState, string]> = [
      ['the instance is not looked up yet', () => stateWith({ lookup: 'pending', lifecycle: lifecycleAt(T0 - 300_000) }), 'lookup'],
      [
        'its tasks are not listed yet',
        () => stateWith({ status: 'ACTIVE', tasks: [batch, webTask], services: SERVICES, listed: 'unread' }),
        'listTasks',
      ],
      [
        'its tasks are not described yet',
        () => stateWith({ status: 'ACTIVE', tasks: [batch, webTask], services: SERVICES, described: false }),
        'describeTasks',
      ],
      [
        'the services of its tasks are not described yet',
        () => stateWith({ status: 'ACTIVE', tasks: [batch, webTask] }),
        'describeServices',
      ],
    ];
    it.each(cases)('only reads while %s', (_name, state, read) => {
      const plan = planDrain(state(), TIMES, T0, dry);
      expect(plan.outcome).toBeUndefined();
      expect(plan.steps).toEqual([]);
      expect(plan.reasons).toEqual([]);
      expect(plan.reads.map((r) => r.kind)).toContain(read);
    });

    it('ends as dry-run with the whole first plan once everything is read, sending no lifecycle call', () => {
      const s = stateWith({ status: 'ACTIVE', tasks: [batch, webTask], services: SERVICES, lifecycle: lifecycleAt(T0 - 300_000) });
      const plan = planDrain(s, TIMES, T0, dry);
      expect(plan.outcome).toBe('dry-run');
      expect(plan.reads).toEqual([]);
      expect(kinds(plan.steps)).toEqual(['setDraining', `dereg:${TG_A}`, 'stop:t/batch']);
      expectReasons(plan);
    });
  });
});

const REF = { autoScalingGroupName: 'asg', lifecycleHookName: 'ecs-steady-drain', lifecycleActionToken: 'tok', instanceId: EC2_ID };
function lifecycleAt(lastHeartbeatAt: number, result: LifecycleState['result'] = 'CONTINUE'): LifecycleState {
  return { ref: REF, heartbeatTimeoutMs: 300_000, globalEndsAt: T0 + 30_000_000, lastHeartbeatAt, result };
}

// ---- properties over random instances ----

const REGISTERED: ReadonlySet<string> = new Set(['initial', 'healthy', 'unhealthy', 'unavailable']);
/** What the world's ELBv2 keeps a deregistered target draining for (the groups' deregistration delay). */
const DELAY_S = 20;

const arbTarget = fc.record({
  /** Did the drain's DeregisterTargets for it succeed already? */
  deregistered: fc.boolean(),
  /** What the group's last health read (if any) said of it. */
  seen: fc.constantFrom<TargetState | 'absent'>('initial', 'healthy', 'unhealthy', 'draining', 'unused', 'absent'),
});
const arbTask = fc.record({
  kind: fc.constantFrom('web', 'api', 'worker', 'standalone'),
  desired: fc.constantFrom('RUNNING', 'RUNNING', 'STOPPED'),
  /** A bridge task whose host-port binding ECS did not answer: its target is found through the group. */
  unbound: fc.constantFrom(false, false, false, true),
  targets: fc.tuple(arbTarget, arbTarget),
  stopped: fc.constantFrom('no', 'no', 'ours', 'theirs'),
});
const arbGroup = fc.record({ read: fc.constantFrom('none', 'before', 'after'), othersHealthy: fc.integer({ min: 0, max: 1 }) });
const arbWorld = fc.record({
  tasks: fc.array(arbTask, { maxLength: 10 }),
  status: fc.constantFrom('ACTIVE', 'DRAINING'),
  now: fc.integer({ min: T0 - 5_000, max: TIMES.forceAt + 5_000 }),
  groups: fc.record({ a: arbGroup, b: arbGroup, c: arbGroup }),
  /** TG_A has a target with the instance's Id on a port no task claims (a stale binding). */
  staleTarget: fc.boolean(),
  /** Service tasks on other instances (0: keep-serving holds the service's groups). */
  elsewhere: fc.integer({ min: 0, max: 1 }),
  keepServing: fc.boolean(),
  notifyInterrupted: fc.boolean(),
  counts: fc.record({
    running: fc.integer({ min: 0, max: 2 }),
    pending: fc.integer({ min: 0, max: 1 }),
    read: fc.constantFrom('none', 'before-stops', 'after-stops'),
  }),
  lifecycle: fc.boolean(),
});
type World = typeof arbWorld extends fc.Arbitrary<infer T> ? T : never;
/** Instances near the end of a drain: most tasks already asked to stop (by us or someone else). */
const arbEndgame = arbWorld.chain((w) =>
  fc
    .record({
      stopped: fc.array(fc.constantFrom('ours', 'ours', 'ours', 'theirs', 'theirs', 'no'), {
        minLength: w.tasks.length,
        maxLength: w.tasks.length,
      }),
      counts: fc.record({
        running: fc.constantFrom(0, 0, 0, 1),
        pending: fc.constantFrom(0, 0, 1),
        read: fc.constantFrom('none', 'before-stops', 'after-stops', 'after-stops'),
      }),
      status: fc.constantFrom('ACTIVE', 'DRAINING', 'DRAINING', 'DRAINING'),
    })
    .map((e) => ({
      ...w,
      status: e.status,
      counts: e.counts,
      now: Math.min(w.now, TIMES.forceAt - 1),
      tasks: w.tasks.slice(0, 3).map((t, i) => ({ ...t, stopped: e.stopped[i]! })),
    })),
);

const STOPPED_AT = T0 - 10_000;
const DEREGISTERED_AT = T0 - 30_000;
const READ_AT = { before: T0 - 40_000, after: T0 - 20_000 } as const;
const GROUP = { a: TG_A, b: TG_B, c: TG_C } as const;

/** ECS truth for a random instance: tasks (as DescribeTasks answers them) and their targets. */
function tasksOf(w: World) {
  return w.tasks.map((t, i) => {
    const arn = `t/${i}`;
    const desired = t.desired;
    // An unbound bridge task: ECS answers a binding for another container port, so its target in TG_A is not resolved.
    const task: Task =
      t.kind === 'web'
        ? ecsTask({
            arn,
            service: 'web',
            desired,
            bindings: [{ container: 'web', containerPort: t.unbound ? 9999 : 80, hostPort: 32768 + i }],
          })
        : t.kind === 'api'
          ? ecsTask({ arn, service: 'api', desired, ip: `10.0.1.${i}` })
          : t.kind === 'worker'
            ? ecsTask({ arn, service: 'worker', desired })
            : ecsTask({ arn, group: 'family:report', desired });
    const targets: Array<{ tg: string; target: Target; spec: (typeof t.targets)[0] }> =
      t.kind === 'web'
        ? [{ tg: TG_A, target: { id: EC2_ID, port: 32768 + i }, spec: t.targets[0] }]
        : t.kind === 'api'
          ? [
              { tg: TG_B, target: { id: `10.0.1.${i}`, port: 8080 }, spec: t.targets[0] },
              { tg: TG_C, target: { id: `10.0.1.${i}`, port: 8080 }, spec: t.targets[1] },
            ]
          : [];
    return { arn, spec: t, task, targets };
  });
}

function build(w: World): DrainState {
  const tasks = tasksOf(w);
  const wanted = (kind: string) => tasks.filter((t) => t.spec.kind === kind && t.task.desiredStatus === 'RUNNING').length + w.elsewhere;
  const state = stateWith({
    status: w.status,
    tasks: tasks.map((t) => t.task),
    services: [
      ecsService('web', { runningCount: wanted('web'), lbs: [{ tg: TG_A, container: 'web', port: 80 }] }),
      ecsService('api', {
        runningCount: wanted('api'),
        lbs: [
          { tg: TG_B, container: 'api', port: 8080 },
          { tg: TG_C, container: 'api', port: 8080 },
        ],
      }),
      ecsService('worker', { runningCount: wanted('worker') }),
    ],
    keepServing: w.keepServing,
    stopped: Object.fromEntries(
      tasks.filter((t) => t.spec.stopped !== 'no').map((t) => [t.arn, { at: STOPPED_AT, ours: t.spec.stopped === 'ours' }]),
    ),
    ...(w.counts.read !== 'none'
      ? {
          counts: {
            running: w.counts.running,
            pending: w.counts.pending,
            at: w.counts.read === 'after-stops' ? STOPPED_AT + 1 : STOPPED_AT - 1,
          },
        }
      : {}),
    ...(w.lifecycle ? { lifecycle: lifecycleAt(T0 - 100_000, 'ABANDON') } : {}),
  });
  for (const [name, tg] of Object.entries(GROUP) as Array<[keyof typeof GROUP, string]>) {
    const g = state.groups.get(tg);
    if (!g) continue;
    const inGroup = tasks.flatMap((t) =>
      t.task.desiredStatus === 'RUNNING' && !(t.spec.kind === 'web' && t.spec.unbound) ? t.targets.filter((x) => x.tg === tg) : [],
    );
    const done = inGroup.filter((x) => x.spec.deregistered).map((x) => x.target);
    if (done.length) deregistered(state, tg, done, DEREGISTERED_AT);
    const read = w.groups[name];
    if (read.read !== 'none') {
      const health: TargetHealth[] = [
        ...inGroup.flatMap((x) => (x.spec.seen === 'absent' ? [] : [{ ...x.target, state: x.spec.seen }])),
        ...(tg === TG_A && w.staleTarget ? [{ id: EC2_ID, port: 40000, state: 'healthy' as const }] : []),
        ...Array.from({ length: read.othersHealthy }, (_, k) => ({
          id: tg === TG_A ? 'i-0fedcba9876543210' : `10.0.9.${k}`,
          port: tg === TG_A ? 33000 + k : 8080,
          state: 'healthy' as const,
        })),
      ];
      sawHealth(state, tg, health, READ_AT[read.read]);
    }
    // A held group's deregistration delay is read at the first look.
    if (g.hold) withDelay(state, tg, DELAY_S);
  }
  return state;
}

const settingsOf = (w: Pick<World, 'keepServing' | 'notifyInterrupted'>): PlanSettings => ({
  ...SETTINGS,
  keepServing: w.keepServing,
  notifyInterrupted: w.notifyInterrupted,
});

/**
 * Safety, for every service task a plan stops:
 * - its own targets were deregistered already; only when forced may one still be registered,
 *   and then its deregistration is in the same plan, before the stop;
 * - in an instance-type group, every target of the instance the group last showed registered
 *   is deregistered already or in the same plan, before the stop; and a task whose target
 *   there could not be resolved from ECS waits (unless forced) until the group was looked at;
 * - before the drain wait is over (and unless forced), a health read after the deregistration
 *   shows none of its targets (nor, in an instance group, the instance) registered or draining.
 */
function checkSafety(state: DrainState, plan: DrainPlan, now: number) {
  const force = now >= TIMES.forceAt;
  const waitOver = now >= TIMES.drainWaitEndsAt;
  const deregisteredBefore = (tg: string, target: Target, i: number) => {
    const d = plan.steps.findIndex(
      (x) => x.kind === 'deregisterTargets' && x.targetGroupArn === tg && x.targets.some((y) => targetKey(y) === targetKey(target)),
    );
    return d >= 0 && d < i;
  };
  const violations: string[] = [];
  plan.steps.forEach((st, i) => {
    if (st.kind !== 'stopTask' || st.task.kind !== 'service') return;
    const groups = new Set([...st.task.targets.map((t) => t.targetGroupArn), ...(st.task.unresolved ?? []).map((u) => u.split(': ')[0]!)]);
    for (const tg of groups) {
      const g = state.groups.get(tg)!;
      const said = (key: string) => (g.health ? g.health.states.get(key) : undefined);
      for (const t of st.task.targets.filter((x) => x.targetGroupArn === tg)) {
        const key = targetKey(t);
        if (!g.deregistered.has(key) && !(force && deregisteredBefore(tg, t, i)))
          violations.push(`${st.taskArn}: stopped while ${key} in ${tg} was not deregistered`);
      }
      if (g.targetType === 'instance') {
        if (!g.health && !force && st.task.unresolved?.some((u) => u.startsWith(tg)))
          violations.push(`${st.taskArn}: stopped before ${tg} was looked at for its unresolved target`);
        for (const [key, t] of g.ours)
          if (REGISTERED.has(said(key) ?? '') && !g.deregistered.has(key) && !deregisteredBefore(tg, t, i))
            violations.push(`${st.taskArn}: stopped while ${key} in ${tg} was registered`);
      }
      if (force || waitOver) continue;
      const readAfter = g.health !== undefined && g.lastDeregisterAt !== undefined && g.health.at >= g.lastDeregisterAt;
      if (!readAfter) {
        violations.push(`${st.taskArn}: stopped before the drain wait was over with no health read of ${tg} after the deregistration`);
        continue;
      }
      for (const [key, state_] of g.health!.states) {
        const ofTask =
          st.task.targets.some((t) => t.targetGroupArn === tg && targetKey(t) === key) ||
          (g.targetType === 'instance' && key.startsWith(`${EC2_ID}:`));
        if (ofTask && state_ !== 'unused')
          violations.push(`${st.taskArn}: stopped before the drain wait was over while ${key} in ${tg} was ${state_}`);
      }
    }
  });
  expect(violations).toEqual([]);
}

/** `drained` only when no task is left that ECS wants running and the counts read after the last stop are 0. */
function checkDrained(state: DrainState, plan: DrainPlan) {
  if (plan.outcome !== 'drained') return;
  const live = [...state.tasks.values()]
    .filter((t) => t.desiredStatus === 'RUNNING' && !state.stopped.has(t.taskArn!))
    .map((t) => t.taskArn);
  const undescribed = (state.listedArns ?? []).filter((a) => !state.tasks.has(a) && !state.stopped.has(a));
  expect({ live, undescribed }).toEqual({ live: [], undescribed: [] });
  const lastStop = Math.max(0, ...[...state.stopped.values()].map((s) => s.at));
  expect(state.lastCountsAt).toBeGreaterThanOrEqual(lastStop);
  expect(state.instance!.runningTasksCount + state.instance!.pendingTasksCount).toBe(0);
}

describe('planDrain properties', () => {
  it('never stops a service task whose targets are still registered, unless forced (and then deregisters them first)', () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const state = build(w);
        const plan = planDrain(state, TIMES, w.now, settingsOf(w));
        checkSafety(state, plan, w.now);
        expectReasons(plan);
      }),
      { numRuns: 500 },
    );
  });

  it('is drained only when no task is left that ECS wants running and the instance counts read after the last stop are 0', () => {
    fc.assert(
      fc.property(fc.oneof(arbWorld, arbEndgame), (w) => {
        const state = build(w);
        checkDrained(state, planDrain(state, TIMES, w.now, settingsOf(w)));
      }),
      { numRuns: 500 },
    );
  });

  it('re-planning after the plan was applied repeats no step, and the drain ends drained', async () => {
    await fc.assert(fc.asyncProperty(arbWorld, drainToEnd), { numRuns: 300 });
  });
});

/**
 * Run a random instance's drain against an ideal AWS: plan, apply the steps (all succeed),
 * answer the reads, sleep until the plan's wake time when it has nothing to do. Every plan
 * must be safe, a step once applied is never planned again, and the drain ends drained.
 */
async function drainToEnd(w: World): Promise<void> {
  const state = build(w);
  const world = new IdealAws(w, state);
  const settings = settingsOf(w);
  const done = new Set<string>();
  let now = w.now;
  for (let round = 0; round < 500; round++) {
    const plan = planDrain(state, TIMES, now, settings);
    checkSafety(state, plan, now);
    checkDrained(state, plan);
    expectReasons(plan);
    for (const key of plan.steps.flatMap(stepKeys)) {
      if (done.has(key)) throw new Error(`step repeated after it was applied: ${key} (look ${round}, T0+${now - T0} ms)`);
      done.add(key);
    }
    world.apply(plan.steps, now);
    for (const st of plan.steps) applyStepResult(state, ok(st, now));
    world.at(now);
    for (const read of plan.reads)
      await readInto(state, read, world.ports, { clusters: ['web'], keepServing: w.keepServing, warn: () => undefined }, now, {});
    if (plan.outcome) {
      expect(plan.outcome).toBe('drained');
      return;
    }
    if (plan.steps.length || plan.reads.length) now += 100;
    else {
      expect(plan.wakeAt).toBeGreaterThan(now);
      now = plan.wakeAt!;
    }
  }
  throw new Error('the drain did not end in 500 looks');
}

/** Keys of the steps that must happen once: each target deregistered once, each task stopped and published once. */
function stepKeys(st: DrainStep): string[] {
  switch (st.kind) {
    case 'deregisterTargets':
      return st.targets.map((t) => `dereg:${st.targetGroupArn}:${targetKey(t)}`);
    case 'stopTask':
      return [`stop:${st.taskArn}`];
    case 'notifyInterrupted':
      return [`notify:${st.task.taskArn}`];
    case 'heartbeat':
      return []; // kept up while the drain goes on
    default:
      return [st.kind];
  }
}

/**
 * An ideal AWS behind a random instance: calls succeed, a deregistered target drains for the
 * group's delay and leaves, a stopped task is gone at once (ECS deregisters its targets).
 */
class IdealAws {
  private status: string;
  private readonly desired = new Map<string, string>();
  private readonly tasks = new Map<string, Task>();
  /** Target group → target key → when it was deregistered (undefined: registered). */
  private readonly targets = new Map<string, Map<string, { target: Target; deregAt?: number }>>();
  private readonly ownerOf = new Map<string, Array<{ tg: string; key: string }>>();
  /** The world's clock: reads and steps see it as the test sets it. */
  private now: number;
  readonly ports: DrainPorts;

  constructor(w: World, state: DrainState) {
    this.status = w.status;
    this.now = w.now;
    for (const tg of Object.values(GROUP)) this.targets.set(tg, new Map());
    for (const t of tasksOf(w)) {
      const stopped = state.stopped.has(t.arn) || t.task.desiredStatus !== 'RUNNING';
      this.desired.set(t.arn, stopped ? 'STOPPED' : 'RUNNING');
      this.tasks.set(t.arn, t.task);
      if (stopped) continue;
      for (const x of t.targets) {
        const key = targetKey(x.target);
        this.targets.get(x.tg)!.set(key, {
          target: x.target,
          ...(x.spec.deregistered && !(t.spec.kind === 'web' && t.spec.unbound) ? { deregAt: DEREGISTERED_AT } : {}),
        });
        this.ownerOf.set(t.arn, [...(this.ownerOf.get(t.arn) ?? []), { tg: x.tg, key }]);
      }
    }
    if (w.staleTarget) this.targets.get(TG_A)!.set(`${EC2_ID}:40000`, { target: { id: EC2_ID, port: 40000 } });
    for (const [name, tg] of Object.entries(GROUP) as Array<[keyof typeof GROUP, string]>)
      for (let k = 0; k < w.groups[name].othersHealthy; k++) {
        const target = { id: tg === TG_A ? 'i-0fedcba9876543210' : `10.0.9.${k}`, port: tg === TG_A ? 33000 + k : 8080 };
        this.targets.get(tg)!.set(targetKey(target), { target });
      }
    const unused = () => Promise.reject(new Error('steps are applied by the test, not through the ports'));
    const running = () => [...this.desired].filter(([, d]) => d === 'RUNNING').map(([arn]) => arn);
    this.ports = {
      containerInstances: {
        listClusters: async () => ['web'],
        listArns: async () => [state.instance!.containerInstanceArn],
        describe: async () => ({
          instances: [{ ...state.instance!, status: this.status, runningTasksCount: running().length, pendingTasksCount: 0 }],
          failures: [],
        }),
        setDraining: unused,
      },
      tasks: {
        listRunningOn: async () => running(),
        describe: async (_c, arns) => ({
          tasks: arns.map((a) => ({ ...this.tasks.get(a)!, desiredStatus: this.desired.get(a)! })),
          failures: [],
        }),
        stop: unused,
      },
      services: { describe: async () => ({ services: [], failures: [] }) },
      targets: {
        deregister: unused,
        groupHealth: async (tg) => this.health(tg),
        deregistrationDelaySeconds: async () => DELAY_S,
      },
      publish: unused,
    };
  }

  private health(tg: string): TargetHealth[] {
    const out: TargetHealth[] = [];
    for (const [key, t] of this.targets.get(tg)!) {
      if (t.deregAt === undefined) out.push({ ...t.target, state: 'healthy' });
      else if (this.now < t.deregAt + DELAY_S * 1000) out.push({ ...t.target, state: 'draining' });
      else this.targets.get(tg)!.delete(key);
    }
    return out;
  }

  apply(steps: readonly DrainStep[], now: number) {
    this.now = now;
    for (const st of steps) {
      if (st.kind === 'setDraining') this.status = 'DRAINING';
      if (st.kind === 'deregisterTargets')
        for (const t of st.targets) {
          const rec = this.targets.get(st.targetGroupArn)!.get(targetKey(t));
          if (rec && rec.deregAt === undefined) rec.deregAt = now;
        }
      if (st.kind === 'stopTask') {
        this.desired.set(st.taskArn, 'STOPPED');
        for (const { tg, key } of this.ownerOf.get(st.taskArn) ?? []) {
          const rec = this.targets.get(tg)!.get(key);
          if (rec && rec.deregAt === undefined) rec.deregAt = now;
        }
      }
    }
  }

  /** Reads see the world at the moment they are made. */
  at(now: number): void {
    this.now = now;
  }
}
