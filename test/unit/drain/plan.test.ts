import fc from 'fast-check';
import { targetKey, type TargetState } from '../../../shared/aws/elbv2-targets';
import { planDrain } from '../../../shared/drain/plan';
import type { DrainSnapshot, DrainStep, DrainTask, DrainTimes } from '../../../shared/drain/types';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const TIMES: DrainTimes = { drainWaitEndsAt: T0 + 90_000, forceAt: T0 + 105_000 };
const TG_A = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/a/1';
const TG_B = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/b/2';

function task(over: Partial<DrainTask> & { taskArn: string }): DrainTask {
  return { kind: 'service', serviceName: 'web', lastStatus: 'RUNNING', desiredStatus: 'RUNNING', targets: [], ...over };
}
function snapshot(tasks: DrainTask[], states: Record<string, Record<string, TargetState>> = {}, status = 'DRAINING'): DrainSnapshot {
  return {
    cluster: 'web',
    containerInstanceArn: 'arn:ci/1',
    ec2InstanceId: 'i-0123456789abcdef0',
    status,
    tasks,
    targetStates: new Map(Object.entries(states).map(([tg, m]) => [tg, new Map(Object.entries(m))])),
  };
}
const kinds = (steps: DrainStep[]) => steps.map((s) => (s.kind === 'stopTask' ? `stop:${s.taskArn}` : s.kind === 'deregisterTargets' ? `dereg:${s.targetGroupArn}` : s.kind));

const webTask = task({ taskArn: 't/web', targets: [{ targetGroupArn: TG_A, id: 'i-0123456789abcdef0', port: 32768 }] });
const apiTask = task({
  taskArn: 't/api',
  serviceName: 'api',
  targets: [
    { targetGroupArn: TG_A, id: '10.0.1.5', port: 8080 },
    { targetGroupArn: TG_B, id: '10.0.1.5', port: 8080 },
  ],
});
const batch = task({ taskArn: 't/batch', kind: 'standalone', serviceName: undefined, group: 'family:report' });
const worker = task({ taskArn: 't/worker', serviceName: 'worker' });

describe('planDrain', () => {
  const cases: Array<{ name: string; snap: DrainSnapshot; now: number; expect: string[]; done?: boolean; waits?: boolean }> = [
    {
      name: 'sets an ACTIVE instance DRAINING before anything else',
      snap: snapshot([webTask], { [TG_A]: { 'i-0123456789abcdef0:32768': 'healthy' } }, 'ACTIVE'),
      now: T0,
      expect: ['setDraining', `dereg:${TG_A}`],
      waits: true,
    },
    {
      name: 'stops batch tasks at once and leaves service tasks until their targets are deregistered',
      snap: snapshot([batch, webTask], { [TG_A]: { 'i-0123456789abcdef0:32768': 'healthy' } }),
      now: T0,
      expect: [`dereg:${TG_A}`, 'stop:t/batch'],
      waits: true,
    },
    {
      name: 'stops a service task without load balancer at once',
      snap: snapshot([worker]),
      now: T0,
      expect: ['stop:t/worker'],
    },
    {
      name: 'deregisters an awsvpc task from every target group it is in',
      snap: snapshot([apiTask], { [TG_A]: { '10.0.1.5:8080': 'healthy' }, [TG_B]: { '10.0.1.5:8080': 'healthy' } }),
      now: T0,
      expect: [`dereg:${TG_A}`, `dereg:${TG_B}`],
      waits: true,
    },
    {
      name: 'waits while targets are draining and the drain wait is not over',
      snap: snapshot([webTask], { [TG_A]: { 'i-0123456789abcdef0:32768': 'draining' } }),
      now: T0 + 10_000,
      expect: [],
      waits: true,
    },
    {
      name: 'stops a task once its targets have left the group',
      snap: snapshot([webTask], { [TG_A]: { 'i-0123456789abcdef0:32768': 'unused' } }),
      now: T0 + 10_000,
      expect: ['stop:t/web'],
    },
    {
      name: 'stops a task whose targets are still draining when the drain wait is over',
      snap: snapshot([webTask], { [TG_A]: { 'i-0123456789abcdef0:32768': 'draining' } }),
      now: TIMES.drainWaitEndsAt,
      expect: ['stop:t/web'],
    },
    {
      name: 'treats a target whose health could not be read as registered (deregister again, wait)',
      snap: snapshot([webTask]),
      now: T0,
      expect: [`dereg:${TG_A}`],
      waits: true,
    },
    {
      name: 'at the safety deadline deregisters what is left and stops everything, deregistration first',
      snap: snapshot([webTask, apiTask], { [TG_A]: { 'i-0123456789abcdef0:32768': 'healthy', '10.0.1.5:8080': 'draining' }, [TG_B]: { '10.0.1.5:8080': 'draining' } }),
      now: TIMES.forceAt,
      expect: [`dereg:${TG_A}`, 'stop:t/web', 'stop:t/api'],
    },
    {
      name: 'ignores tasks ECS was already told to stop and is done when nothing else is left',
      snap: snapshot([task({ ...webTask, desiredStatus: 'STOPPED' })]),
      now: T0,
      expect: [],
      done: true,
    },
  ];

  it.each(cases)('$name', ({ snap, now, expect: expected, done, waits }) => {
    const plan = planDrain(snap, TIMES, now, { notifyInterrupted: false });
    expect(kinds(plan.steps)).toEqual(expected);
    expect(plan.done).toBe(done ?? false);
    expect(plan.waitUntil !== undefined).toBe(waits ?? false);
    if (waits) expect(plan.waitUntil).toBeLessThanOrEqual(TIMES.forceAt);
  });

  it('publishes an interrupted-task record for each stopped standalone task when a topic is configured', () => {
    const plan = planDrain(snapshot([batch, worker]), TIMES, T0, { notifyInterrupted: true });
    expect(kinds(plan.steps)).toEqual(['stop:t/batch', 'stop:t/worker', 'notifyInterrupted']);
  });

  it('gives a reason for every step', () => {
    const plan = planDrain(snapshot([batch, webTask], {}, 'ACTIVE'), TIMES, T0, { notifyInterrupted: false });
    expect(plan.reasons.length).toBeGreaterThanOrEqual(plan.steps.length);
  });
});

