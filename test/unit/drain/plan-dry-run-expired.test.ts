import { planDrain } from '../../../shared/drain/plan';
import type { DrainState, DrainTimes, LifecycleState } from '../../../shared/drain/types';
import { kinds, stateWith } from '../../support/drain-state';
import { batch, expectReasons, lifecycleAt, SERVICES, SETTINGS, T0, TG_A, TIMES, webTask } from '../../support/plan-fixtures';

describe('planDrain', () => {
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
