import { parseScaleTickConfig, settingsFor } from '../../../shared/capacity/config';
import {
  arrivalAfter,
  holdingWindows,
  instantOf,
  parseHeadroomWindows,
  TICK_MS,
  windowDemand,
  type HeadroomWindow,
} from '../../../shared/capacity/headroom-windows';
import { planCapacity } from '../../../shared/capacity/plan';
import { inst, MIN, settings, snapshot, svc, tasksOf } from './fixtures';

const one = (raw: string): HeadroomWindow => {
  const { windows, errors } = parseHeadroomWindows(raw);
  expect(errors).toEqual([]);
  return windows[0]!;
};
const at = (iso: string) => Date.parse(iso);

describe('parseHeadroomWindows', () => {
  it.each([
    [
      'morning-web: Mon-Fri 07:30-09:30 Asia/Tokyo 20 x web',
      { name: 'morning-web', days: [1, 2, 3, 4, 5], start: 450, end: 570, timeZone: 'Asia/Tokyo', count: 20, service: 'web' },
    ],
    ['late: sat,SUN 22:00-02:00 UTC 4 x batch_jobs', { days: [0, 6], start: 1320, end: 120, count: 4, service: 'batch_jobs' }],
    ['all_day: daily 00:00-24:00 Europe/Berlin 1 X api', { days: [0, 1, 2, 3, 4, 5, 6], start: 0, end: 1440 }],
    ['weekend: Fri-Mon 18:00-06:00 America/New_York 3 x api', { days: [0, 1, 5, 6], start: 1080, end: 360 }],
    ['split: Mon,Wed-Thu 12:00-13:00 Asia/Kolkata 2 x api', { days: [1, 3, 4] }],
  ])('reads %s', (raw, expected) => {
    expect(one(raw)).toMatchObject(expected);
  });

  it('reads several windows separated by ; and treats an empty value as none', () => {
    const { windows, errors } = parseHeadroomWindows('a: Mon 07:00-08:00 UTC 1 x web ;b: Tue 07:00-08:00 UTC 2 x api');
    expect(errors).toEqual([]);
    expect(windows.map((w) => w.name)).toEqual(['a', 'b']);
    expect(parseHeadroomWindows('  ')).toEqual({ windows: [], errors: [] });
  });

  it.each([
    ['Mon-Fri 07:30-09:30 UTC 20 x web', /window 1 'Mon-Fri 07:30-09:30 UTC 20 x web': expected <name>: <days>/],
    ['w: Mon-Fri 07:30-09:30 UTC 20 web', /window 'w' .*: expected/],
    ['w: Mon-Fry 07:30-09:30 UTC 20 x web', /^window 'w': days 'Mon-Fry': expected daily/],
    ['w: Mon,Mon 07:30-09:30 UTC 20 x web', /^window 'w': days 'Mon,Mon': mon is named twice$/],
    ['w: Mon 7:30-09:30 UTC 20 x web', /^window 'w': time '7:30-09:30': expected HH:MM-HH:MM/],
    ['w: Mon 24:00-09:30 UTC 20 x web', /^window 'w': time '24:00-09:30': expected/],
    ['w: Mon 09:30-09:30 UTC 20 x web', /^window 'w': time '09:30-09:30': opens and closes at the same time$/],
    ['w: Mon 00:00-24:00 UTC 20 x web', null],
    ['w: Mon 07:30-09:30 Asia/Tokio 20 x web', /^window 'w': time zone 'Asia\/Tokio': not an IANA time zone name/],
    ['w: Mon 07:30-09:30 UTC 0 x web', /^window 'w': count '0': expected a whole number from 1 to 10000$/],
    ['w: Mon 07:30-09:30 UTC 2.5 x web', /count '2.5'/],
    ['w: Mon 07:30-09:30 UTC 2 x web.app', /^window 'w': service 'web.app': not an ECS service name/],
  ])('refuses %s, naming the window and the field', (raw, error) => {
    const { windows, errors } = parseHeadroomWindows(raw);
    if (error === null) return expect(errors).toEqual([]);
    expect(windows).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(error);
  });

  it('names every bad field of a window at once, and a name used twice', () => {
    const { errors } = parseHeadroomWindows(
      'w: Xyz 25:00-09:30 Mars/Base 0 x web; ok: Mon 01:00-02:00 UTC 1 x a; ok: Tue 01:00-02:00 UTC 1 x a',
    );
    expect(errors).toEqual([
      expect.stringMatching(/^window 'w': days 'Xyz': .*; time '25:00-09:30': .*; time zone 'Mars\/Base': .*; count '0': /),
      "window 'ok': the name is used twice",
    ]);
  });
});