// ---- properties over random instances ----

const STATES: TargetState[] = ['initial', 'healthy', 'unhealthy', 'draining', 'unused'];
const arbTask = fc.record({
  kind: fc.constantFrom<'service' | 'standalone'>('service', 'standalone'),
  desired: fc.constantFrom('RUNNING', 'RUNNING', 'STOPPED'),
  targets: fc.array(fc.record({ tg: fc.constantFrom(TG_A, TG_B), port: fc.integer({ min: 32768, max: 32800 }), state: fc.constantFrom(...STATES) }), { maxLength: 3 }),
});
const arbWorld = fc.record({
  tasks: fc.array(arbTask, { maxLength: 12 }),
  status: fc.constantFrom('ACTIVE', 'DRAINING'),
  now: fc.integer({ min: T0 - 5_000, max: TIMES.forceAt + 5_000 }),
});

type World = typeof arbWorld extends fc.Arbitrary<infer T> ? T : never;

function build(w: World): DrainSnapshot {
  const states: Record<string, Record<string, TargetState>> = {};
  const tasks = w.tasks.map((t, i) => {
    const targets = t.kind === 'service' ? t.targets.map((x) => ({ targetGroupArn: x.tg, id: `10.0.0.${i}`, port: x.port })) : [];
    if (t.kind === 'service') t.targets.forEach((x, j) => ((states[x.tg] ??= {})[targetKey(targets[j]!)] = x.state));
    return task({ taskArn: `t/${i}`, kind: t.kind, desiredStatus: t.desired, targets });
  });
  return snapshot(tasks, states, w.status);
}

/** What AWS looks like after the plan's steps succeeded and targets finished draining. */
function applyIdeal(s: DrainSnapshot, steps: DrainStep[]): DrainSnapshot {
  const stopped = new Set(steps.flatMap((st) => (st.kind === 'stopTask' ? [st.taskArn] : [])));
  const targetStates = new Map([...s.targetStates].map(([tg, m]) => [tg, new Map(m)]));
  for (const st of steps) if (st.kind === 'deregisterTargets') for (const t of st.targets) targetStates.get(st.targetGroupArn)?.set(targetKey(t), 'unused');
  return {
    ...s,
    status: steps.some((st) => st.kind === 'setDraining') ? 'DRAINING' : s.status,
    tasks: s.tasks.map((t) => (stopped.has(t.taskArn) ? { ...t, desiredStatus: 'STOPPED' } : t)),
    targetStates,
  };
}

describe('planDrain properties', () => {
  it('never stops a service task whose targets are still registered, unless forced (and then deregisters them first)', () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const s = build(w);
        const plan = planDrain(s, TIMES, w.now, { notifyInterrupted: false });
        plan.steps.forEach((st, i) => {
          if (st.kind !== 'stopTask' || st.task.kind !== 'service') return;
          for (const t of st.task.targets) {
            const state = s.targetStates.get(t.targetGroupArn)?.get(targetKey(t));
            if (state === 'unused' || state === 'draining') continue;
            expect(w.now).toBeGreaterThanOrEqual(TIMES.forceAt);
            const dereg = plan.steps.findIndex((d) => d.kind === 'deregisterTargets' && d.targetGroupArn === t.targetGroupArn && d.targets.some((x) => targetKey(x) === targetKey(t)));
            expect(dereg).toBeGreaterThanOrEqual(0);
            expect(dereg).toBeLessThan(i);
          }
        });
      }),
    );
  });

  it('re-planning after the plan was applied repeats no step, and the drain ends done', () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        let s = build(w);
        const seen = new Set<string>();
        for (let round = 0; round < 5; round++) {
          const plan = planDrain(s, TIMES, TIMES.forceAt, { notifyInterrupted: true });
          for (const k of kinds(plan.steps)) {
            if (k === 'notifyInterrupted') continue;
            expect(seen.has(k)).toBe(false);
            seen.add(k);
          }
          if (plan.done) return;
          s = applyIdeal(s, plan.steps);
        }
        throw new Error('drain did not converge in 5 rounds');
      }),
    );
  });

  it('is done only when no task is left that ECS wants running', () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const s = build(w);
        const plan = planDrain(s, TIMES, w.now, { notifyInterrupted: false });
        if (plan.done) expect(s.tasks.every((t) => t.desiredStatus !== 'RUNNING')).toBe(true);
      }),
    );
  });
});
