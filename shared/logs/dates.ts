/**
 * Calendar dates as `YYYY-MM-DD` strings. Arithmetic is done in UTC on the date alone, so a
 * day is always one day (no DST surprises); the time zone only decides which date "today" is.
 */
export type IsoDate = string;

export interface DateParts {
  year: number;
  month: number;
  day: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** The parts of a real calendar date, or undefined (`2026-02-30` is not a date). */
export function parseIsoDate(value: string): DateParts | undefined {
  const m = ISO_DATE.exec(value);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(year, month - 1, day));
  if (t.getUTCFullYear() !== year || t.getUTCMonth() !== month - 1 || t.getUTCDate() !== day) return undefined;
  return { year, month, day };
}

export function isIsoDate(value: string): boolean {
  return parseIsoDate(value) !== undefined;
}

function partsOf(date: IsoDate): DateParts {
  const p = parseIsoDate(date);
  if (!p) throw new RangeError(`not a date: ${JSON.stringify(date)}`);
  return p;
}

function toEpochDay(date: IsoDate): number {
  const { year, month, day } = partsOf(date);
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

function fromEpochDay(n: number): IsoDate {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromEpochDay(toEpochDay(date) + days);
}

/** Days from `from` to `to`, both included (0 when `to` is before `from`). */
export function daysInRange(from: IsoDate, to: IsoDate): number {
  return Math.max(0, toEpochDay(to) - toEpochDay(from) + 1);
}

/** Every date from `from` to `to`, both included. */
export function dateRange(from: IsoDate, to: IsoDate): IsoDate[] {
  const start = toEpochDay(from);
  return Array.from({ length: daysInRange(from, to) }, (_, i) => fromEpochDay(start + i));
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The calendar date at instant `now` (ms) in an IANA time zone. */
export function localDate(now: number, timeZone: string): IsoDate {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** One calendar month's share of a date range. */
export interface MonthSegment {
  year: number;
  month: number;
  fromDay: number;
  toDay: number;
}

/**
 * Split a date range into per-month pieces, so a query can say `year = ? and month = ? and
 * day between ? and ?` — a predicate Athena prunes partitions with directly.
 */
export function monthSegments(from: IsoDate, to: IsoDate): MonthSegment[] {
  const segments: MonthSegment[] = [];
  for (const date of dateRange(from, to)) {
    const { year, month, day } = partsOf(date);
    const last = segments[segments.length - 1];
    if (last && last.year === year && last.month === month) last.toDay = day;
    else segments.push({ year, month, fromDay: day, toDay: day });
  }
  return segments;
}

/** Path piece `YYYY/MM/DD/` (zero-padded, as fluentd's `%Y/%m/%d` writes it). */
export function datePath(date: IsoDate): string {
  const { year, month, day } = partsOf(date);
  return `${year}/${String(month).padStart(2, '0')}/${String(day).padStart(2, '0')}/`;
}

/** Partition values for year/month/day int keys: canonical integers, no padding. */
export function partitionValues(date: IsoDate): [string, string, string] {
  const { year, month, day } = partsOf(date);
  return [String(year), String(month), String(day)];
}
