import { planDrain } from '../../../shared/drain/plan';
import type { DrainPlan, DrainState } from '../../../shared/drain/types';
import { deregistered, EC2_ID, kinds, sawHealth, stateWith } from '../../support/drain-state';
import {
  API_T,
  apiTask,
  applyAll,
  batch,
  expectReasons,
  expectWaits,
  SERVICES,
  SETTINGS,
  seen,
  T0,
  TG_A,
  TG_B,
  TG_C,
  TIMES,
  WEB_T,
  webTask,
  worker,
} from '../../support/plan-fixtures';

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
      reads: [`groupDelay:${TG_A}`], // its delay is read after the deregistration, not with it
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
      reads: [`groupDelay:${TG_A}`, `groupHealth:${TG_A}`],
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
      reads: [`groupDelay:${TG_A}`], // its delay is read after the deregistration, not with it
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
      name: 'deregisters without reading the group’s delay in the same look (in a wave both wait for one ELB bucket; the delay can wait)',
      state: () => stateWith({ tasks: [webTask], services: SERVICES }),
      now: T0,
      expect: [`dereg:${TG_A}`],
      waits: true,
      reads: [],
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
      reads: [`groupDelay:${TG_A}`, `groupHealth:${TG_A}`],
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
});
