import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import type { SimulatedAccount } from '../sim/account';

/**
 * A tiny measuring helper for `npm run bench`. A scenario is set up (untimed), run (timed),
 * then asked for its counters: exact numbers such as API calls by operation, which must come
 * out the same on every run. Wall time and memory are indicative only; counters are not.
 */

/** One benchmark: `setup` builds the starting state (untimed), `run` is what is measured. */
export interface Scenario<C, R> {
  name: string;
  setup(): Promise<C> | C;
  run(ctx: C): Promise<R>;
  /** Exact, deterministic numbers read after the run (calls by operation, simulated seconds, …). */
  counters?(ctx: C, result: R): Record<string, number>;
}

export interface Stats {
  min: number;
  median: number;
  /** p95 with 20 or more runs; the maximum below that (a p95 of 5 samples is the maximum anyway). */
  high: number;
}

export interface Measurement {
  name: string;
  runs: number;
  wallMs: Stats;
  /** heapUsed after the run and a full GC, minus heapUsed before (after a full GC): what the run left reachable. */
  heapRetainedBytes: Stats;
  /** heapUsed right at the end of the run, before any GC, minus the same baseline: garbage not yet collected plus retained. */
  heapAtEndBytes: Stats;
  /** Highest resident set size seen: sampled before, during (every 5 ms when the event loop lets the timer fire) and after each run. */
  peakRssBytes: number;
  /** Counters of the first measured run. */
  counters: Record<string, number>;
  /** False when some measured run produced different counters (the run is not deterministic). */
  countersStable: boolean;
}

export interface MeasureOptions {
  runs?: number;
  warmups?: number;
  /** Called before each run with e.g. "logPartitions daily, 1000 tables: run 3/5". */
  progress?: (line: string) => void;
}

/** A markdown table: a header row and rows of cells (numbers are printed as given). */
export interface Table {
  columns: string[];
  rows: Array<Array<string | number>>;
}

/**
 * One part of the report: a `## title` and a list of blocks, each a markdown string
 * (paragraphs, lists) or a table. This is the whole interface between a benchmark module
 * and `run.ts`.
 */
export interface Section {
  title: string;
  body: Array<string | Table>;
}

/** How a full GC is triggered: `global.gc` under --expose-gc, else V8's flag set at run time (as jest --detectLeaks does). */
export const gcMethod: { gc?: () => void; how: string } = findGc();

function findGc(): { gc?: () => void; how: string } {
  if (typeof globalThis.gc === 'function') return { gc: globalThis.gc, how: 'global.gc (--expose-gc)' };
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    return { gc, how: 'v8.setFlagsFromString("--expose-gc") at run time' };
  } catch {
    return { how: 'unavailable: heap numbers include uncollected garbage' };
  }
}

function collect(): void {
  // Twice: the first pass can leave objects that only become unreachable after finalizers run.
  gcMethod.gc?.();
  gcMethod.gc?.();
}

/** Run `scenario` `warmups` times unmeasured, then `runs` times measured (default 1 + 5). */
export async function measure<C, R>(scenario: Scenario<C, R>, options: MeasureOptions = {}): Promise<Measurement> {
  const runs = Math.max(1, options.runs ?? 5);
  const warmups = Math.max(0, options.warmups ?? 1);
  const samples: Sample[] = [];
  for (let i = 0; i < warmups + runs; i += 1) {
    const measured = i >= warmups;
    options.progress?.(`${scenario.name}: ${measured ? `run ${i - warmups + 1}/${runs}` : 'warm-up'}`);
    const sample = await runOnce(scenario);
    if (measured) samples.push(sample);
  }
  const first = samples[0]!.counters;
  return {
    name: scenario.name,
    runs,
    wallMs: stats(samples.map((s) => s.wallMs)),
    heapRetainedBytes: stats(samples.map((s) => s.heapRetained)),
    heapAtEndBytes: stats(samples.map((s) => s.heapAtEnd)),
    peakRssBytes: Math.max(...samples.map((s) => s.peakRss)),
    counters: first,
    countersStable: samples.every((s) => sameCounters(first, s.counters)),
  };
}

interface Sample {
  wallMs: number;
  heapAtEnd: number;
  heapRetained: number;
  peakRss: number;
  counters: Record<string, number>;
}

/**
 * One setup and measured run. A function of its own so that its context and result are
 * unreachable once it returns (in a loop, an async function's registers would keep the
 * previous run's result alive into the next baseline).
 */
