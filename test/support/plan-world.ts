import fc from 'fast-check';
import type { Task } from '@aws-sdk/client-ecs';
import type { Target, TargetHealth, TargetState } from '../../shared/aws/elbv2-targets';
import type { PlanSettings } from '../../shared/drain/plan';
import type { DrainState } from '../../shared/drain/types';
import { deregistered, EC2_ID, ecsService, ecsTask, sawHealth, stateWith, withDelay } from './drain-state';
import { lifecycleAt, SETTINGS, T0, TG_A, TG_B, TG_C, TIMES } from './plan-fixtures';

/** Random instances for the planner's property tests: what ECS and the groups say, and what the drain did so far. */

/** What the world's ELBv2 keeps a deregistered target draining for (the groups' deregistration delay). */
export const DELAY_S = 20;

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
export const arbWorld = fc.record({
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
export type World = typeof arbWorld extends fc.Arbitrary<infer T> ? T : never;
/** Instances near the end of a drain: most tasks already asked to stop (by us or someone else). */
export const arbEndgame = arbWorld.chain((w) =>
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
export const DEREGISTERED_AT = T0 - 30_000;
const READ_AT = { before: T0 - 40_000, after: T0 - 20_000 } as const;
export const GROUP = { a: TG_A, b: TG_B, c: TG_C } as const;

/** ECS truth for a random instance: tasks (as DescribeTasks answers them) and their targets. */
export function tasksOf(w: World) {
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

export function build(w: World): DrainState {
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

export const settingsOf = (w: Pick<World, 'keepServing' | 'notifyInterrupted'>): PlanSettings => ({
  ...SETTINGS,
  keepServing: w.keepServing,
  notifyInterrupted: w.notifyInterrupted,
});
