import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, version as esbuildVersion, type BuildOptions, type Metafile } from 'esbuild';
import { loadServerlessConfig } from '../test/support/serverless-config';
import { formatMs, type Section } from './harness';

/**
 * The size of each function's bundle, built the way `sls package` builds it: the esbuild JS
 * API with serverless.yml's `custom.esbuild` merged over serverless-esbuild's defaults, but
 * without a source map (the number is the code a cold start loads). No network, no `sls`.
 */

const ROOT = join(__dirname, '..');
const TOP_PACKAGES = 5;
/** serverless-esbuild options that are not esbuild's (it strips the same list before calling esbuild). */
const PLUGIN_ONLY = new Set([
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
  'config',
]);

interface ServerlessWithEsbuild {
  provider: { runtime?: string };
  functions: Record<string, { handler: string }>;
  custom?: { esbuild?: Record<string, unknown> };
}

export interface BundleSize {
  fn: string;
  entry: string;
  rawBytes: number;
  gzipBytes: number;
  buildMs: number;
  /** Bytes in the output by npm package (`(ecs-steady)` for our own code), largest first. */
  packages: Array<{ name: string; bytes: number }>;
}

/** esbuild options as serverless-esbuild would pass them (plugin-only keys dropped, `exclude` → `external`). */
export function esbuildOptions(): { options: BuildOptions; functions: Record<string, string> } {
  const config = loadServerlessConfig(ROOT) as unknown as ServerlessWithEsbuild;
  const custom = config.custom?.esbuild ?? {};
  const runtime = /^nodejs(\d+)\.x$/.exec(config.provider.runtime ?? '');
  const merged: Record<string, unknown> = { bundle: true, platform: 'node', ...(runtime ? { target: `node${runtime[1]}` } : {}), ...custom };
  const exclude = (custom.exclude as string[] | undefined) ?? ['aws-sdk'];
  const external = [...((custom.external as string[] | undefined) ?? []), ...(exclude.includes('*') ? [] : exclude)];
  const options = Object.fromEntries(Object.entries(merged).filter(([k]) => !PLUGIN_ONLY.has(k))) as BuildOptions;
  // serverless.yml names each function's handler as `<file without extension>.<export>`.
  const functions = Object.fromEntries(Object.entries(config.functions).map(([name, f]) => [f.handler.replace(/\.[^.]+$/, ''), name]));
  return { options: { ...options, external }, functions };
}

/** `node_modules/@scope/name/…` → `@scope/name`; our own files → `(ecs-steady)`. */
export function packageOf(path: string): string {
  const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*\/node_modules\/)/.exec(path);
  return m ? m[1]! : '(ecs-steady)';
}

function packageBytes(metafile: Metafile): BundleSize['packages'] {
  const bytes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const name = packageOf(path);
      bytes.set(name, (bytes.get(name) ?? 0) + input.bytesInOutput);
    }
  }
  return [...bytes].map(([name, b]) => ({ name, bytes: b })).sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
}

export async function measureBundles(progress: (line: string) => void = () => {}): Promise<BundleSize[]> {
  const { options, functions } = esbuildOptions();
  const entries = readdirSync(join(ROOT, 'functions'))
    .map((dir) => join('functions', dir, 'handler.ts'))
    .filter((entry) => statSync(join(ROOT, entry), { throwIfNoEntry: false })?.isFile())
    .sort();
  const out = mkdtempSync(join(tmpdir(), 'ecs-steady-bench-'));
  try {
    const sizes: BundleSize[] = [];
    for (const entry of entries) {
      const fn = functions[entry.replace(/\.ts$/, '')] ?? `${entry} (not in serverless.yml)`;
      progress(`bundle: ${fn}`);
      const outdir = join(out, relative('functions', entry).replace(/\/handler\.ts$/, ''));
      const t0 = performance.now();
      const result = await build({ ...options, entryPoints: [join(ROOT, entry)], outdir, absWorkingDir: ROOT, sourcemap: false, metafile: true, write: true, logLevel: 'silent' });
      const buildMs = performance.now() - t0;
      const code = readFileSync(join(outdir, 'handler.js'));
      sizes.push({ fn, entry, rawBytes: code.length, gzipBytes: gzipSync(code).length, buildMs, packages: packageBytes(result.metafile) });
    }
    return sizes;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

export async function bundleBenchmarks(progress: (line: string) => void = () => {}): Promise<Section> {
  const { options } = esbuildOptions();
  const sizes = await measureBundles(progress);
  const shown = ['bundle', 'minify', 'keepNames', 'platform', 'target', 'format', 'external'] as const;
  const described = shown.map((k) => `${k}: ${JSON.stringify(options[k])}`).join(', ');
  return {
    title: 'Bundle size per function',
    body: [
      `esbuild ${esbuildVersion} JS API with serverless.yml's \`custom.esbuild\` (${described}), no source map, into a temp dir. ` +
        'gzip is zlib at its default level, a stand-in for the deflated size in the deployment zip (which also carries the `.map` file, since serverless.yml asks for source maps). ' +
        'Sizes are exact for this esbuild version and lockfile; build time is indicative.',
      {
        columns: ['function', 'entry', 'raw', 'gzip', 'build time'],
        rows: sizes.map((s) => [s.fn, `\`${s.entry}\``, `${kB(s.rawBytes)} (${s.rawBytes.toLocaleString('en-US')} B)`, kB(s.gzipBytes), formatMs(s.buildMs)]),
      },
      `### Top ${TOP_PACKAGES} packages per function (minified bytes in the output, from the esbuild metafile; kB = 1000 bytes)`,
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