async function runOnce<C, R>(scenario: Scenario<C, R>): Promise<Sample> {
  const ctx = await scenario.setup();
  collect();
  const heapBefore = process.memoryUsage().heapUsed;
  let rss = process.memoryUsage.rss();
  const sampler = setInterval(() => (rss = Math.max(rss, process.memoryUsage.rss())), 5);
  const t0 = performance.now();
  const result = await scenario.run(ctx);
  const t1 = performance.now();
  clearInterval(sampler);
  const heapEnd = process.memoryUsage().heapUsed;
  rss = Math.max(rss, process.memoryUsage.rss());
  collect(); // ctx and result are still reachable here: the retained figure includes them
  const heapAfter = process.memoryUsage().heapUsed;
  return {
    wallMs: t1 - t0,
    heapAtEnd: heapEnd - heapBefore,
    heapRetained: heapAfter - heapBefore,
    peakRss: rss,
    counters: scenario.counters?.(ctx, result) ?? {},
  };
}

export function stats(samples: readonly number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  if (s.length === 0) return { min: NaN, median: NaN, high: NaN };
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  const high = s.length >= 20 ? s[Math.ceil(0.95 * s.length) - 1]! : s[s.length - 1]!;
  return { min: s[0]!, median, high };
}

/** "p95" or "max", whichever `Stats.high` is for this many runs. */
export const highLabel = (runs: number) => (runs >= 20 ? 'p95' : 'max');

function sameCounters(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}

/** Calls made since `from` (an index into `account.calls`), as `service.Operation` → count; failed calls also as `…:error`. */
export function callCounts(account: SimulatedAccount, from = 0): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of account.calls.slice(from)) {
    const key = `${c.service}.${c.operation}`;
    counts[key] = (counts[key] ?? 0) + 1;
    if (c.error) counts[`${key}:error`] = (counts[`${key}:error`] ?? 0) + 1;
  }
  return counts;
}

// ----- formatting -----

export const formatMs = (ms: number) =>
  ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`;

export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '−' : '';
  const b = Math.abs(bytes);
  if (b >= 1024 * 1024) return `${sign}${(b / 1024 / 1024).toFixed(1)} MiB`;
  if (b >= 1024) return `${sign}${(b / 1024).toFixed(0)} KiB`;
  return `${sign}${b} B`;
}

/** Time and memory of several measurements, one row each. */
export function timingTable(results: readonly Measurement[]): Table {
  const runs = results[0]?.runs ?? 0;
  const high = highLabel(runs);
  return {
    columns: [
      'scenario',
      'runs',
      'wall median',
      'wall min',
      `wall ${high}`,
      'heap retained (median)',
      'heap at end, pre-GC (median)',
      'peak RSS (sampled)',
    ],
    rows: results.map((m) => [
      m.name,
      m.runs,
      formatMs(m.wallMs.median),
      formatMs(m.wallMs.min),
      formatMs(m.wallMs.high),
      formatBytes(m.heapRetainedBytes.median),
      formatBytes(m.heapAtEndBytes.median),
      formatBytes(m.peakRssBytes),
    ]),
  };
}

/**
 * Counters of several measurements: one row per scenario, one column per counter (in
 * `order` first, then the rest alphabetically); `—` where a scenario has no such counter.
 */
export function countersTable(results: readonly Measurement[], order: readonly string[] = []): Table {
  const all = new Set(results.flatMap((m) => Object.keys(m.counters)));
  const keys = [...order.filter((k) => all.has(k)), ...[...all].filter((k) => !order.includes(k)).sort()];
  return {
    columns: ['scenario', ...keys],
    rows: results.map((m) => [
      `${m.name}${m.countersStable ? '' : ' ⚠ counters varied between runs'}`,
      ...keys.map((k) => (k in m.counters ? String(m.counters[k]) : '—')),
    ]),
  };
}

export function renderTable(table: Table): string {
  const cell = (v: string | number) => String(v).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const numeric = table.columns.map(
    (_, i) => table.rows.length > 0 && table.rows.every((r) => /^[−-]?[\d.,]+( [a-zA-Z]+)?$|^—$/.test(String(r[i] ?? ''))),
  );
  return [
    `| ${table.columns.map(cell).join(' | ')} |`,
    `| ${numeric.map((n) => (n ? '---:' : '---')).join(' | ')} |`,
    ...table.rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

export function renderSection(section: Section): string {
  return [`## ${section.title}`, ...section.body.map((b) => (typeof b === 'string' ? b : renderTable(b)))].join('\n\n');
}
