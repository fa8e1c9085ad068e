import { chooseConsolidation, consolidationBlock, spareTaskOf } from '../../../shared/capacity/consolidate';
import { planCapacity } from '../../../shared/capacity/plan';
import type { CapacitySettings, CapacitySnapshot } from '../../../shared/capacity/types';
import { afterScaleIn } from './after-scale-in';
import { batchTask, inst, M5_LARGE, M5_XLARGE, MIN, settings, snapshot, svc, T0, tasksOf } from './fixtures';

/** `n` m5.large, two 512-CPU `web` tasks each: 50 % CPU, at the scale-in threshold (not under it). */
const afternoon = (n = 7, over: Parameters<typeof snapshot>[0] = {}) =>
  snapshot({
    instances: Array.from({ length: n }, (_, k) => inst(`i-${k}`, k % 2 ? 'az-b' : 'az-a', tasksOf('web', 2, 512, 1024))),
    services: [svc('web', 2 * n, 2 * n, 0, 512, 1024)],
    recent: { lastScaleOutAt: T0 - 30 * MIN },
    ...over,
  });

describe('consolidation', () => {
  const cases: Array<{
    name: string;
    snap: () => CapacitySnapshot;
    settings?: Partial<CapacitySettings>;
    decision: 'scale-in' | 'none';
    drained?: string;
    reasons: RegExp[];
  }> = [
    {
      name: 'scales in above the scale-in threshold when the tasks fit on fewer instances with a spare task',
      snap: () => afternoon(),
      decision: 'scale-in',
      reasons: [/reservation CPU 50%/, /consolidate: the demand fits on fewer instances; drain i-\d/, /desired 7 → 6/],
    },
    {
      name: 'does not consolidate when it is turned off: the reservation gate alone decides',
      snap: () => afternoon(),
      settings: { consolidation: false },
      decision: 'none',
      reasons: [/no scale-in: reservations are not both under the scale-in thresholds .* and consolidation is off/],
    },
    {
      name: 'does not consolidate when the tasks would not fit on one instance fewer (by totals)',
      snap: () =>
        snapshot({
          instances: Array.from({ length: 4 }, (_, k) => inst(`i-${k}`, 'az-a', tasksOf('web', 3, 512, 1024))),
          services: [svc('web', 12, 12, 0, 512, 1024)],
          recent: { lastScaleOutAt: T0 - 30 * MIN },
        }),
      decision: 'none',
      reasons: [/and the demand does not fit on fewer instances/],
    },
    {
      name: 'consolidates five half-busy instances to four without headroom…',
      snap: () => afternoon(5),
      decision: 'scale-in',
      reasons: [/consolidate: /, /desired 5 → 4/],
    },
    {
      name: '…and not with headroom for six more tasks: the headroom is demand like any task',
      snap: () => afternoon(5),
      settings: { headroom: { tasks: 6, cpu: 512, memory: 1024 } },
      decision: 'none',
      reasons: [/and the demand does not fit on fewer instances/],
    },
    {
      name: 'keeps a spare task: the moved tasks fit the gaps of the rest, one more of the largest would not',
      snap: () =>
        snapshot({
          instances: [
            ...Array.from({ length: 4 }, (_, k) => inst(`i-${k}`, 'az-a', tasksOf('big', 2, 768, 1024))),
            inst('i-x', 'az-b', tasksOf('small', 1, 512, 1024)),
          ],
          services: [svc('big', 8, 8, 0, 768, 1024), svc('small', 1, 1, 0, 512, 1024)],
          recent: { lastScaleOutAt: T0 - 30 * MIN },
        }),
      settings: { scaleOutCpuPercent: 100 },
      decision: 'none',
      reasons: [/i-x kept: 1 task\(s\) would not fit on the rest with a spare task/, /no instance can be consolidated safely/],
    },
    {
      name: 'drains the instance that frees the most units: an m5.xlarge (2 units) before an m5.large',
      snap: () =>
        snapshot({
          shapes: [M5_LARGE, M5_XLARGE],
          instances: [
            inst('i-large', 'az-a', tasksOf('web', 1, 512, 1024)),
            inst('i-xlarge', 'az-b', tasksOf('web', 2, 512, 1024), {}, M5_XLARGE),
            ...Array.from({ length: 4 }, (_, k) => inst(`i-${k}`, 'az-a', tasksOf('web', 2, 512, 1024))),
          ],
          services: [svc('web', 11, 11, 0, 512, 1024)],
          recent: { lastScaleOutAt: T0 - 30 * MIN },
        }),
      settings: { scaleInCpuPercent: 30, scaleInMemoryPercent: 30 },
      decision: 'scale-in',
      drained: 'i-xlarge',
      reasons: [/drain i-xlarge \(m5.xlarge.*2 unit\(s\) freed/, /desired 7 → 5/],
    },
    {
      name: 'waits out the cooldown after a scale-out',
      snap: () => afternoon(7, { recent: { lastScaleOutAt: T0 - 2 * MIN } }),
      decision: 'none',
      reasons: [/no scale-in: cooldown/],
    },
    {
      name: 'waits while a service is starved',
      snap: () => afternoon(7, { services: [svc('web', 15, 14, 0, 512, 1024)] }),
      decision: 'none',
      reasons: [/no scale-in: .*a service is starved/],
    },
    {
      name: 'waits while capacity is in flight',
      snap: () => afternoon(7, { inFlight: [{ units: 1, requestedAt: T0 - MIN }], desired: 8 }),
      decision: 'none',
      reasons: [/capacity is in flight/],
    },
    {
      name: 'waits while the draining budget is spent',
      snap: () =>
        afternoon(7, {
          instances: [
            ...afternoon(6).instances,
            inst('i-dr', 'az-a', [], { status: 'DRAINING', drainedForScaleIn: true, tasksStopping: 1 }),
          ],
        }),
      decision: 'none',
      reasons: [/1 instance\(s\) draining, at most 1 at once/],
    },
  ];

  it.each(cases)('$name', (c) => {
    const d = planCapacity(c.snap(), settings(c.settings), T0);
    expect(d.decision).toBe(c.decision);
    if (c.drained) expect(d.instanceToDrain).toBe(c.drained);
    for (const r of c.reasons) expect(d.reasons.join('\n')).toMatch(r);
  });

  it('never picks an instance running a standalone task or carrying the do-not-disrupt tag, though it has fewer tasks', () => {
    const snap = snapshot({
      instances: [
        inst('i-batch', 'az-a', [batchTask(512, 1024)]),
        inst('i-dnd', 'az-b', tasksOf('web', 1, 512, 1024), { doNotDisrupt: true }),
        inst('i-full', 'az-a', tasksOf('web', 4, 512, 1024)),
      ],
      services: [svc('web', 5, 5, 0, 512, 1024)],
    });
    const open = settings({ scaleOutCpuPercent: 90 });
    expect(chooseConsolidation(snap, open, 0).instance?.ec2InstanceId).toBe('i-full');
    const none = chooseConsolidation({ ...snap, instances: snap.instances.map((i) => ({ ...i, doNotDisrupt: true })) }, open, 0);
    expect(none.instance).toBeUndefined();
    expect(none.reasons).toContain('no instance can be consolidated safely');
  });

  it('follows demand down 7 → 6 → 5 tick after tick, then stops where one instance fewer would not hold a spare task', () => {
    let snap = afternoon();
    const path = [snap.backend.counts.desired];
    for (let k = 0; k < 5; k++) {
      const d = planCapacity(snap, settings(), T0);
      if (d.decision !== 'scale-in') break;
      const next = afterScaleIn(snap, d);
      expect(next.unplaced).toBe(0);
      snap = next.snap;
      path.push(snap.backend.counts.desired);
      expect(planCapacity(snap, settings(), T0).decision).not.toBe('scale-out');
    }
    expect(path).toEqual([7, 6, 5]);
  });

  it('names the largest task the cluster asks room for as the spare, headroom included', () => {
    const snap = afternoon(2, {
      services: [svc('web', 4, 4, 0, 512, 1024), svc('api', 1, 1, 0, 256, 3072), svc('idle', 0, 0, 0, 2048, 4096)],
    });
    expect(spareTaskOf(snap, settings())).toMatchObject({ cpu: 256, memory: 3072 });
    expect(spareTaskOf(snap, settings({ headroom: { tasks: 1, cpu: 1024, memory: 4096 } }))).toMatchObject({ cpu: 1024, memory: 4096 });
    expect(spareTaskOf(snapshot(), settings())).toBeUndefined();
  });

  it('opens the gate by totals only where a task-by-task check could pass, and names why not', () => {
    expect(consolidationBlock(afternoon(), settings())).toBeUndefined();
    expect(consolidationBlock(afternoon(), settings({ consolidation: false }))).toBe('consolidation is off');
    const dnd = afternoon(3, { instances: afternoon(3).instances.map((i) => ({ ...i, doNotDisrupt: true })) });
    expect(consolidationBlock(dnd, settings())).toBe('no instance can be consolidated');
    expect(chooseConsolidation(dnd, settings(), 0).instance).toBeUndefined();
  });
});