describe('holdingWindows', () => {
  const tokyo = one('morning-web: Mon-Fri 07:30-09:30 Asia/Tokyo 20 x web');
  const night = one('night: Fri 22:00-02:00 Europe/Berlin 2 x api');
  // 2026-12-07 is a Monday; Tokyo is UTC+9 (no DST), Berlin UTC+1 in December.
  it.each([
    ['Monday 07:30 Tokyo: open', tokyo, '2026-12-06T22:30:00Z', 0, true],
    ['Monday 07:29 Tokyo: not yet', tokyo, '2026-12-06T22:29:00Z', 0, false],
    ['Monday 07:25 Tokyo, 5 min lead: holding', tokyo, '2026-12-06T22:25:00Z', 5 * MIN, true],
    ['Monday 07:24 Tokyo, 5 min lead: not yet', tokyo, '2026-12-06T22:24:00Z', 5 * MIN, false],
    ['Monday 09:29 Tokyo: open', tokyo, '2026-12-07T00:29:00Z', 0, true],
    ['Monday 09:30 Tokyo: closed', tokyo, '2026-12-07T00:30:00Z', 5 * MIN, false],
    ['Saturday 08:00 Tokyo: closed', tokyo, '2026-12-11T23:00:00Z', 0, false],
    ['Sunday 07:25 Tokyo with a lead opens Monday', tokyo, '2026-12-06T22:25:00Z', 5 * MIN, true],
    ['Friday 23:00 Berlin: open', night, '2026-12-11T22:00:00Z', 0, true],
    ['Saturday 01:59 Berlin: still open (crosses midnight)', night, '2026-12-12T00:59:00Z', 0, true],
    ['Saturday 02:00 Berlin: closed', night, '2026-12-12T01:00:00Z', 0, false],
    ['Saturday 23:00 Berlin: closed (opens on Fridays only)', night, '2026-12-12T22:00:00Z', 0, false],
    ['Friday 01:00 Berlin: closed (Thursday is not a day of it)', night, '2026-12-11T00:00:00Z', 0, false],
  ])('%s', (_, w, iso, lead, expected) => {
    expect(holdingWindows([w], at(iso), lead).length > 0).toBe(expected);
  });

  it('gives the opening and closing instants in the window’s own time zone', () => {
    expect(holdingWindows([tokyo], at('2026-12-06T22:25:00Z'), 5 * MIN)).toEqual([
      { window: tokyo, opensAt: at('2026-12-06T22:30:00Z'), closesAt: at('2026-12-07T00:30:00Z') },
    ]);
    expect(holdingWindows([night], at('2026-12-12T00:00:00Z'), 0)[0]).toMatchObject({
      opensAt: at('2026-12-11T21:00:00Z'),
      closesAt: at('2026-12-12T01:00:00Z'),
    });
  });

  it('follows daylight saving time: 07:30 New York is 12:30 UTC in winter and 11:30 UTC in summer', () => {
    const ny = one('ny: daily 07:30-08:00 America/New_York 1 x web');
    expect(holdingWindows([ny], at('2026-12-07T12:30:00Z'), 0)).toHaveLength(1);
    expect(holdingWindows([ny], at('2026-12-07T11:30:00Z'), 0)).toHaveLength(0);
    expect(holdingWindows([ny], at('2026-07-06T11:30:00Z'), 0)).toHaveLength(1);
  });

  it('reads a wall time skipped by a DST change with the offset before it, and a repeated one at its first occurrence', () => {
    // New York springs forward 2026-03-08 02:00 EST → 03:00 EDT; Berlin falls back 2026-10-25 03:00 CEST → 02:00 CET.
    expect(instantOf(2026, 3, 8, 150, 'America/New_York')).toBe(at('2026-03-08T07:30:00Z'));
    expect(instantOf(2026, 10, 25, 150, 'Europe/Berlin')).toBe(at('2026-10-25T00:30:00Z'));
    expect(instantOf(2026, 12, 7, 450, 'Asia/Tokyo')).toBe(at('2026-12-06T22:30:00Z'));
  });
});

