import { planCapacity } from '../../../shared/capacity/plan';
import type { CapacityDecision, CapacitySettings, CapacitySnapshot } from '../../../shared/capacity/types';
import { batchTask, inst, M5_4XLARGE, M5_LARGE, MIN, settings, snapshot, svc, svcTask, T0, tasksOf } from './fixtures';

/** Two m5.large running `api` at full CPU (2 × 1024-CPU tasks each), `api` wanting `desired`. */
const apiFull = (desired: number, over: Parameters<typeof snapshot>[0] = {}) =>
  snapshot({
    instances: [inst('i-1', 'az-a', tasksOf('api', 2, 1024, 2048)), inst('i-2', 'az-b', tasksOf('api', 2, 1024, 2048))],
    services: [svc('api', desired, 4, 0, 1024, 2048)],
    ...over,
  });

/** Three quiet m5.large (16.7 % CPU), the last scale-out long ago. */
const quiet = (over: Parameters<typeof snapshot>[0] = {}) =>
  snapshot({
    instances: [inst('i-1', 'az-a', tasksOf('web', 2)), inst('i-2', 'az-b', tasksOf('web', 2)), inst('i-3', 'az-a')],
    services: [svc('web', 4)],
    recent: { lastScaleOutAt: T0 - 30 * MIN },
    ...over,
  });

