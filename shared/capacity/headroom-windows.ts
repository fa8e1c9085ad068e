import type { CapacitySettings, CapacitySnapshot, WindowDemand } from './types';

/**
 * Headroom windows: room held at set times of the week for N tasks of one service, e.g.
 * `morning-web: Mon-Fri 07:30-09:30 Asia/Tokyo 20 x web`. Pure: parse, "which windows hold room
 * at `now`", and the demand they add. Times are wall-clock times in an IANA time zone (Intl);
 * a window whose end is not after its start closes the next day (it belongs to the day it opens).
 */
export interface HeadroomWindow {
  name: string;
  /** Days it opens on, 0 = Sunday … 6 = Saturday, in its time zone. */
  days: readonly number[];
  /** Minutes after local midnight; `end` ≤ `start` closes the next day (1440 = 24:00). */
  start: number;
  end: number;
  timeZone: string;
  count: number;
  service: string;
}

/** One opening of a window, as instants. */
export interface WindowOccurrence {
  window: HeadroomWindow;
  opensAt: number;
  closesAt: number;
}

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const DAY_MS = 86_400_000;
/** Most windows one cluster holds: the planner checks each every tick, and a tag value holds 256 characters anyway. */
export const MAX_WINDOWS = 20;
/** Most tasks one window holds (a window is a few instances' worth, not a second cluster). */
export const MAX_WINDOW_TASKS = 10_000;
/** ECS service names: "Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens" (CreateService). */
const SERVICE_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const WINDOW_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const WINDOW_SYNTAX = '<name>: <days> <HH:MM>-<HH:MM> <IANA time zone> <count> x <service>';
export const WINDOWS_SYNTAX = `${WINDOW_SYNTAX}; …`;

/** Days: `daily`, or a comma list of names and ranges (`Mon-Fri`, `Sat,Sun`, `Fri-Mon` wraps past Sunday). */
function parseDays(raw: string): number[] | string {
  if (raw.toLowerCase() === 'daily') return [0, 1, 2, 3, 4, 5, 6];
  const out: number[] = [];
  for (const part of raw.split(',')) {
    const m = /^([A-Za-z]{3})(?:-([A-Za-z]{3}))?$/.exec(part);
    const from = m ? DAY_NAMES.indexOf(m[1]!.toLowerCase() as (typeof DAY_NAMES)[number]) : -1;
    const to = m?.[2] !== undefined ? DAY_NAMES.indexOf(m[2].toLowerCase() as (typeof DAY_NAMES)[number]) : from;
    if (from < 0 || to < 0) return `days '${raw}': expected daily, or day names (Mon … Sun) and ranges like Mon-Fri, comma-separated`;
    for (let d = from; ; d = (d + 1) % 7) {
      if (out.includes(d)) return `days '${raw}': ${DAY_NAMES[d]} is named twice`;
      out.push(d);
      if (d === to) break;
    }
  }
  return out.sort((a, b) => a - b);
}

