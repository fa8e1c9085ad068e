/**
 * npm run demo:day [-- --out FILE] [--hours 24] [--all] [--services 3] [--window SPEC | --no-window]
 *
 * A day of traffic on a simulated account, the real scaleTick handler every simulated minute
 * (bench/capacity-day.ts). Prints a table (every 15 minutes and every decision) and a summary,
 * and writes a self-contained HTML page with an inline SVG chart (no external JS or CSS) to
 * `--out` (default: demo-day.html in the OS temp directory, outside the repo). One headroom window
 * (DEMO_WINDOW, or `--window` in HEADROOM_WINDOWS syntax) holds room before the morning ramp; the
 * summary says when its capacity was in service against the time it opened.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { aboveNeedPercent, simulateDay, type DayClusterRow, type DayResult } from '../bench/capacity-day';
import type { CapacityBackendKind } from '../sim/builders-capacity';

const hhmm = (at: number) => new Date(at).toISOString().slice(11, 16);
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const cut = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

/** What the row's decision did and why: the driving reason, and for a decision the change of desired it made. */
export function why(c: DayClusterRow): string {
  const last = c.reasons?.[c.reasons.length - 1] ?? '';
  const change = /desired \d+ → \d+/.exec(last)?.[0];
  return change && !c.reason.includes(change) ? `${c.reason}; ${change}` : c.reason;
}

/** The terminal table: one line per cluster every 15 simulated minutes, and on every tick with a decision. */
export function renderTable(day: DayResult, width = 110): string {
  const many = day.rows[0]!.clusters.length > 1;
  const head = ['time', ...(many ? ['cluster'] : []), 'cpu%', 'mem%', 'desired', 'in-svc', 'inst', 'tasks', 'need', 'starved', 'decision'];
  const lines: string[][] = [head];
  for (const r of day.rows)
    for (const c of r.clusters) {
      if (r.minute % 15 !== 0 && c.decision === 'none') continue;
      lines.push([
        hhmm(r.at),
        ...(many ? [c.cluster] : []),
        c.cpu.toFixed(0),
        c.memory.toFixed(0),
        String(c.desired),
        String(c.inService),
        c.draining ? `${c.registered} (${c.draining} dr)` : String(c.registered),
        `${c.running}/${c.desiredTasks}`,
        String(c.neededUnits),
        c.starved.join(',') || '-',
        c.decision === 'none' ? '·' : `${c.decision}${c.unitsAsked ? ` +${c.unitsAsked}` : ''}: ${cut(why(c), width)}`,
      ]);
    }
  const widths = head.map((_, i) => Math.max(...lines.map((l) => (i < l.length - 1 ? l[i]!.length : 0))));
  return lines.map((l) => l.map((cell, i) => (i < l.length - 1 ? cell.padEnd(widths[i]!) : cell)).join('  ')).join('\n');
}

/** Room for 8 `app` tasks before the morning ramp (06:30–08:00 UTC on the simulated clock), in Tokyo's time. */
export const DEMO_WINDOW = 'morning-app: Mon-Fri 15:30-17:00 Asia/Tokyo 8 x app';

/** Each opening of a headroom window: asked when, in service when, against when it opened; the first scale-in after it closed. */
export function renderWindows(day: DayResult): string {
  return day.windows
    .map((w) => {
      const ready =
        w.readyAt !== undefined && w.fitsAtOpen
          ? `capacity in service ${hhmm(w.readyAt)} (${(w.opensAt - w.readyAt) / 60_000} min before it opened)`
          : 'capacity NOT in service when it opened';
      return (
        `${w.cluster}: headroom window '${w.window}' (${w.count} × ${w.service}) opened ${hhmm(w.opensAt)}: ` +
        `asked ${w.askedAt !== undefined ? hhmm(w.askedAt) : '(never)'}, ${ready}; closed ${hhmm(w.closesAt)}, ` +
        `first scale-in after it ${w.scaleInAfter !== undefined ? hhmm(w.scaleInAfter) : '(none)'}`
      );
    })
    .join('\n');
}

export function renderSummary(day: DayResult): string {
  const out = day.summary.map(
    (s) =>
      `${s.cluster} (${s.backend}): ${s.scaleOuts} scale-out(s), ${s.scaleIns} scale-in(s), ${s.removeDrained} remove-drained, ${s.errors} error(s); ` +
      `max desired ${s.maxDesired} of max ${s.max}; units asked ${s.unitsAsked}, needed ${s.unitsNeeded}, launched beyond need ${s.beyondNeed}; ` +
      `${s.starvedMinutes} minute(s) with a starved service; ${s.unitMinutesAboveNeed} unit-minutes above need (${aboveNeedPercent(s)} % of ${s.unitMinutesUsed} used); ${s.killedByTermination} task(s) killed by termination`,
  );
  return out.join('\n');
}

