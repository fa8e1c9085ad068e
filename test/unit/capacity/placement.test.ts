import { packNew, packOnto } from '../../../shared/capacity/bin-pack';
import { scaleOutNeed } from '../../../shared/capacity/demand';
import { planCapacity } from '../../../shared/capacity/plan';
import type { CapacityService, CapacitySnapshot } from '../../../shared/capacity/types';
import { inst, M5_LARGE, MIN, settings, snapshot, svc, T0, tasksOf } from './fixtures';

/** A DAEMON service (one 512 CPU / 1 GiB task per instance) running on `n` instances. */
const daemon = (n: number, over: Partial<CapacityService> = {}): CapacityService => ({
  ...svc('agent', n, n, 0, 512, 1024),
  daemon: true,
  ...over,
});
/** Two m5.large whose daemon task already runs (its reservation is in their remaining room). */
const withDaemon = (ports: number[] = []) =>
  ['i-1', 'i-2'].map((id) => inst(id, 'az-a', tasksOf('agent', 1, 512, 1024), ports.length ? { usedPorts: ports } : {}));
/** Two m5.large full: a 512-CPU task of `first` (the daemon's) and 3 of app each. */
const full = (first = 'agent') =>
  ['i-1', 'i-2'].map((id) => inst(id, 'az-a', [...tasksOf(first, 1, 512, 1024), ...tasksOf('app', 3, 512, 1024)]));
/** Bin-packing alone: reservation thresholds out of the way. */
const packing = settings({ scaleOutCpuPercent: 100, scaleOutMemoryPercent: 100 });
const deploying = (desired: number, running: number, pending: number, newMissing: number, startedAt = T0 - 5 * MIN): CapacityService => ({
  ...svc('web', desired, running, pending, 512, 1024),
  deployment: { startedAt, maxTasks: desired * 2, newMissing },
});

