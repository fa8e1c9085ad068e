import fc from 'fast-check';
import { withDraining } from '../../../shared/capacity/choose';
import { boundsOf, demandItems } from '../../../shared/capacity/demand';
import { planCapacity } from '../../../shared/capacity/plan';
import type { CapacityDecision, CapacitySnapshot } from '../../../shared/capacity/types';
import { arbAnyWorld, arbQuietWorld, type World } from './world';

const RUNS = { numRuns: 400 };

const plan = (w: World) => planCapacity(w.snap, w.settings, w.now);

/** The snapshot right after a scale-out was carried out: desired raised, the units in flight, the time recorded. */
function afterScaleOut(snap: CapacitySnapshot, d: CapacityDecision, now: number): CapacitySnapshot {
  return {
    ...snap,
    backend: { ...snap.backend, counts: { ...snap.backend.counts, desired: d.desired! } },
    inFlight: [...snap.inFlight, { units: d.units!, requestedAt: now }],
    recent: { ...snap.recent, lastScaleOutAt: now },
  };
}

describe('planCapacity properties', () => {
  it('never goes above max or below min, and never adds more than the step', () => {
    fc.assert(
      fc.property(arbAnyWorld, (w) => {
        const d = plan(w);
        const { lower, upper } = boundsOf(w.snap, w.settings);
        const current = w.snap.backend.counts.desired;
        expect(d.reasons.length).toBeGreaterThan(0);
        if (d.desired === undefined) return;
        expect(d.desired).toBeLessThanOrEqual(upper);
        expect(d.desired).toBeGreaterThanOrEqual(lower);
        if (d.decision === 'scale-out') {
          expect(d.desired - current).toBe(d.units);
          expect(d.units).toBeGreaterThan(0);
          expect(d.units).toBeLessThanOrEqual(w.settings.maxStep);
        } else expect(d.desired).toBeLessThan(current);
      }),
      RUNS,
    );
  });

  it('re-planning right after a scale-out asks for nothing more for the same shortfall', () => {
    fc.assert(
      fc.property(arbAnyWorld, (w) => {
        const d = plan(w);
        fc.pre(d.decision === 'scale-out');
        const again = planCapacity(afterScaleOut(w.snap, d, w.now), w.settings, w.now);
        expect(again.decision).not.toBe('scale-in');
        // Only what the step or max held back may still be asked for.
        if (d.units === d.shortfallUnits) expect(again.decision).not.toBe('scale-out');
        else if (again.decision === 'scale-out') expect(again.shortfallUnits).toBeLessThanOrEqual(d.shortfallUnits! - d.units!);
      }),
      RUNS,
    );
  });

  it('re-planning right after a scale-in neither scales out nor drains the same instance again', () => {
    fc.assert(
      fc.property(arbQuietWorld, (w) => {
        const d = plan(w);
        fc.pre(d.decision === 'scale-in');
        const again = planCapacity(withDraining(w.snap, d.instanceToDrain!), w.settings, w.now);
        expect(again.decision).not.toBe('scale-out');
        expect(again.instanceToDrain).not.toBe(d.instanceToDrain);
      }),
      RUNS,
    );
  });

  it('never asks twice for capacity that is coming', () => {
    fc.assert(
      fc.property(arbAnyWorld, fc.integer({ min: 0, max: 12 }), (w, k) => {
        const d = plan(w);
        fc.pre(d.decision === 'scale-out');
        const counts = w.snap.backend.counts;
        const snap = {
          ...w.snap,
          backend: { ...w.snap.backend, counts: { ...counts, desired: counts.desired + k } },
          inFlight: [...w.snap.inFlight, { units: k, requestedAt: w.now }],
        };
        const again = planCapacity(snap, w.settings, w.now);
        expect(again.units ?? 0).toBeLessThanOrEqual(Math.max(0, d.shortfallUnits! - k));
      }),
      RUNS,
    );
  });

  it('never drains an instance with standalone or protected tasks or the do-not-disrupt tag', () => {
    fc.assert(
      fc.property(arbQuietWorld, (w) => {
        const d = plan(w);
        fc.pre(d.decision === 'scale-in');
        const chosen = w.snap.instances.find((i) => i.ec2InstanceId === d.instanceToDrain)!;
        expect(chosen.status).toBe('ACTIVE');
        expect(chosen.doNotDisrupt).toBe(false);
        expect(chosen.tasks.filter((t) => t.kind === 'standalone' || t.protected)).toEqual([]);
      }),
      RUNS,
    );
  });

  it('removes only instances drained for scale-in that are empty', () => {
    fc.assert(
      fc.property(arbQuietWorld, (w) => {
        const d = plan(w);
        fc.pre(d.decision === 'remove-drained');
        for (const id of d.instancesToRemove!) {
          const i = w.snap.instances.find((x) => x.ec2InstanceId === id)!;
          expect([i.status, i.drainedForScaleIn, i.tasks.length]).toEqual(['DRAINING', true, 0]);
        }
      }),
      RUNS,
    );
  });

  it('names every task that needs room and fits no shape, never dropping one', () => {
    fc.assert(
      fc.property(arbAnyWorld, (w) => {
        const d = plan(w);
        const shapes = w.snap.backend.shapes;
        const tooBig = demandItems(w.snap, w.settings).filter((x) => !shapes.some((s) => x.cpu <= s.cpu && x.memory <= s.memory));
        expect(d.unplaceable.reduce((n, u) => n + u.count, 0)).toBe(tooBig.length);
      }),
      RUNS,
    );
  });
});