/** `HH:MM` as minutes after midnight; `24:00` only as an end. */
function parseTime(raw: string, end: boolean): number | undefined {
  const m = /^(\d{2}):(\d{2})$/.exec(raw);
  if (!m) return undefined;
  const [h, min] = [Number(m[1]), Number(m[2])];
  if (end && h === 24 && min === 0) return 1440;
  return h <= 23 && min <= 59 ? h * 60 + min : undefined;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** A time zone Intl knows (IANA names, `UTC`); anything else is refused. */
export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock at instant `t` in `zone`: the date, weekday (0 = Sunday) and minute of the day. */
export function localTime(t: number, zone: string): { y: number; m: number; d: number; weekday: number; minute: number; offsetMs: number } {
  const p = Object.fromEntries(
    formatter(zone)
      .formatToParts(new Date(t))
      .map((x) => [x.type, Number(x.value)]),
  ) as Record<string, number>;
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return {
    y: p.year!,
    m: p.month!,
    d: p.day!,
    weekday: new Date(Date.UTC(p.year!, p.month! - 1, p.day!)).getUTCDay(),
    minute: p.hour! * 60 + p.minute!,
    offsetMs: wall - Math.floor(t / 1000) * 1000,
  };
}

/**
 * The instant a wall-clock time (local date + minutes) happens in `zone`. A time a DST change
 * skips is read with the offset before the change (02:30 on a spring-forward day opens at 03:30);
 * one it repeats opens at its first occurrence.
 */
export function instantOf(y: number, m: number, d: number, minute: number, zone: string): number {
  const wall = Date.UTC(y, m - 1, d, 0, minute);
  // The offsets half a day either side: a zone changes its offset at most once in a day.
  const readings = [wall - localTime(wall - DAY_MS / 2, zone).offsetMs, wall - localTime(wall + DAY_MS / 2, zone).offsetMs];
  const real = readings.filter((t) => t + localTime(t, zone).offsetMs === wall);
  // Repeated (both real): the first occurrence. Skipped (neither): the offset before the change, the later reading.
  return real.length > 0 ? Math.min(...real) : Math.max(...readings);
}

/**
 * Parse a windows setting. Never throws: every bad field of every window is named in `errors`
 * (the caller turns them into one ConfigError naming the variable or tag).
 */
export function parseHeadroomWindows(raw: string): { windows: HeadroomWindow[]; errors: string[] } {
  const windows: HeadroomWindow[] = [];
  const errors: string[] = [];
  if (raw.trim() === '') return { windows, errors };
  const parts = raw.split(';').map((p) => p.trim());
  if (parts.length > MAX_WINDOWS) errors.push(`${parts.length} windows: at most ${MAX_WINDOWS}`);
  parts.forEach((part, k) => {
    const colon = part.indexOf(':');
    const name = colon > 0 ? part.slice(0, colon).trim() : '';
    const label = WINDOW_NAME.test(name) ? `window '${name}'` : `window ${k + 1}`;
    const tokens = part
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    if (!WINDOW_NAME.test(name) || tokens.length !== 6 || tokens[4]!.toLowerCase() !== 'x') {
      errors.push(`${label} '${part}': expected ${WINDOW_SYNTAX} (name: letters, digits, - and _, up to 64 characters)`);
      return;
    }
    const [dayText, span, timeZone, countText, , service] = tokens as [string, string, string, string, string, string];
    const bad: string[] = [];
    const days = parseDays(dayText);
    if (typeof days === 'string') bad.push(days);
    const [startText = '', endText = '', ...rest] = span.split('-');
    const start = parseTime(startText, false);
    const end = parseTime(endText, true);
    if (start === undefined || end === undefined || rest.length > 0) bad.push(`time '${span}': expected HH:MM-HH:MM (00:00 to 24:00)`);
    else if (start === end) bad.push(`time '${span}': opens and closes at the same time`);
    if (!isTimeZone(timeZone)) bad.push(`time zone '${timeZone}': not an IANA time zone name (e.g. Asia/Tokyo, Europe/Berlin, UTC)`);
    const count = /^\d{1,6}$/.test(countText) ? Number(countText) : NaN;
    if (!(count >= 1 && count <= MAX_WINDOW_TASKS)) bad.push(`count '${countText}': expected a whole number from 1 to ${MAX_WINDOW_TASKS}`);
    if (!SERVICE_NAME.test(service)) bad.push(`service '${service}': not an ECS service name (letters, digits, - and _)`);
    if (windows.some((w) => w.name === name)) bad.push('the name is used twice');
    if (bad.length > 0) errors.push(`${label}: ${bad.join('; ')}`);
    else windows.push({ name, days: days as number[], start: start!, end: end!, timeZone, count, service });
  });
  return { windows, errors };
}

/**
 * Windows holding room at `now`: open now, or opening within `leadMs` (capacity takes that long
 * to be in service, so it is asked that much early). One occurrence per window, the earliest.
 */
export function holdingWindows(windows: readonly HeadroomWindow[], now: number, leadMs: number): WindowOccurrence[] {
  const out: WindowOccurrence[] = [];
  for (const w of windows) {
    const today = localTime(now, w.timeZone);
    // The opening that may hold `now` began at most a day before it (a window lasts under 24 h) or starts within the lead (≤ 1 h).
    for (let k = -1; k <= 2; k++) {
      const day = new Date(Date.UTC(today.y, today.m - 1, today.d + k));
      if (!w.days.includes(day.getUTCDay())) continue;
      const [y, m, d] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
      const opensAt = instantOf(y, m, d, w.start, w.timeZone);
      const closesAt = w.end > w.start ? instantOf(y, m, d, w.end, w.timeZone) : instantOf(y, m, d + 1, w.end, w.timeZone);
      if (opensAt - leadMs <= now && now < closesAt) {
        out.push({ window: w, opensAt, closesAt });
        break;
      }
    }
  }
  return out;
}

/**
 * How long our last scale-out took to be in service, from what a cluster read already holds: the
 * last scale-out's time (our tag) to the latest ECS registeredAt among the backend's instances
 * registered since. windowLead ignores a figure beyond the arrival timeout (a later replacement,
 * not that batch).
 */
export function arrivalAfter(registeredAt: ReadonlyArray<number | undefined>, lastScaleOutAt: number | undefined): number | undefined {
  if (lastScaleOutAt === undefined) return undefined;
  const since = registeredAt.filter((t): t is number => t !== undefined && t > lastScaleOutAt);
  return since.length > 0 ? Math.max(...since) - lastScaleOutAt : undefined;
}

/** One scaleTick period: the tick that asks may come up to this long after the moment the lead says to ask. */
export const TICK_MS = 60_000;

/**
 * How early a window's room is asked for: the measured time from our last scale-out to the last
 * of its instances registering in ECS (when it is known and not beyond the arrival timeout), else
 * the setting; plus one tick period.
 */
export function windowLead(snap: CapacitySnapshot, s: CapacitySettings): { leadMs: number; measured: boolean } {
  const arrival = snap.recent.arrivalMs;
  const measured = arrival !== undefined && arrival > 0 && arrival <= s.arrivalTimeoutMs;
  return { leadMs: (measured ? arrival : s.windowLeadMs) + TICK_MS, measured };
}

const hhmm = (t: number, zone: string) => {
  const m = localTime(t, zone).minute;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};

/**
 * The demand the windows holding room at `now` add (task-shaped: the service's task as the
 * snapshot knows it, its fixed host ports too), with a reason per window. A window whose service
 * the cluster does not run, or whose size is not known, holds nothing and says so.
 */
export function windowDemand(snap: CapacitySnapshot, s: CapacitySettings, now: number): { demand: WindowDemand[]; reasons: string[] } {
  const windows = s.headroomWindows ?? [];
  if (windows.length === 0) return { demand: [], reasons: [] };
  const { leadMs, measured } = windowLead(snap, s);
  const demand: WindowDemand[] = [];
  const reasons: string[] = [];
  for (const { window: w, opensAt, closesAt } of holdingWindows(windows, now, leadMs)) {
    const at = now >= opensAt ? `is open until ${hhmm(closesAt, w.timeZone)}` : `opens ${hhmm(opensAt, w.timeZone)}`;
    const lead = `asked ${Math.round(leadMs / 1000)}s ahead, launch time ${measured ? 'measured' : 'from the setting'}`;
    const when = `${at} ${w.timeZone}`;
    const v = snap.services.find((x) => x.name === w.service && !x.daemon);
    if (!v) reasons.push(`headroom window '${w.name}' ${when}, but the cluster runs no service '${w.service}': nothing held`);
    else if (v.task.cpu <= 0 && v.task.memory <= 0)
      reasons.push(`headroom window '${w.name}' ${when}, but the size of a ${w.service} task is not known: nothing held`);
    else {
      demand.push({
        window: w.name,
        service: w.service,
        count: w.count,
        ...v.task,
        ...(v.hostPorts?.length ? { ports: v.hostPorts } : {}),
      });
      reasons.push(`headroom window '${w.name}' ${when}: holding ${w.count} × ${w.service} (${lead})`);
    }
  }
  return { demand, reasons };
}
