import { aboveNeedPercent, simulateDay, type DayClusterRow, type DayResult, type DaySummary } from '../../../bench/capacity-day';
import { renderDayChart, renderSummary } from '../../../scripts/demo-day';

const row = (desired: number, neededUnits: number): DayClusterRow => ({
  cluster: 'cap-asg',
  backend: 'asg',
  cpu: 50,
  memory: 40,
  desired,
  inService: desired,
  registered: desired,
  draining: 0,
  running: 4,
  desiredTasks: 4,
  starved: [],
  deploying: [],
  stuckDeployments: [],
  decision: 'none',
  reason: '',
  neededUnits,
});

/** Four minutes: desired 4, 4, 3, 2 against a need of 2: 2 + 2 + 1 + 0 = 5 unit-minutes above need of 13 used. */
function day(): DayResult {
  const rows = [4, 4, 3, 2].map((d, m) => ({ minute: m, at: Date.UTC(2026, 10, 23) + m * 60_000, clusters: [row(d, 2)] }));
  const summary: DaySummary = {
    cluster: 'cap-asg',
    backend: 'asg',
    max: 12,
    scaleOuts: 0,
    scaleIns: 0,
    removeDrained: 0,
    errors: 0,
    maxDesired: 4,
    unitsAsked: 0,
    unitsNeeded: 0,
    beyondNeed: 0,
    starvedMinutes: 0,
    unitMinutesAboveNeed: 5,
    unitMinutesUsed: 13,
    killedByTermination: 0,
  };
  return {
    hours: 1,
    ticks: 4,
    start: rows[0]!.at,
    services: [],
    thresholds: { scaleOut: 85, scaleIn: 50 },
    rows,
    scaleOuts: [],
    windows: [],
    summary: [summary],
    wallMs: 0,
  };
}

describe('unit-minutes above need', () => {
  it('is reported as a share of the unit-minutes used, one decimal', () => {
    expect(aboveNeedPercent({ unitMinutesAboveNeed: 5, unitMinutesUsed: 13 })).toBe(38.5);
    expect(aboveNeedPercent({ unitMinutesAboveNeed: 0, unitMinutesUsed: 0 })).toBe(0);
    expect(renderSummary(day())).toContain('5 unit-minutes above need (38.5 % of 13 used)');
  });

  it('is drawn on the chart: the figure, and a shaded band only on the minutes desired is above need', () => {
    const html = renderDayChart(day());
    expect(html).toMatch(/<text data-figure="above-need"[^>]*>5 unit-minutes above need \(38.5 % of 13 used\)<\/text>/);
    expect(html.match(/<rect data-series="above-need"/g)).toHaveLength(3);
    expect(html).toContain('>above need</text>');
  });

  it('sums, over a simulated hour, desired less the need each minute (never below 0) and desired itself', async () => {
    const d = await simulateDay({ hours: 1 });
    const rows = d.rows.map((r) => r.clusters[0]!);
    expect(d.summary[0]!.unitMinutesUsed).toBe(rows.reduce((n, c) => n + c.desired, 0));
    expect(d.summary[0]!.unitMinutesAboveNeed).toBe(rows.reduce((n, c) => n + Math.max(0, c.desired - c.neededUnits), 0));
    expect(d.summary[0]!.unitMinutesUsed).toBeGreaterThan(d.summary[0]!.unitMinutesAboveNeed);
  }, 60_000);
});
