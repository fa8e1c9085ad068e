import fc from 'fast-check';
import { exclusionOf } from '../../../shared/capacity/choose';
import { planCapacity } from '../../../shared/capacity/plan';
import { afterScaleIn } from './after-scale-in';
import { arbQuietWorld, type World } from './world';

const RUNS = { numRuns: 500 };

/**
 * Quiet clusters where only a consolidation can scale in: every service steady, nothing in
 * flight, no recent scale-out, and scale-in thresholds at 0 % (a reservation is never under them).
 */
const arbConsolidationWorld: fc.Arbitrary<World> = arbQuietWorld.map((w) => ({
  ...w,
  settings: { ...w.settings, scaleInCpuPercent: 0, scaleInMemoryPercent: 0, consolidation: true },
}));

describe('consolidation properties', () => {
  it('after a consolidation, the moved tasks find room and the next tick does not scale out', () => {
    let seen = 0;
    fc.assert(
      fc.property(arbConsolidationWorld, (w) => {
        const d = planCapacity(w.snap, w.settings, w.now);
        fc.pre(d.decision === 'scale-in');
        seen++;
        const drained = w.snap.instances.find((i) => i.ec2InstanceId === d.instanceToDrain)!;
        expect(exclusionOf(drained)).toBeUndefined();
        const after = afterScaleIn(w.snap, d);
        expect(after.unplaced).toBe(0);
        const next = planCapacity(after.snap, w.settings, w.now);
        expect(next.decision).not.toBe('scale-out');
      }),
      RUNS,
    );
    // The property is only worth something if consolidations happen in the generated worlds.
    expect(seen).toBeGreaterThan(20);
  });

  it('with consolidation off, a cluster whose reservations are not under the scale-in thresholds never scales in', () => {
    fc.assert(
      fc.property(arbConsolidationWorld, (w) => {
        const d = planCapacity(w.snap, { ...w.settings, consolidation: false }, w.now);
        expect(d.decision).not.toBe('scale-in');
      }),
      RUNS,
    );
  });
});
