import { planDrain } from '../../../shared/drain/plan';
import { deregistered, kinds, sawHealth, stateWith } from '../../support/drain-state';
import {
  batch,
  expectReasons,
  lifecycleAt,
  REF,
  SERVICES,
  SETTINGS,
  seen,
  T0,
  TG_A,
  TIMES,
  WEB_T,
  webTask,
} from '../../support/plan-fixtures';

describe('planDrain', () => {
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
});