describe('sizing that matches ECS: DAEMON reservations and fixed host ports', () => {
  const cases: Array<{ name: string; snap: () => CapacitySnapshot; units: number; reasons?: RegExp[] }> = [
    {
      name: 'sizes new instances on their shape less the daemons: 8 tasks of 512 CPU take 3 m5.large, not 2',
      snap: () => snapshot({ instances: full(), services: [daemon(2), svc('app', 14, 6, 0, 512, 1024)] }),
      units: 3,
    },
    {
      name: 'without a daemon the same tasks fit 4 a shape',
      snap: () => snapshot({ instances: full('x'), services: [svc('x', 2, 2, 0, 512, 1024), svc('app', 14, 6, 0, 512, 1024)] }),
      units: 2,
    },
    {
      name: 'takes a daemon task not yet placed off an existing instance (one just registered lacks it)',
      // i-3 is empty but its daemon task is still to come: it holds 3 app tasks, not 4.
      snap: () =>
        snapshot({ instances: [...full(), inst('i-3', 'az-a')], services: [daemon(3, { running: 2 }), svc('app', 10, 6, 0, 512, 1024)] }),
      units: 1,
    },
    {
      name: 'names tasks no shape holds once the daemons have their share',
      snap: () => snapshot({ instances: withDaemon(), services: [daemon(2), svc('big', 1, 0, 0, 1600, 1024)] }),
      units: 0,
      reasons: [/1 task\(s\) of big cannot be placed: needs 1600 CPU .* after the DAEMON services' 512 CPU \/ 1024 MiB/],
    },
    {
      name: 'places at most one task holding a fixed host port per instance: 3 small tasks on port 80 take 3 instances',
      snap: () => snapshot({ services: [{ ...svc('web', 3, 0, 0, 256, 512), hostPorts: [80] }] }),
      units: 3,
    },
    {
      name: 'an instance whose port is taken cannot take the task, however much room it has',
      snap: () =>
        snapshot({
          instances: [inst('i-1', 'az-a', [], { usedPorts: [22, 80] }), inst('i-2', 'az-b', [], { usedPorts: [22, 80] })],
          services: [{ ...svc('web', 3, 2, 0, 256, 512), hostPorts: [80] }],
        }),
      units: 1,
    },
    {
      name: 'two services on the same fixed host port conflict: one of each per instance',
      snap: () =>
        snapshot({
          services: [
            { ...svc('web', 1, 0, 0, 256, 512), hostPorts: [80] },
            { ...svc('proxy', 1, 0, 0, 256, 512), hostPorts: [80] },
          ],
        }),
      units: 2,
    },
    {
      name: "a daemon's fixed host port is taken on every new instance",
      snap: () =>
        snapshot({
          instances: withDaemon([22, 24224]),
          services: [daemon(2, { hostPorts: [24224] }), { ...svc('fwd', 1, 0, 0, 256, 512), hostPorts: [24224] }],
        }),
      units: 0,
      reasons: [/1 task\(s\) of fwd cannot be placed: needs host port 24224, which a DAEMON service holds on every instance/],
    },
  ];

  it.each(cases)('$name', ({ snap, units, reasons }) => {
    const need = scaleOutNeed(snap(), packing, T0);
    expect(need.units).toBe(units);
    for (const r of reasons ?? []) expect(need.reasons.join('\n')).toMatch(r);
  });

  it('counts a shape at its room after the daemons when sizing a reservation above its threshold', () => {
    // 6 m5.large at 100 % memory reservation; a new one registers 7680 MiB and reserves its daemon's 4096 at once.
    const full6 = ['i-1', 'i-2', 'i-3', 'i-4', 'i-5', 'i-6'].map((id) =>
      inst(id, 'az-a', [...tasksOf('agent', 1, 256, 4096), ...tasksOf('db', 1, 256, 3584)]),
    );
    const snap = snapshot({ instances: full6, services: [daemon(6, { task: { cpu: 256, memory: 4096 } }), svc('db', 6)] });
    // n ≥ (46080·100/85 − 46080) / (7680 − 4096·100/85) = 8131.8 / 2861.2 = 2.84 → 3 (at 7680 MiB a unit it would be 2).
    expect(scaleOutNeed(snap, settings(), T0).units).toBe(3);
  });

  it('packOnto and packNew keep one task of a port per room', () => {
    const items = [1, 2, 3].map((k) => ({ source: `web-${k}`, cpu: 10, memory: 10, ports: [80] }));
    expect(packOnto(items, [{ id: 'a', cpu: 1000, memory: 1000 }])).toHaveLength(2);
    expect(packOnto(items, [{ id: 'a', cpu: 1000, memory: 1000, ports: new Set([80]) }])).toHaveLength(3);
    expect(packNew(items, [M5_LARGE]).instances).toHaveLength(3);
    expect(packNew(items, [M5_LARGE], [80]).unplaceable).toHaveLength(3);
  });
});

describe('deployments: the surge is demand, and scale-in holds for a bounded time', () => {
  it("counts a deploying service's surge as demand: the PRIMARY's missing tasks within maximumPercent", () => {
    // 4 running old tasks fill most of 2 m5.large; the new deployment's 4 tasks need room.
    const snap = snapshot({
      instances: [inst('i-1', 'az-a', tasksOf('web', 2, 512, 1024)), inst('i-2', 'az-b', tasksOf('web', 2, 512, 1024))],
      services: [deploying(4, 4, 0, 4)],
    });
    expect(scaleOutNeed(snap, settings(), T0).units).toBe(1); // 2 fit the free room, 2 more take one m5.large
    // Half the new tasks placed (pending): only what maximumPercent still allows beside the 6 running + pending.
    const half = snapshot({ ...snap, services: [deploying(4, 4, 2, 2)] });
    expect(scaleOutNeed(half, settings(), T0).units).toBe(0);
    // The PRIMARY complete (its tasks all running, the old ones stopping): no surge left.
    expect(scaleOutNeed(snapshot({ ...snap, services: [deploying(4, 4, 0, 0)] }), settings(), T0).units).toBe(0);
  });

  const quiet = (services: CapacityService[]) =>
    snapshot({
      instances: [inst('i-1', 'az-a', tasksOf('web', 2)), inst('i-2', 'az-b', tasksOf('web', 2)), inst('i-3', 'az-a')],
      services,
      recent: { lastScaleOutAt: T0 - 60 * MIN },
    });

  it.each([
    {
      name: 'holds scale-in while a deployment is in progress within the hold',
      startedAt: T0 - 29 * MIN,
      decision: 'none',
      stuck: undefined,
    },
    { name: 'reports a deployment past the hold as stuck and scales in', startedAt: T0 - 31 * MIN, decision: 'scale-in', stuck: ['web'] },
  ])('$name', ({ startedAt, decision, stuck }) => {
    const web = { ...svc('web', 4), deployment: { startedAt, maxTasks: 8, newMissing: 0 } };
    const d = planCapacity(quiet([web]), settings({ deploymentHoldMs: 30 * MIN }), T0);
    expect(d.decision).toBe(decision);
    expect(d.stuckDeployments).toEqual(stuck);
    expect(d.reasons.join('\n')).toMatch(
      stuck ? /deployment in progress over 30 min, reported stuck .*: web/ : /no scale-in: .*deployment or replacement in progress: web/,
    );
  });
});
