import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem, type as osType, release, arch } from 'node:os';
import { join } from 'node:path';
import { bundleBenchmarks } from './bundle';
import { arrivalSection } from './capacity-arrival';
import { capacityBenchmarks } from './capacity';
import { drainBenchmarks } from './drain';
import { drainOutcomeBenchmarks } from './drain-outcomes';
import { waveBenchmarks } from './drain-waves';
import { fleetCallsSection } from './fleet-calls';
import { gcMethod, renderSection, type Section } from './harness';
import { logsBenchmarks } from './logs';
import { nlbTargetsSection } from './nlb-targets';

/**
 * `npm run bench [-- --quick] [-- --only logs|bundle|drain] [-- --out FILE]`
 *
 * A full run (no --quick, no --only) writes bench/REPORT.md, the committed report. A quick or
 * partial run prints its report to stdout and writes a file only when given --out, so it
 * never overwrites the committed report with smaller numbers. Progress goes to stderr.
 */

const SECTIONS = ['logs', 'bundle', 'drain', 'outcomes', 'waves', 'capacity', 'arrival', 'nlb-targets', 'fleet'] as const;
type SectionName = (typeof SECTIONS)[number];
const REPORT = join(__dirname, 'REPORT.md');

interface Args {
  quick: boolean;
  only?: SectionName;
  out?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i] ?? '';
    if (flag === '--quick') args.quick = true;
    else if (flag === '--only') {
      const v = value();
      if (!(SECTIONS as readonly string[]).includes(v)) usage(`--only must be one of ${SECTIONS.join(', ')}, not ${JSON.stringify(v)}`);
      args.only = v as SectionName;
    } else if (flag === '--out') args.out = value();
    else usage(`unknown argument ${JSON.stringify(argv[i])}`);
  }
  return args;
}

function usage(problem: string): never {
  process.stderr.write(`${problem}\nusage: npm run bench [-- --quick] [-- --only ${SECTIONS.join('|')}] [-- --out FILE]\n`);
  process.exit(2);
}

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: join(__dirname, '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

function header(args: Args, elapsedMs: number): string {
  const cpu = cpus();
  const commit = git('rev-parse', '--short', 'HEAD') || 'unknown';
  // Others work in the same checkout: say whether the measured code differed from the commit.
  const dirty = git(
    'status',
    '--porcelain',
    '--untracked-files=no',
    '--',
    'functions',
    'shared',
    'sim',
    'package-lock.json',
    'serverless.yml',
  );
  const runs = args.quick ? 1 : 5;
  return [
    '# ecs-steady benchmarks',
    '',
    `- **date**: ${new Date().toISOString()}`,
    `- **node**: ${process.version} (${osType()} ${release()} ${arch()})`,
    `- **machine**: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB memory`,
    `- **commit**: ${commit}${dirty ? ' (with uncommitted changes to tracked files in functions/, shared/, sim/, serverless.yml or the lockfile at the time of the run)' : ''}`,
    `- **runs**: ${runs} measured per scenario after 1 warm-up${args.quick ? ' (--quick: smaller sizes)' : ''}; full GC between runs via ${gcMethod.how}`,
    `- **whole run**: ${(elapsedMs / 1000).toFixed(0)} s`,
    '',
    '## How to reproduce',
    '',
    '```sh',
    'npm ci',
    'npm run bench                       # everything; rewrites bench/REPORT.md (the wave rows run 20 seeds each: allow about half an hour)',
    'npm run bench -- --quick            # 1 run each, smaller sizes; prints, writes nothing',
    'npm run bench -- --only waves       # or logs, bundle, drain, outcomes, capacity, arrival, nlb-targets, fleet; add --out FILE to keep the report',
    'npx tsx --expose-gc bench/run.ts    # the same as npm run bench, with global.gc exposed up front',
    '```',
    '',
    'No network and no AWS account: the log functions run against the simulated account in `sim/`, bundles are built with the esbuild JS API into a temp dir.',
    '',
    '## How to read this',
    '',
    '- **Wall time** is measured on a noisy 2-core machine shared with other work: treat it as indicative (compare orders of magnitude and trends, not single milliseconds). It covers the handler, our adapters, the real AWS SDK v3 clients (serialisation, middleware, paginators) *and* the simulator answering the calls, which a real account does not cost.',
    "- **Memory**: *heap retained* is heapUsed after the run and a full GC minus heapUsed before it (also after a full GC) — what the run left reachable, including the returned result and the simulated account's growth (its call log keeps a copy of every request). *Heap at end* is the same before the GC (garbage not yet collected included). *Peak RSS* is the whole process, sampled before, during and after each run — a lower bound. Differences of a few hundred KiB (including small negative ones) are GC noise.",
    '- **Call counts and outcomes are exact and deterministic**: the simulator is seeded and nothing here injects faults, so they are the same on every run and every machine (a row would say so if they were not). They are the numbers to compare between commits.',
    '- **Simulated seconds** are the virtual clock: time the code waited (polling, backoff) as AWS would have made it wait, not time spent computing. Without latency knobs an API call takes no simulated time.',
    '- **Bundle sizes** are exact for the pinned esbuild and the lockfile.',
  ].join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const runs = args.quick ? 1 : 5;
  const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  const started = performance.now();
  const wanted = (name: SectionName) => !args.only || args.only === name;

  const sections: Section[] = [];
  if (wanted('logs')) sections.push(await logsBenchmarks({ runs, quick: args.quick, progress }));
  if (wanted('bundle')) sections.push(await bundleBenchmarks(progress, { quick: args.quick }));
  if (wanted('drain')) sections.push(await drainBenchmarks({ runs, quick: args.quick, progress }));
  if (wanted('outcomes')) sections.push(await drainOutcomeBenchmarks({ quick: args.quick, progress }));
  if (wanted('waves')) sections.push(await waveBenchmarks({ quick: args.quick, progress }));
  if (wanted('capacity')) sections.push(await capacityBenchmarks({ runs, quick: args.quick, progress }));
  if (wanted('arrival')) sections.push(await arrivalSection({ quick: args.quick, progress }));
  // Call counts only (exact and deterministic): one pass, whatever --quick says.
  if (wanted('nlb-targets')) sections.push(await nlbTargetsSection());
  if (wanted('fleet')) sections.push(await fleetCallsSection());

  const report = `${[header(args, performance.now() - started), ...sections.map(renderSection)].join('\n\n')}\n`;
  const out = args.out ?? (args.quick || args.only ? undefined : REPORT);
  if (out) {
    writeFileSync(out, report);
    progress(`wrote ${out}`);
  } else {
    process.stdout.write(report);
  }
  progress(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
