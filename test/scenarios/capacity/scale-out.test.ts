import { capacityCluster, capacityWorld, runningOf } from '../../support/capacity-world';

describe('scaleTick: scale-out', () => {
  it('answers a traffic spike that starves a service within one tick, and does not ask twice while the capacity comes', async () => {
    const { account, built } = capacityCluster({ backend: 'asg', instances: 2, tasksPerInstance: 2 });
    const world = capacityWorld(account);
    account.ecs.services.setDesiredCount(built.cluster, 'app', 12); // 4 → 12: 8 fit, 4 are unplaced

    const first = world.report(await world.minute(), built.cluster);
    expect(first.decision).toBe('scale-out');
    expect(first.starved).toEqual(['app']);
    // 12 tasks of 512 CPU: one more m5.large places them, two keep CPU reservation under 85 % once placed.
    expect(first.counts?.desired).toBe(4);
    expect(account.autoscaling.groupState(built.backend.id).desired).toBe(4);

    // Until the new instance registers, every tick counts it as coming.
    for (let i = 0; i < 5 && runningOf(account, built.cluster, 'app') < 12; i++) {
      const r = world.report(await world.minute(), built.cluster);
      expect(r.decision).not.toBe('scale-out');
    }
    expect(account.autoscaling.groupState(built.backend.id).desired).toBe(4);
    expect(runningOf(account, built.cluster, 'app')).toBe(12);
  });
});
