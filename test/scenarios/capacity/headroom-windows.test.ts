import { simulateDay, type DayClusterRow, type DayResult } from '../../../bench/capacity-day';
import type { WindowRecord } from '../../../bench/capacity-day-windows';
import { TICK_MS } from '../../../shared/capacity/headroom-windows';

/**
 * The day's traffic compressed into 3 simulated hours (one scaleTick a simulated minute) with a
 * headroom window: 8 × app (512 CPU / 1024 MiB each) daily 10:00–10:30 Tokyo time, 01:00–01:30 on
 * the simulated UTC clock. The simulated ASG's instances register in ECS 60 s after launch
 * (sim/builders-capacity.ts), so the launch time measured from the day's earlier scale-outs is 60 s.
 */
describe('scaleTick over a day with a headroom window', () => {
  let day: DayResult;
  let rows: DayClusterRow[];
  let w: WindowRecord;
  const minuteOf = (at: number) => (at - day.start) / 60_000;
  beforeAll(async () => {
    day = await simulateDay({ hours: 3, env: { HEADROOM_WINDOWS: 'early: daily 10:00-10:30 Asia/Tokyo 8 x app' } });
    rows = day.rows.map((r) => r.clusters[0]!);
    expect(day.windows).toHaveLength(1);
    w = day.windows[0]!;
  });

  it('has the window’s capacity in service when it opens: its 8 tasks fit the free room of ACTIVE instances at 01:00 UTC', () => {
    expect(w.opensAt).toBe(Date.parse('2026-11-23T01:00:00Z'));
    expect(w.fitsAtOpen).toBe(true);
    expect(w.readyAt).toBeDefined();
    expect(w.readyAt!).toBeLessThanOrEqual(w.opensAt);
  });

  it('asks for it one measured lead ahead (launch 60 s + one tick), not earlier, naming the window', () => {
    expect(w.askedAt).toBe(w.opensAt - 60_000 - TICK_MS);
    const asked = rows[minuteOf(w.askedAt!)]!;
    expect(asked.decision).toBe('scale-out');
    expect(asked.reasons).toContain(
      "headroom window 'early' opens 10:00 Asia/Tokyo: holding 8 × app (asked 120s ahead, launch time measured)",
    );
    const before = rows.slice(0, minuteOf(w.askedAt!));
    expect(before.some((c) => (c.reasons ?? []).some((x) => x.includes('headroom window')))).toBe(false);
  });

  it('overshoots by at most one unit per scale-out, the window’s included', () => {
    expect(day.scaleOuts.length).toBeGreaterThan(0);
    for (const o of day.scaleOuts) expect(o.beyondNeed).toBeLessThanOrEqual(1);
    expect(day.summary[0]!.errors).toBe(0);
    expect(day.summary[0]!.killedByTermination).toBe(0);
  });

  it('drains none of the window’s room while it holds, and scales in once it has closed', () => {
    const holding = rows.slice(minuteOf(w.askedAt!), minuteOf(w.closesAt));
    expect(holding.filter((c) => c.decision === 'scale-in')).toEqual([]);
    expect(w.scaleInAfter).toBeDefined();
    expect(w.scaleInAfter!).toBeGreaterThanOrEqual(w.closesAt);
    const atClose = rows[minuteOf(w.closesAt)]!.desired;
    expect(rows[rows.length - 1]!.desired).toBeLessThan(atClose);
  });
});