const SERIES = [
  { key: 'cpu', label: 'CPU reservation (%)', color: '#1f77b4', dash: '', axis: 'pct' },
  { key: 'memory', label: 'memory reservation (%)', color: '#9467bd', dash: '6 4', axis: 'pct' },
  { key: 'desired', label: 'desired (units)', color: '#2ca02c', dash: '', axis: 'units' },
  { key: 'inService', label: 'in service (units)', color: '#ff7f0e', dash: '', axis: 'units' },
  { key: 'need', label: 'needed (units)', color: '#7f7f7f', dash: '2 3', axis: 'units' },
] as const;
const MARKS: Record<string, { color: string; path: string; label: string }> = {
  'scale-out': { color: '#2ca02c', path: 'M0,-7 L6,4 L-6,4 Z', label: 'scale-out' },
  'scale-in': { color: '#d62728', path: 'M0,7 L6,-4 L-6,-4 Z', label: 'scale-in' },
  'remove-drained': { color: '#8c564b', path: 'M-5,-5 L5,5 M5,-5 L-5,5', label: 'remove-drained' },
  error: { color: '#000000', path: 'M-4,0 A4,4 0 1,0 4,0 A4,4 0 1,0 -4,0', label: 'error' },
};

/** One cluster's panel: reservation (left axis, %) and capacity (right axis, units) over the day, decisions marked. */
function panel(day: DayResult, index: number, y0: number, W: number, H: number): string {
  const L = 70,
    R = 70,
    T = 56,
    B = 44;
  const pw = W - L - R,
    ph = H - T - B;
  const rows = day.rows.map((r) => r.clusters[index]!);
  const s = day.summary[index]!;
  const n = day.rows.length;
  const umax = Math.max(s.max, ...rows.map((c) => c.desired)) + 1;
  const x = (m: number) => L + (m / n) * pw;
  const yp = (p: number) => y0 + T + ph - (Math.min(p, 100) / 100) * ph;
  const yu = (u: number) => y0 + T + ph - (u / umax) * ph;
  const f = (v: number) => v.toFixed(1);
  const line = (vals: number[], y: (v: number) => number, step: boolean) =>
    vals
      .map((v, m) =>
        step
          ? `${m === 0 ? 'M' : 'H'}${f(x(m))}${m === 0 ? ',' : ' V'}${f(y(v))} H${f(x(m + 1))}`
          : `${m === 0 ? 'M' : 'L'}${f(x(m + 0.5))},${f(y(v))}`,
      )
      .join(' ');
  const values: Record<(typeof SERIES)[number]['key'], number[]> = {
    cpu: rows.map((c) => c.cpu),
    memory: rows.map((c) => c.memory),
    desired: rows.map((c) => c.desired),
    inService: rows.map((c) => c.inService),
    need: rows.map((c) => c.neededUnits),
  };
  const out: string[] = [];
  out.push(`<g class="panel" data-cluster="${esc(s.cluster)}">`);
  out.push(`<text x="${L}" y="${y0 + 20}" font-size="15" font-weight="bold">${esc(`${s.cluster} (${s.backend})`)}</text>`);
  out.push(
    `<text x="${L}" y="${y0 + 38}" font-size="12" fill="#444">${esc(`${s.scaleOuts} scale-outs, ${s.scaleIns} scale-ins, ${s.removeDrained} remove-drained · max desired ${s.maxDesired} of ${s.max} · units asked ${s.unitsAsked}, beyond need ${s.beyondNeed} · ${s.starvedMinutes} starved minutes · ${s.killedByTermination} tasks killed`)}</text>`,
  );
  out.push(
    `<text data-figure="above-need" x="${L + pw}" y="${y0 + 20}" font-size="12" fill="#444" text-anchor="end">${esc(`${s.unitMinutesAboveNeed} unit-minutes above need (${aboveNeedPercent(s)} % of ${s.unitMinutesUsed} used)`)}</text>`,
  );
  // Capacity held above need, shaded between the need and desired lines.
  rows.forEach((c, m) => {
    if (c.desired > c.neededUnits)
      out.push(
        `<rect data-series="above-need" x="${f(x(m))}" y="${f(yu(c.desired))}" width="${f(Math.max(pw / n, 1))}" height="${f(yu(c.neededUnits) - yu(c.desired))}" fill="#2ca02c" fill-opacity="0.12"/>`,
      );
  });
  // Starved minutes, shaded behind everything.
  rows.forEach((c, m) => {
    if (c.starved.length > 0)
      out.push(
        `<rect data-series="starved" x="${f(x(m))}" y="${y0 + T}" width="${f(Math.max(pw / n, 3))}" height="${ph}" fill="#d62728" fill-opacity="0.15"><title>${hhmm(day.rows[m]!.at)} starved: ${esc(c.starved.join(', '))}</title></rect>`,
      );
  });
  // Axes, grid and thresholds.
  for (const p of [0, 25, 50, 75, 100])
    out.push(
      `<line x1="${L}" x2="${L + pw}" y1="${f(yp(p))}" y2="${f(yp(p))}" stroke="#e5e5e5"/><text x="${L - 8}" y="${f(yp(p) + 4)}" font-size="11" text-anchor="end">${p}</text>`,
    );
  const t = day.thresholds;
  for (const [p, label] of [
    [t.scaleOut, `CPU scale-out ${t.scaleOut}%`],
    [t.scaleIn, `CPU scale-in ${t.scaleIn}%`],
  ] as const)
    out.push(
      `<line x1="${L}" x2="${L + pw}" y1="${f(yp(p))}" y2="${f(yp(p))}" stroke="#999" stroke-dasharray="8 4"/><text x="${L + 4}" y="${f(yp(p) - 3)}" font-size="10" fill="#777">${label}</text>`,
    );
  for (let u = 0; u <= umax; u += umax > 16 ? 4 : 2) out.push(`<text x="${L + pw + 8}" y="${f(yu(u) + 4)}" font-size="11">${u}</text>`);
  const every = Math.max(1, Math.round(n / 12));
  for (let m = 0; m <= n; m += every)
    out.push(
      `<line x1="${f(x(m))}" x2="${f(x(m))}" y1="${y0 + T + ph}" y2="${y0 + T + ph + 5}" stroke="#333"/><text x="${f(x(m))}" y="${y0 + T + ph + 18}" font-size="11" text-anchor="middle">${hhmm(day.start + m * 60_000)}</text>`,
    );
  out.push(`<rect x="${L}" y="${y0 + T}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(
    `<text transform="translate(${L - 44},${y0 + T + ph / 2}) rotate(-90)" font-size="12" text-anchor="middle">reservation (%)</text>`,
  );
  out.push(
    `<text transform="translate(${L + pw + 44},${y0 + T + ph / 2}) rotate(90)" font-size="12" text-anchor="middle">capacity (units)</text>`,
  );
  out.push(
    `<text x="${L + pw / 2}" y="${y0 + T + ph + 36}" font-size="12" text-anchor="middle">simulated time (UTC), one scaleTick per minute</text>`,
  );
  for (const sr of SERIES)
    out.push(
      `<path data-series="${sr.key}" d="${line(values[sr.key], sr.axis === 'pct' ? yp : yu, sr.axis === 'units')}" fill="none" stroke="${sr.color}" stroke-width="${sr.key === 'desired' ? 5 : 1.6}"${sr.key === 'desired' ? ' stroke-opacity="0.45"' : ''}${sr.dash ? ` stroke-dasharray="${sr.dash}"` : ''}/>`,
    );
  rows.forEach((c, m) => {
    const mark = MARKS[c.decision];
    if (!mark) return;
    const tip = `${hhmm(day.rows[m]!.at)} ${c.decision}${c.unitsAsked ? ` +${c.unitsAsked}` : ''}: ${why(c)}`;
    out.push(
      `<g class="decision" data-decision="${c.decision}" transform="translate(${f(x(m + 0.5))},${f(yu(c.desired))})"><path d="${mark.path}" fill="${mark.color}" stroke="${mark.color}" stroke-width="1.5"/><title>${esc(tip)}</title></g>`,
    );
  });
  // Legend, above the plot on the right.
  const legend = [
    ...SERIES.map((sr) => ({
      label: sr.label,
      swatch: `<line x1="0" x2="22" y1="0" y2="0" stroke="${sr.color}" stroke-width="2.5"${sr.dash ? ` stroke-dasharray="${sr.dash}"` : ''}/>`,
    })),
    ...['scale-out', 'scale-in', 'remove-drained'].map((k) => ({
      label: MARKS[k]!.label,
      swatch: `<path transform="translate(11,0)" d="${MARKS[k]!.path}" fill="${MARKS[k]!.color}" stroke="${MARKS[k]!.color}"/>`,
    })),
    { label: 'starved service', swatch: `<rect x="0" y="-6" width="22" height="12" fill="#d62728" fill-opacity="0.15"/>` },
    { label: 'above need', swatch: `<rect x="0" y="-6" width="22" height="12" fill="#2ca02c" fill-opacity="0.12"/>` },
  ];
  let lx = L + pw;
  const items = legend.map((it) => ({ ...it, w: 32 + it.label.length * 6.2 }));
  lx -= items.reduce((n, it) => n + it.w, 0);
  out.push(`<g class="legend" font-size="11">`);
  for (const it of items) {
    out.push(`<g transform="translate(${f(lx)},${y0 + 48})">${it.swatch}<text x="27" y="4">${esc(it.label)}</text></g>`);
    lx += it.w;
  }
  out.push('</g></g>');
  return out.join('\n');
}

/** The whole page: one panel per cluster, and the scale-outs with what turned out needed. Self-contained (no external JS or CSS). */
export function renderDayChart(day: DayResult): string {
  const W = 1360,
    H = 400;
  const panels = day.summary.map((_, i) => panel(day, i, i * H, W, H)).join('\n');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H * day.summary.length}" viewBox="0 0 ${W} ${H * day.summary.length}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="#fff"/>\n${panels}\n</svg>`;
  const outs = day.scaleOuts
    .map(
      (o) =>
        `<tr><td>${esc(o.cluster)}</td><td>${hhmm(day.start + o.minute * 60_000)}</td><td>${o.from} → ${o.to}</td><td>${o.peakNeed}</td><td>${o.needed}</td><td>${o.beyondNeed}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>ecs-steady: a day of capacity on the simulated account</title></head>
<body style="font-family:sans-serif;margin:16px">
<h2 style="margin:0 0 4px">A day of capacity: scaleTick every simulated minute (${day.ticks} ticks over ${day.hours} h)</h2>
<p style="margin:0 0 8px;color:#444">Services: ${esc(day.services.map((s) => `${s.name} (${s.cpu} CPU, ${s.memory} MiB)`).join(', '))}. Hover a marker for the decision and its reasons.</p>
${svg}
<h3>Scale-outs</h3>
<p style="color:#444;max-width:1200px">Needed units: the fewest units that hold the desired tasks with both reservations at or under the scale-out thresholds. For each scale-out, the units that turned out needed are the peak need before the cluster's next scale-in, less desired before the scale-out (at most what it asked); the rest were launched beyond need.</p>
<table border="1" cellpadding="4" style="border-collapse:collapse;font-size:13px"><tr><th>cluster</th><th>at</th><th>desired</th><th>peak need</th><th>needed</th><th>beyond need</th></tr>
${outs}
</table>
</body></html>
`;
}

function parseArgs(argv: string[]) {
  const args = {
    out: join(tmpdir(), 'demo-day.html'),
    hours: 24,
    services: 3,
    backends: ['asg'] as CapacityBackendKind[],
    window: DEMO_WINDOW,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => argv[++i] ?? '';
    if (flag === '--out') args.out = resolve(value());
    else if (flag === '--hours') args.hours = Number(value());
    else if (flag === '--services') args.services = Number(value());
    else if (flag === '--all') args.backends = ['asg', 'ec2Fleet', 'spotFleet'];
    else if (flag === '--window') args.window = value();
    else if (flag === '--no-window') args.window = '';
    else
      throw new Error(
        `unknown argument ${JSON.stringify(flag)}; usage: npm run demo:day -- [--out FILE] [--hours 24] [--services 2|3] [--all] [--window SPEC | --no-window]`,
      );
  }
  if (!(args.hours > 0 && args.hours <= 24)) throw new Error('--hours must be above 0 and at most 24');
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  let shown = -1;
  const day = await simulateDay({
    hours: args.hours,
    services: args.services,
    backends: args.backends,
    ...(args.window ? { env: { HEADROOM_WINDOWS: args.window } } : {}),
    onTick: (row, ticks) => {
      const pct = Math.floor(((row.minute + 1) / ticks) * 10) * 10;
      if (pct !== shown && process.stderr.isTTY) process.stderr.write(`\rsimulating… ${(shown = pct)}%`);
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  console.log(renderTable(day));
  console.log(`\n${renderSummary(day)}`);
  if (args.window) console.log(`\n${args.window}\n${renderWindows(day) || 'the window does not open within the simulated hours'}`);
  writeFileSync(args.out, renderDayChart(day));
  console.log(
    `\n${day.ticks} ticks in ${(day.wallMs / 1000).toFixed(1)} s wall (${(day.wallMs / day.ticks).toFixed(1)} ms a tick); chart: ${args.out}`,
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