describe('window demand in the planner', () => {
  const web = () => svc('web', 2, 2, 0, 512, 1024);
  const cluster = (over: Parameters<typeof snapshot>[0] = {}) =>
    snapshot({ instances: [inst('i-1', 'a', tasksOf('web', 2, 512, 1024))], services: [web()], ...over });
  const windows = [one('morning-web: Mon-Fri 07:30-09:30 Asia/Tokyo 6 x web')];
  const s = settings({ headroomWindows: windows, windowLeadMs: 4 * MIN });
  const opens = at('2026-12-06T22:30:00Z');

  it('asks for the window’s room one lead (the setting plus one tick) before it opens, and not earlier', () => {
    const early = planCapacity(cluster(), s, opens - 4 * MIN - TICK_MS - 1);
    expect(early.decision).not.toBe('scale-out');
    const d = planCapacity(cluster(), s, opens - 4 * MIN - TICK_MS);
    expect(d).toMatchObject({ decision: 'scale-out', units: 1 });
    expect(d.reasons).toContain(
      "headroom window 'morning-web' opens 07:30 Asia/Tokyo: holding 6 × web (asked 300s ahead, launch time from the setting)",
    );
    expect(d.reasons.join('\n')).toMatch(/4 task\(s\) need room the cluster lacks \(headroom window 'morning-web'\): 1 unit\(s\)/);
  });

  it('uses the measured launch time when the snapshot has one within the arrival timeout', () => {
    const measured = cluster({ recent: { arrivalMs: 90_000 } });
    expect(planCapacity(measured, s, opens - 150_000 - 1).decision).not.toBe('scale-out');
    expect(planCapacity(measured, s, opens - 150_000).reasons.join('\n')).toMatch(/asked 150s ahead, launch time measured/);
    const tooLong = cluster({ recent: { arrivalMs: s.arrivalTimeoutMs + 1 } });
    expect(windowDemand(tooLong, s, opens - 300_000).reasons[0]).toMatch(/asked 300s ahead, launch time from the setting/);
  });

  it('does not count the window’s room as reserved: no extra units from the reservation threshold', () => {
    // i-1 (an m5.large, 2048 CPU) holds 2 web tasks and 2 of the window's; the other 4 (2048 CPU) fill one more m5.large.
    const d = planCapacity(cluster(), s, opens);
    expect(d.units).toBe(1);
    expect(d.reasons.some((r) => r.startsWith('cpu reservation'))).toBe(false);
  });

  it('keeps the room the window holds: no scale-in while it is open, scale-in once it closes', () => {
    const quiet = snapshot({
      instances: [inst('i-1', 'a', tasksOf('web', 2, 512, 1024)), inst('i-2', 'b'), inst('i-3', 'c')],
      services: [web()],
      min: 1,
    });
    // 8 window tasks (4096 CPU) fit the free room of all three (1024 + 2048 + 2048), not of any two.
    const eight = settings({ headroomWindows: [{ ...windows[0]!, count: 8 }] });
    const open = planCapacity(quiet, eight, opens + 10 * MIN);
    expect(open.decision).toBe('none');
    expect(open.reasons.join('\n')).toMatch(/i-\d kept: \d+ task\(s\) would not fit on the rest/);
    const closed = planCapacity(quiet, eight, at('2026-12-07T00:30:00Z'));
    expect(closed.decision).toBe('scale-in');
  });

  it('says so when the cluster runs no such service or its size is unknown, and holds nothing', () => {
    const none = windowDemand(cluster({ services: [] }), s, opens);
    expect(none).toEqual({ demand: [], reasons: [expect.stringMatching(/runs no service 'web': nothing held$/)] });
    const unsized = windowDemand(cluster({ services: [svc('web', 2, 2, 0, 0, 0)] }), s, opens);
    expect(unsized.reasons[0]).toMatch(/the size of a web task is not known: nothing held$/);
  });

  it('carries the service’s fixed host ports: one window task per instance', () => {
    const ported = cluster({ services: [{ ...web(), hostPorts: [80] }], instances: [] });
    const d = windowDemand(ported, s, opens);
    expect(d.demand).toEqual([{ window: 'morning-web', service: 'web', count: 6, cpu: 512, memory: 1024, ports: [80] }]);
    expect(planCapacity(ported, s, opens).units).toBe(6);
  });
});

describe('launch time and settings', () => {
  it('measures from the last scale-out to the last of our instances registered after it', () => {
    expect(arrivalAfter([1_000, 61_000, 95_000, undefined], 2_000)).toBe(93_000);
    expect(arrivalAfter([1_000], 2_000)).toBeUndefined();
    expect(arrivalAfter([5_000], undefined)).toBeUndefined();
  });

  it('reads HEADROOM_WINDOWS and its lead from the environment and refuses a bad one naming the variable and the field', () => {
    const c = parseScaleTickConfig({ HEADROOM_WINDOWS: 'w: Mon 07:00-08:00 UTC 3 x web', HEADROOM_WINDOW_LEAD_SECONDS: '120' });
    expect(c.defaults.headroomWindows).toEqual([expect.objectContaining({ name: 'w', count: 3 })]);
    expect(c.defaults.windowLeadMs).toBe(120_000);
    expect(parseScaleTickConfig({}).defaults.windowLeadMs).toBe(300_000);
    expect(() => parseScaleTickConfig({ HEADROOM_WINDOWS: 'w: Mon 07:00-08:00 Nowhere 3 x web' })).toThrow(
      /HEADROOM_WINDOWS=.*time zone 'Nowhere': not an IANA time zone name/,
    );
  });

  it('lets a backend tag override the windows, and names the tag when it is bad', () => {
    const d = parseScaleTickConfig({}).defaults;
    const s = settingsFor(d, { 'ecs-steady:headroom-windows': 'tag: daily 07:00-08:00 UTC 2 x api' });
    expect(s.headroomWindows?.map((w) => w.name)).toEqual(['tag']);
    expect(() => settingsFor(d, { 'ecs-steady:headroom-windows': 'tag: daily 07:00 UTC 2 x api' })).toThrow(
      /invalid backend tags: ecs-steady:headroom-windows=.*window 'tag': time '07:00'/,
    );
  });
});
