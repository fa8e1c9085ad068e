import { simulateDay, type DayClusterRow, type DayResult } from '../../../bench/capacity-day';
import { renderDayChart } from '../../../scripts/demo-day';

/**
 * The day's traffic compressed into 3 simulated hours (180 ticks, one a simulated minute): the
 * lunchtime spike on `app` lasts 7.5 minutes. Run once; every property is read from its rows.
 */
describe('scaleTick over a day of traffic (3 simulated hours, compressed)', () => {
  let day: DayResult;
  let rows: DayClusterRow[];
  beforeAll(async () => {
    day = await simulateDay({ hours: 3 });
    rows = day.rows.map((r) => r.clusters[0]!);
  });

  it('answers the lunchtime spike that starves app with a scale-out within one tick of the starvation', () => {
    const spike = rows.findIndex((c, m) => m > 60 && c.starved.includes('app') && c.desiredTasks >= 24);
    expect(spike).toBeGreaterThan(0);
    const answer = rows.findIndex((c, m) => m >= spike && c.decision === 'scale-out');
    expect(answer - spike).toBeLessThanOrEqual(1);
    // …and the service is placed in full once that capacity registers, within a few ticks.
    const placed = rows.findIndex((c, m) => m > answer && c.running === c.desiredTasks);
    expect(placed - answer).toBeLessThanOrEqual(3);
  });

  it('answers every starvation within one tick, and no scale-out launches units the day did not turn out to need', () => {
    rows.forEach((c, m) => {
      if (c.starved.length === 0 || (m > 0 && rows[m - 1]!.starved.length > 0)) return;
      expect(rows.slice(m, m + 2).some((x) => x.decision === 'scale-out') || rows[m]!.desired > rows[m]!.inService).toBe(true);
    });
    for (const o of day.scaleOuts) expect(o.beyondNeed).toBe(0);
  });

  it('keeps desired within max and takes capacity away one instance at a time', () => {
    expect(Math.max(...rows.map((c) => c.desired))).toBeLessThanOrEqual(day.summary[0]!.max);
    rows.forEach((c, m) => {
      if (c.decision !== 'scale-in') return;
      const before = m > 0 ? rows[m - 1]!.desired : 2;
      expect(before - c.desired).toBeLessThanOrEqual(1);
      expect(c.draining).toBeLessThanOrEqual(1);
    });
    expect(day.summary[0]!.scaleIns).toBeGreaterThan(0);
    expect(rows[rows.length - 1]!.desired).toBeLessThan(day.summary[0]!.maxDesired);
  });

  it('kills no task: every scale-in drained its instance before removing it', () => {
    expect(day.summary[0]!.killedByTermination).toBe(0);
    expect(day.summary[0]!.errors).toBe(0);
  });

  it('draws the chart: an SVG with the reservation and capacity series, one point per tick, and a marker per decision', () => {
    const html = renderDayChart(day);
    const svg = /<svg[\s\S]*<\/svg>/.exec(html)?.[0] ?? '';
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src="http/);
    const series = (key: string) => new RegExp(`<path data-series="${key}" d="([^"]+)"`).exec(svg)?.[1] ?? '';
    for (const key of ['cpu', 'memory']) expect(series(key).match(/[ML]/g)).toHaveLength(day.ticks);
    for (const key of ['desired', 'inService', 'need']) expect(series(key).split(' H').length).toBeGreaterThan(day.ticks);
    const markers = [...svg.matchAll(/<g class="decision" data-decision="([a-z-]+)"/g)].map((m) => m[1]);
    const decisions = rows.filter((c) => c.decision !== 'none').map((c) => c.decision);
    expect(markers).toEqual(decisions);
    expect(markers).toEqual(expect.arrayContaining(['scale-out', 'scale-in']));
    for (const label of [
      'reservation (%)',
      'capacity (units)',
      'CPU reservation (%)',
      'memory reservation (%)',
      'desired (units)',
      'in service (units)',
    ])
      expect(svg).toContain(`>${label}</text>`);
  });
});
