import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { version as esbuildVersion } from 'esbuild';
import { packageStack, zipEntries } from '../test/contract/package-stack';
import { formatMs, type Section } from './harness';

/**
 * What a deploy ships and what a cold start pays, per function: `sls package` offline (exactly
 * the build a deploy uploads, in a temp copy of the project), then
 * - the deployment zip's real size and what is in it;
 * - module init: the built handler `require`d by fresh `node` processes, median and min of N
 *   (the time from `require` to the handler being ready: bundle parse and module-level code);
 * - for the source-map decision: the map's size, and init under `--enable-source-maps` with
 *   the map beside the bundle (what shipping maps would cost).
 * No network, no AWS account.
 */

const TOP_PACKAGES = 5;
/** The goals. */
const ZIP_GOAL_BYTES = 425_000; // test/contract/stack.test.ts ZIP_MAX_BYTES
const INIT_GOAL_MS = 120;

export interface BundleMeasurement {
  fn: string;
  zipBytes: number;
  zipFiles: string[];
  jsBytes: number;
  mapBytes: number;
  initMs: { median: number; min: number };
  initWithMapsMs: { median: number; min: number };
  /** Bytes in the bundle by npm package (`(ecs-steady)` for our own code), largest first. */
  packages: Array<{ name: string; bytes: number }>;
}

/** `node_modules/@scope/name/…` → `@scope/name`; our own files → `(ecs-steady)`. */
export function packageOf(path: string): string {
  const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*\/node_modules\/)/.exec(path);
  return m ? m[1]! : '(ecs-steady)';
}

function packageBytes(metafilePath: string): BundleMeasurement['packages'] {
  const meta = JSON.parse(readFileSync(metafilePath, 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const bytes = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    for (const [path, input] of Object.entries(output.inputs))
      bytes.set(packageOf(path), (bytes.get(packageOf(path)) ?? 0) + input.bytesInOutput);
  }
  return [...bytes].map(([name, b]) => ({ name, bytes: b })).sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
}

/** `require` the file in `runs` fresh processes; the time module evaluation took in each. */
function initTimes(file: string, runs: number, nodeArgs: string[] = []): { median: number; min: number } {
  const script = `const t=performance.now();require(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t))`;
  const env = { ...process.env, AWS_REGION: 'eu-west-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NODE_OPTIONS: '' };
  const samples = Array.from({ length: runs }, () =>
    Number(execFileSync(process.execPath, [...nodeArgs, '-e', script], { encoding: 'utf8', env })),
  ).sort((a, b) => a - b);
  const mid = Math.floor(samples.length / 2);
  return { median: samples.length % 2 ? samples[mid]! : (samples[mid - 1]! + samples[mid]!) / 2, min: samples[0]! };
}

export async function measureBundles(options: {
  runs: number;
  progress?: (line: string) => void;
}): Promise<{ sizes: BundleMeasurement[]; packageMs: number }> {
  const progress = options.progress ?? (() => {});
  progress('bundle: sls package --stage dev --param=logsBucket=bench-logs (offline, temp copy)');
  // logsBucket: the log functions are deployed (and measured) only with it.
  const stack = await packageStack({ stage: 'dev', params: { logsBucket: 'bench-logs' } });
  const scratch = mkdtempSync(join(tmpdir(), 'ecs-steady-maps-'));
  try {
    const sizes: BundleMeasurement[] = [];
    for (const [fn, entry] of Object.entries(stack.entries).sort(([a], [b]) => a.localeCompare(b))) {
      progress(`bundle: ${fn} init × ${options.runs} (and × ${options.runs} with source maps)`);
      const zip = readFileSync(stack.zips[fn]!);
      const js = join(stack.buildDir, `${entry}.js`);
      // With maps shipped: the bundle with its sourceMappingURL comment and the map beside it.
      const withMap = join(scratch, `${fn}.js`);
      writeFileSync(withMap, `${readFileSync(js, 'utf8')}\n//# sourceMappingURL=${fn}.js.map\n`);
      copyFileSync(`${js}.map`, `${withMap}.map`);
      sizes.push({
        fn,
        zipBytes: zip.length,
        zipFiles: zipEntries(zip).map((e) => e.name),
        jsBytes: statSync(js).size,
        mapBytes: statSync(`${js}.map`).size,
        initMs: initTimes(js, options.runs),
        initWithMapsMs: initTimes(withMap, options.runs, ['--enable-source-maps']),
        packages: packageBytes(join(stack.buildDir, `${entry}-meta.json`)),
      });
    }
    return { sizes, packageMs: stack.packageMs };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    stack.dispose();
  }
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const mark = (ok: boolean) => (ok ? '' : ' ⚠');

export async function bundleBenchmarks(progress: (line: string) => void = () => {}, options: { quick?: boolean } = {}): Promise<Section> {
  const quick = options.quick ?? process.argv.includes('--quick');
  const runs = quick ? 5 : 15;
  const { sizes, packageMs } = await measureBundles({ runs, progress });
  return {
    title: 'Deployment zip and module init per function',
    body: [
      `\`sls package --stage dev --param=logsBucket=bench-logs\` offline (esbuild ${esbuildVersion} through serverless-esbuild with serverless.yml's \`custom.esbuild\`; ${formatMs(packageMs)} for the whole stack). ` +
        `**zip** is the deployment artifact in .serverless/ (goal ≤ ${kB(ZIP_GOAL_BYTES)}); **init** is the built handler \`require\`d by ${runs} fresh \`node\` processes, ` +
        `median and min (goal ≤ ${INIT_GOAL_MS} ms median; ⚠ marks a miss). Source maps are not shipped: the last two columns are what shipping them would cost ` +
        "(the map's size, and init under `NODE_OPTIONS=--enable-source-maps`). Sizes are exact for this lockfile; times are indicative on a shared machine, and a 256 MB Lambda has a fraction of a core.",
      {
        columns: ['function', 'zip', 'in the zip', 'bundle (JS)', 'init median', 'init min', 'map (not shipped)', 'init with maps, median'],
        rows: sizes.map((s) => [
          s.fn,
          `${kB(s.zipBytes)}${mark(s.zipBytes <= ZIP_GOAL_BYTES)}`,
          s.zipFiles.map((f) => `\`${f}\``).join(', '),
          kB(s.jsBytes),
          `${formatMs(s.initMs.median)}${mark(s.initMs.median <= INIT_GOAL_MS)}`,
          formatMs(s.initMs.min),
          kB(s.mapBytes),
          formatMs(s.initWithMapsMs.median),
        ]),
      },
      `### Top ${TOP_PACKAGES} packages per function (minified bytes in the bundle, from the esbuild metafile; kB = 1000 bytes)`,
      {
        columns: ['function', ...Array.from({ length: TOP_PACKAGES }, (_, i) => `#${i + 1}`), 'rest'],
        rows: sizes.map((s) => {
          const top = s.packages.slice(0, TOP_PACKAGES);
          const rest = s.packages.slice(TOP_PACKAGES);
          return [
            s.fn,
            ...Array.from({ length: TOP_PACKAGES }, (_, i) => (top[i] ? `${top[i]!.name} ${kB(top[i]!.bytes)}` : '—')),
            `${rest.length} packages, ${kB(rest.reduce((n, p) => n + p.bytes, 0))}`,
          ];
        }),
      },
    ],
  };
}
