import { planFallback } from '../../../shared/capacity/fallback';
import type { BackendInstance, BackendView } from '../../../shared/capacity/ports';
import { inst, M5_LARGE, settings, snapshot, svc, T0, tasksOf } from './fixtures';

const C5: typeof M5_LARGE = { instanceType: 'c5.large', weight: 1, cpu: 2048, memory: 3584 };
const member = (id: string, state: BackendInstance['state']): BackendInstance => ({
  ec2InstanceId: id,
  instanceType: 'm5.large',
  weight: 1,
  state,
  protectedFromScaleIn: false,
});
const view = (id: string, desired: number, instances: BackendInstance[], max = 10): BackendView => ({
  ref: { kind: 'asg', id, tags: {} },
  counts: { desired, inService: instances.length, min: 0, max },
  shapes: [{ instanceType: id === 'od' ? 'c5.large' : 'm5.large', weight: 1 }],
  instances,
});

/** Two full m5.large, `app` 4 tasks short, 2 units asked of the Spot backend 11 minutes ago. */
function late(primary: BackendView, fallbackMax = 10) {
  const lateEntry = { units: 2, requestedAt: T0 - 11 * 60_000 };
  const snap = snapshot({
    instances: [inst('i-1', 'az-a', tasksOf('app', 4, 512, 1024)), inst('i-2', 'az-b', tasksOf('app', 4, 512, 1024))],
    services: [svc('app', 12, 8, 0, 512, 1024)],
    inFlight: [lateEntry],
    desired: 4,
  });
  return planFallback(snap, settings({ min: 0 }), T0, {
    late: 2,
    lateEntry,
    primary,
    fallback: view('od', 0, [], fallbackMax),
    fallbackShapes: [C5],
    backoffMs: 30 * 60_000,
  });
}

describe('planFallback', () => {
  it('lowers the backend by the units it never launched, backs it off and raises the fallback by what the planner asks of it', () => {
    const { decision, steps } = late(view('spot', 4, [member('i-1', 'in-service'), member('i-2', 'in-service')]));
    expect(decision.decision).toBe('fallback');
    expect(steps).toEqual([
      { kind: 'setDesired', id: 'lower', desired: 2, from: 4, on: 'primary' },
      { kind: 'setDesired', id: 'raise', desired: decision.desired, from: 0, on: 'fallback', after: { step: 'lower' } },
      { kind: 'recordAction', action: 'backoff', at: T0 + 30 * 60_000, on: 'primary', after: { step: 'raise' } },
      { kind: 'recordAction', action: 'scale-out', on: 'fallback', after: { step: 'raise' } },
    ]);
    expect(decision.desired).toBeGreaterThanOrEqual(2);
  });

  it('never lowers the backend below the instances it launched (an ASG would choose which to terminate)', () => {
    const held = [member('i-1', 'in-service'), member('i-2', 'in-service'), member('i-3', 'pending'), member('i-4', 'pending')];
    const { decision, steps } = late(view('spot', 4, held));
    expect(decision.decision).toBe('fallback');
    expect(steps.filter((s) => s.kind === 'setDesired' && s.on === 'primary')).toEqual([]);
    expect(steps.some((s) => s.kind === 'setDesired' && s.on === 'fallback')).toBe(true);
  });

  it('changes nothing when the fallback is at its max, and says so', () => {
    const { decision, steps } = late(view('spot', 4, [member('i-1', 'in-service'), member('i-2', 'in-service')]), 0);
    expect(decision.decision).toBe('none');
    expect(steps).toEqual([]);
    expect(decision.reasons.join(' ')).toMatch(/the fallback od takes none of it/);
  });
});
