import fc from 'fast-check';
import { packOnto } from '../../../shared/capacity/bin-pack';
import { withDraining } from '../../../shared/capacity/choose';
import { demandItems, freeRooms } from '../../../shared/capacity/demand';
import { holdingWindows, instantOf, localTime, windowDemand, type HeadroomWindow } from '../../../shared/capacity/headroom-windows';
import { planCapacity } from '../../../shared/capacity/plan';
import { arbQuietWorld } from './world';

const RUNS = { numRuns: 300 };
const MINUTE = 60_000;
const DAY = 86_400_000;

/** Whole-hour, half-hour and 45-minute offsets, and two zones with daylight saving time (their change days are skipped). */
const ZONES = ['UTC', 'Asia/Tokyo', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'America/New_York', 'Europe/Berlin'];

const arbWindow: fc.Arbitrary<HeadroomWindow> = fc
  .record({
    days: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }),
    start: fc.integer({ min: 0, max: 1439 }),
    end: fc.integer({ min: 0, max: 1440 }),
    timeZone: fc.constantFrom(...ZONES),
    count: fc.integer({ min: 1, max: 50 }),
  })
  .filter((w) => w.start !== w.end)
  .map((w) => ({ ...w, name: 'w', service: 'web', days: [...w.days].sort() }));

/** Any instant of 2026–2027, to the millisecond, or on a whole minute (where windows open and close: the edges). */
const arbMs = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 11, 31) });
const arbTime = fc.oneof(
  arbMs,
  arbMs.map((t) => Math.floor(t / MINUTE) * MINUTE),
);

/** A window and an instant: anywhere, or right at (±1 ms, ±1 min) one of its edges on a random day. */
const arbCase = arbWindow.chain((w) =>
  fc.tuple(
    fc.constant(w),
    fc.oneof(
      arbTime,
      fc.tuple(arbMs, fc.constantFrom(w.start, w.end), fc.constantFrom(-MINUTE, -1, 0, 1, MINUTE)).map(([day, minute, delta]) => {
        const d = new Date(day);
        return instantOf(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), minute, w.timeZone) + delta;
      }),
    ),
  ),
);

/** The oracle, from the wall clock alone: the local weekday and minute at `t`, against the window's days and times. */
function insideWall(w: HeadroomWindow, t: number): boolean {
  const { weekday, minute } = localTime(t, w.timeZone);
  if (w.end > w.start) return w.days.includes(weekday) && minute >= w.start && minute < w.end;
  return (w.days.includes(weekday) && minute >= w.start) || (w.days.includes((weekday + 6) % 7) && minute < w.end);
}

/** No offset change within two days of `t` (where wall clock and instants disagree by design: docs/capacity.md). */
const steady = (zone: string, t: number) => localTime(t - 2 * DAY, zone).offsetMs === localTime(t + 2 * DAY, zone).offsetMs;

describe('headroom window properties', () => {
  it('a window is open at t exactly when t is inside it on the wall clock of its time zone', () => {
    fc.assert(
      fc.property(arbCase, ([w, t]) => {
        fc.pre(steady(w.timeZone, t));
        expect(holdingWindows([w], t, 0).length > 0).toBe(insideWall(w, t));
      }),
      RUNS,
    );
  });

  it('the lead shifts the opening exactly: holding at t ⇔ inside at some moment of [t, t + lead]', () => {
    fc.assert(
      fc.property(arbCase, fc.integer({ min: 0, max: 60 }), ([w, t], leadMinutes) => {
        fc.pre(steady(w.timeZone, t));
        const lead = leadMinutes * MINUTE;
        // Windows open on whole minutes (every offset here is whole minutes): checking t and each minute up to t + lead is exact.
        const first = Math.ceil(t / MINUTE) * MINUTE;
        let inside = insideWall(w, t);
        for (let s = first; !inside && s <= t + lead; s += MINUTE) inside = insideWall(w, s);
        expect(holdingWindows([w], t, lead).length > 0).toBe(inside);
      }),
      RUNS,
    );
  });

  it('an occurrence found holds t: it opens no later than t + lead, closes after t, and lasts what the window says', () => {
    fc.assert(
      fc.property(arbCase, fc.integer({ min: 0, max: 3600 }), ([w, t], leadSeconds) => {
        fc.pre(steady(w.timeZone, t));
        for (const o of holdingWindows([w], t, leadSeconds * 1000)) {
          expect(o.opensAt - leadSeconds * 1000).toBeLessThanOrEqual(t);
          expect(o.closesAt).toBeGreaterThan(t);
          const length = (w.end > w.start ? w.end - w.start : w.end + 1440 - w.start) * MINUTE;
          expect(o.closesAt - o.opensAt).toBe(length);
          expect(insideWall(w, o.opensAt)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('the planner never drains room an open window holds: after a scale-in its tasks and every other still fit the rest', () => {
    let drained = 0;
    fc.assert(
      fc.property(arbQuietWorld, fc.integer({ min: 1, max: 4 }), (w, count) => {
        const service = w.snap.services.find((v) => !v.daemon && v.task.cpu > 0);
        fc.pre(service !== undefined);
        const all: HeadroomWindow = {
          name: 'all',
          days: [0, 1, 2, 3, 4, 5, 6],
          start: 0,
          end: 1440,
          timeZone: 'UTC',
          count,
          service: service!.name,
        };
        const s = { ...w.settings, headroomWindows: [all] };
        const d = planCapacity(w.snap, s, w.now);
        if (d.decision !== 'scale-in') return;
        drained++;
        const after = withDraining(w.snap, d.instanceToDrain!);
        const held = { ...after, windowDemand: windowDemand(after, s, w.now).demand };
        expect(held.windowDemand).toHaveLength(1);
        expect(packOnto(demandItems(held, s), freeRooms(held))).toEqual([]);
      }),
      RUNS,
    );
    // The property is not vacuous: some clusters do scale in with the window open.
    expect(drained).toBeGreaterThan(0);
  });
});