describe('planCapacity', () => {
  const cases: Array<{
    name: string;
    snap: () => CapacitySnapshot;
    settings?: Partial<CapacitySettings>;
    expect: Partial<CapacityDecision>;
    reasons: RegExp[];
  }> = [
    {
      name: 'does nothing while reservation sits between the thresholds',
      snap: () =>
        snapshot({
          instances: [inst('i-1', 'az-a', tasksOf('web', 5)), inst('i-2', 'az-b', tasksOf('web', 5))],
          services: [svc('web', 10)],
        }),
      expect: { decision: 'none' },
      reasons: [/reservation CPU 62.5%/, /no scale-in: reservations are not both under/],
    },
    {
      name: 'scales out on CPU reservation above 85 %, sized to bring it back under',
      snap: () =>
        snapshot({
          instances: [inst('i-1', 'az-a', tasksOf('web', 7)), inst('i-2', 'az-b', tasksOf('web', 7))],
          services: [svc('web', 14)],
        }),
      expect: { decision: 'scale-out', desired: 3, units: 1 },
      reasons: [/cpu reservation 87.5% is above 85%: 1 unit/, /raise desired 2 → 3/],
    },
    {
      name: 'sizes a memory-bound cluster on memory (the larger of the two)',
      snap: () =>
        snapshot({
          instances: Array.from({ length: 10 }, (_, k) => inst(`i-${k}`, k % 2 ? 'az-a' : 'az-b', tasksOf('api', 4, 128, 1920))),
          services: [svc('api', 40, 40, 0, 128, 1920)],
        }),
      expect: { decision: 'scale-out', desired: 12, units: 2 },
      reasons: [/memory reservation 100% is above 85%: 2 unit/],
    },
    {
      name: 'scales out for a starved service by bin-packing its missing tasks',
      snap: () => apiFull(10),
      // Bin-packing needs 3; with 3 more the 6 placed would hold CPU at 100 %, so 4 bring it back under 85 %.
      expect: { decision: 'scale-out', desired: 6, units: 4, shortfallUnits: 4 },
      reasons: [
        /starved .*: api/,
        /6 task\(s\) need room the cluster lacks \(api\): 3 unit/,
        /cpu reservation would be 250% once 6 waiting task\(s\) are placed, above 85%: 4 unit/,
      ],
    },
    {
      name: 'respects weights: tasks only the 4xlarge holds cost 8 units an instance',
      snap: () => snapshot({ shapes: [M5_LARGE, M5_4XLARGE], services: [svc('render', 5, 0, 0, 4096, 8192)] }),
      settings: { maxStep: 20 },
      expect: { decision: 'scale-out', desired: 16, units: 16 },
      reasons: [/5 task\(s\) need room .*: 16 unit/],
    },
    {
      name: 'names a task larger than every shape instead of dropping it',
      snap: () => snapshot({ instances: [inst('i-1', 'az-a')], services: [svc('huge', 2, 0, 0, 32768, 1024)] }),
      expect: { decision: 'none', unplaceable: [expect.objectContaining({ source: 'huge', count: 2, cpu: 32768 }) as never] },
      reasons: [/2 task\(s\) of huge cannot be placed: needs 32768 CPU/, /no scale-in: .*a service is starved/],
    },
    {
      name: 'counts capacity in flight as coming: the same shortfall is not asked for twice',
      snap: () => apiFull(10, { inFlight: [{ units: 4, requestedAt: T0 - 2 * MIN }] }),
      expect: { decision: 'none' },
      reasons: [/4 unit\(s\) in flight cover the 4 needed/, /covered by capacity in flight/],
    },
    {
      name: 'asks only for what the capacity in flight does not cover',
      snap: () => apiFull(10, { inFlight: [{ units: 1, requestedAt: T0 - 2 * MIN }] }),
      expect: { decision: 'scale-out', desired: 6, units: 3 },
      reasons: [/1 unit\(s\) in flight count as coming: 3 more needed/],
    },
    {
      name: 'never asks twice for capacity that is late: it is named as not arrived and still counted',
      snap: () => apiFull(10, { inFlight: [{ units: 4, requestedAt: T0 - 11 * MIN }] }),
      expect: { decision: 'none' },
      reasons: [/4 unit\(s\) asked for over 600s ago have not registered: still counted/],
    },
    {
      name: 'never adds more than the step',
      snap: () => apiFull(10),
      settings: { maxStep: 2 },
      expect: { decision: 'scale-out', desired: 4, units: 2, shortfallUnits: 4 },
      reasons: [/4 short; bounded by the step \(2\)/],
    },
    {
      name: 'never goes above max',
      snap: () => apiFull(10),
      settings: { max: 3 },
      expect: { decision: 'scale-out', desired: 3, units: 1 },
      reasons: [/bounded by max 3/],
    },
    {
      name: 'does nothing, and says so, when short at max',
      snap: () => apiFull(10, { max: 2 }),
      expect: { decision: 'none', shortfallUnits: 4 },
      reasons: [/short 4 unit\(s\), but desired 2 is at max 2/],
    },
    {
      name: 'counts headroom as demand',
      snap: () =>
        snapshot({
          instances: [inst('i-1', 'az-a', tasksOf('web', 3)), inst('i-2', 'az-b', tasksOf('web', 3))],
          services: [svc('web', 6)],
        }),
      settings: { headroom: { tasks: 3, cpu: 1024, memory: 4096 } },
      expect: { decision: 'scale-out', desired: 3, units: 1 },
      reasons: [/1 task\(s\) need room the cluster lacks \(headroom\): 1 unit/],
    },
    {
      name: 'raises desired to min',
      snap: () => quiet(),
      settings: { min: 5 },
      expect: { decision: 'scale-out', desired: 5, units: 2 },
      reasons: [/desired 3 is below min 5/],
    },
    {
      name: 'counts service tasks on an instance drained by Spot as needing room',
      snap: () =>
        snapshot({
          instances: [
            inst('i-1', 'az-a', tasksOf('web', 4, 512, 1024), { status: 'DRAINING' }),
            inst('i-2', 'az-b', tasksOf('web', 4, 512, 1024)),
          ],
          services: [svc('web', 8, 8, 0, 512, 1024)],
        }),
      // One unit places the 4; two keep CPU at or under 85 % once they are placed.
      expect: { decision: 'scale-out', desired: 4, units: 2 },
      reasons: [
        /4 task\(s\) need room the cluster lacks \(web\): 1 unit/,
        /cpu reservation would be 200% once 4 waiting task\(s\) are placed, above 85%: 2 unit/,
      ],
    },
    {
      name: 'scales in the empty instance when both reservations are low',
      snap: () => quiet(),
      expect: { decision: 'scale-in', desired: 2, instanceToDrain: 'i-3' },
      reasons: [/drain i-3 \(m5.large, az-a, 0 task\(s\)\)/, /remove exactly it: desired 3 → 2/],
    },
    {
      name: 'never drains an instance whose own backend is at its min (a cluster with a fallback backend)',
      snap: () =>
        quiet({
          instances: [
            inst('i-1', 'az-a', tasksOf('web', 2), { ownerRoom: 1 }),
            inst('i-2', 'az-b', tasksOf('web', 2), { ownerRoom: 1 }),
            inst('i-3', 'az-a', [], { ownerRoom: 0 }),
          ],
        }),
      expect: { decision: 'scale-in' },
      reasons: [/i-3 \(weight 1\) would take its own backend below its min/],
    },
    {
      name: 'keeps AZs balanced between instances with as few tasks',
      snap: () =>
        snapshot({
          instances: [
            inst('i-1', 'az-b', tasksOf('web', 1)),
            inst('i-2', 'az-a', tasksOf('web', 1)),
            inst('i-3', 'az-a', tasksOf('web', 1)),
          ],
          services: [svc('web', 3)],
        }),
      expect: { decision: 'scale-in', instanceToDrain: 'i-2' },
      reasons: [/drain i-2/],
    },
    {
      name: 'never chooses an instance with batch tasks, protected tasks or the do-not-disrupt tag',
      snap: () =>
        snapshot({
          instances: [
            inst('i-1', 'az-a', [], { doNotDisrupt: true }),
            inst('i-2', 'az-a', [batchTask()]),
            inst('i-3', 'az-b', [svcTask('web', 256, 512, true)]),
            inst('i-4', 'az-b', tasksOf('web', 2)),
          ],
          services: [svc('web', 3)],
        }),
      expect: { decision: 'scale-in', instanceToDrain: 'i-4' },
      reasons: [/not candidates: 1 with do-not-disrupt tag, 1 with standalone tasks, 1 with protected tasks/],
    },
    {
      name: 'waits for the cooldown after a scale-out',
      snap: () => quiet({ recent: { lastScaleOutAt: T0 - 5 * MIN } }),
      expect: { decision: 'none' },
      reasons: [/cooldown: last scale-out 300s ago, 600s required/],
    },
    {
      name: 'does not scale in while a replacement task is pending (no deployment under way)',
      snap: () => quiet({ services: [svc('web', 4, 3, 1)] }),
      expect: { decision: 'none' },
      reasons: [/deployment or replacement in progress: web/],
    },
    {
      name: "does not scale in while a rebalance recommendation's replacement is under way (our mark on an instance outside the group)",
      snap: () => quiet({ instances: [...quiet().instances, inst('i-9', 'az-b', [], { notOwned: true, rebalancing: true })] }),
      expect: { decision: 'none' },
      reasons: [/a rebalance recommendation's replacement is under way: i-9/],
    },
    {
      name: 'an instance outside the group without our rebalance mark does not hold scale-in',
      snap: () => quiet({ instances: [...quiet().instances, inst('i-9', 'az-b', [], { notOwned: true })] }),
      expect: { decision: 'scale-in' },
      reasons: [/once drained, remove exactly it/],
    },
    {
      name: 'does not scale in while max instances are draining',
      snap: () => quiet({ instances: [...quiet().instances, inst('i-9', 'az-b', tasksOf('web', 1), { status: 'DRAINING' })] }),
      expect: { decision: 'none' },
      reasons: [/1 instance\(s\) draining, at most 1 at once/],
    },
    {
      name: 'does not scale in while capacity is in flight',
      snap: () => quiet({ inFlight: [{ units: 1, requestedAt: T0 - MIN }] }),
      expect: { decision: 'none' },
      reasons: [/capacity is in flight/],
    },
    {
      name: 'never goes below min',
      snap: () => quiet(),
      settings: { min: 3 },
      expect: { decision: 'none' },
      reasons: [/desired 3 is at min 3/],
    },
    {
      name: 'keeps an instance whose tasks and the headroom would not fit on the rest',
      snap: () =>
        snapshot({
          instances: [inst('i-1', 'az-a', tasksOf('web', 2)), inst('i-2', 'az-b', tasksOf('web', 2))],
          services: [svc('web', 4)],
        }),
      settings: { headroom: { tasks: 2, cpu: 1536, memory: 1024 } },
      expect: { decision: 'none' },
      reasons: [/i-1 kept: 3 task\(s\) would not fit on the rest/, /no instance can be drained safely/],
    },
    {
      name: 'keeps an instance whose removal would push reservation over the scale-out threshold',
      snap: () =>
        snapshot({
          instances: [inst('i-1', 'az-a', tasksOf('web', 3, 307)), inst('i-2', 'az-b', tasksOf('web', 3, 307))],
          services: [svc('web', 6, 6, 0, 307)],
        }),
      expect: { decision: 'none' },
      reasons: [/i-1 kept: reservation would rise to CPU 90%/],
    },
    {
      name: 'examines at most 50 candidates a tick, and says so',
      snap: () =>
        snapshot({
          instances: Array.from({ length: 60 }, (_, k) => inst(`i-${k}`, 'az-a', tasksOf('web', 1))),
          services: [svc('web', 60)],
        }),
      settings: { headroom: { tasks: 60, cpu: 1792, memory: 512 }, max: 100 },
      expect: { decision: 'none' },
      reasons: [/47 more instance\(s\) kept/, /10 more candidate\(s\) not examined this tick/],
    },
    {
      name: 'removes instances drained for scale-in once empty, not those Spot drained',
      snap: () =>
        snapshot({
          instances: [
            inst('i-1', 'az-a', [], { status: 'DRAINING', drainedForScaleIn: true }),
            inst('i-2', 'az-a', [], { status: 'DRAINING' }),
            inst('i-3', 'az-b', tasksOf('web', 4)),
          ],
          services: [svc('web', 4)],
        }),
      expect: { decision: 'remove-drained', desired: 2, instancesToRemove: ['i-1'] },
      reasons: [/remove 1 instance\(s\) drained for scale-in and now empty: i-1; desired 3 → 2/],
    },
    {
      name: 'keeps a drained instance whose last task is still shutting down (asked to stop, ECS still counts it)',
      snap: () =>
        snapshot({
          instances: [
            inst('i-1', 'az-a', [], { status: 'DRAINING', drainedForScaleIn: true, tasksStopping: 1 }),
            inst('i-3', 'az-b', tasksOf('web', 4)),
          ],
          services: [svc('web', 4)],
        }),
      expect: { decision: 'none' },
      reasons: [/no scale-in/],
    },
    {
      name: 'never chooses, removes or waits for an instance no backend of ours holds, and scales in around it',
      snap: () =>
        snapshot({
          instances: [
            inst('i-foreign', 'az-a', [], { notOwned: true }),
            inst('i-drained-by-them', 'az-a', [], { status: 'DRAINING', drainedForScaleIn: true, notOwned: true }),
            inst('i-1', 'az-a', tasksOf('web', 1)),
            inst('i-2', 'az-b', tasksOf('web', 1)),
          ],
          services: [svc('web', 2)],
          desired: 2,
        }),
      settings: { min: 1 },
      expect: { decision: 'scale-in', instanceToDrain: 'i-1' },
      reasons: [/not candidates: 1 with no backend of ours holding it/],
    },
  ];

  it.each(cases)('$name', ({ snap, settings: over, expect: want, reasons }) => {
    const d = planCapacity(snap(), settings(over), T0);
    expect(d).toMatchObject(want);
    for (const r of reasons) expect(d.reasons.some((x) => r.test(x)) ? r : d.reasons).toEqual(r);
  });

  it('is pure: the same snapshot and now give the same decision, and the snapshot is not changed', () => {
    const snap = quiet();
    const copy = structuredClone(snap);
    expect(planCapacity(snap, settings(), T0)).toEqual(planCapacity(snap, settings(), T0));
    expect(snap).toEqual(copy);
  });
});
