import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
/** What `sls package` reads: the config, its helpers, and the code it bundles. */
const INPUTS = ['serverless.yml', 'package.json', 'tsconfig.json', 'deploy', 'functions', 'shared'];

export type Template = {
  Resources: Record<string, { Type: string; Condition?: string; Properties?: any; DependsOn?: unknown }>;
  Conditions?: Record<string, unknown>;
};

export interface PackagedStack {
  /** The temp copy the stack was packaged in (removed by `dispose`); its sources are the bundles' sources. */
  dir: string;
  template: Template;
  /** Function key (serverless.yml) → its deployment zip. */
  zips: Record<string, string>;
  /** Function key → its handler entry (`functions/<dir>/handler`), as serverless.yml names it. */
  entries: Record<string, string>;
  /** Where serverless-esbuild left the bundles, source maps and metafiles (the `prebuilt` stack's, when one was given). */
  buildDir: string;
  packageMs: number;
  dispose(): void;
}

export interface PackageOptions {
  stage?: string;
  params?: Record<string, string>;
  /** Where the temp copy goes (default: the OS temp directory). */
  parent?: string;
  /**
   * Reuse this stack's bundles instead of building them again (serverless-esbuild's own
   * `skipBuild`, which takes the zips from the `--package` directory): the template is still
   * compiled by osls from the real serverless.yml; only esbuild, the slow part, is skipped. The
   * bundles do not depend on params, and this stack must have every function the new one has.
   */
  prebuilt?: PackagedStack;
  /**
   * Longest wait for `sls package`. Generous: a package takes 10-30 s alone and minutes on a
   * loaded 2-core machine, and a timeout fails every check that reads the stack.
   */
  timeoutMs?: number;
}

/** The line serverless.yml's `custom.esbuild` starts with (a prebuilt copy adds `skipBuild: true` under it). */
const ESBUILD_BLOCK = /^ {2}esbuild:\n/m;

/**
 * `sls package` offline, exactly as a deploy would build, in a temp copy of the project (its
 * own `.serverless/`, `.esbuild/` and temp directory, so runs in parallel never share output),
 * with node_modules linked. Takes 10-30 s (a few without esbuild, `prebuilt`).
 */
export async function packageStack(options: PackageOptions = {}): Promise<PackagedStack> {
  const dir = mkdtempSync(join(options.parent ?? tmpdir(), 'ecs-steady-package-'));
  for (const input of INPUTS) cpSync(join(ROOT, input), join(dir, input), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  // serverless-esbuild leaves a directory per function in the OS temp directory on every package: keep them in the copy.
  const tmp = join(dir, '.tmp');
  mkdirSync(tmp);
  const out = join(dir, options.prebuilt ? 'prebuilt' : '.serverless');
  const args = [join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js'), 'package', '--stage', options.stage ?? 'dev'];
  for (const [k, v] of Object.entries(options.params ?? {})) args.push(`--param=${k}=${v}`);
  if (options.prebuilt) {
    const yml = readFileSync(join(dir, 'serverless.yml'), 'utf8');
    if (!ESBUILD_BLOCK.test(yml)) throw new Error('serverless.yml has no custom.esbuild block to add skipBuild to');
    writeFileSync(
      join(dir, 'serverless.yml'),
      yml.replace(ESBUILD_BLOCK, (block) => `${block}    skipBuild: true\n`),
    );
    mkdirSync(out);
    for (const zip of Object.values(options.prebuilt.zips)) cpSync(zip, join(out, zip.slice(zip.lastIndexOf('/') + 1)));
    args.push('--package', 'prebuilt');
  }
  const started = performance.now();
  try {
    await promisify(execFile)(process.execPath, args, {
      cwd: dir,
      timeout: options.timeoutMs ?? 900_000,
      maxBuffer: 16 * 1024 * 1024,
      env: {
        ...process.env,
        TMPDIR: tmp,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        SLS_DEPRECATION_DISABLE: '*',
        CI: '1',
      },
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`sls package failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, { cause: err });
  }
  const packageMs = performance.now() - started;
  const template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
  const state = JSON.parse(readFileSync(join(out, 'serverless-state.json'), 'utf8')) as {
    service: { functions: Record<string, { handler: string }> };
  };
  const entries = Object.fromEntries(Object.entries(state.service.functions).map(([fn, f]) => [fn, f.handler.replace(/\.[^.]+$/, '')]));
  const zips = Object.fromEntries(
    readdirSync(out)
      .filter((f) => f.endsWith('.zip') && f.replace(/\.zip$/, '') in entries)
      .map((f) => [f.replace(/\.zip$/, ''), join(out, f)]),
  );
  const buildDir = options.prebuilt?.buildDir ?? join(dir, '.esbuild', '.build');
  if (!existsSync(buildDir)) throw new Error('serverless-esbuild left no build directory (custom.esbuild.keepOutputDirectory)');
  return { dir, template, zips, entries, buildDir, packageMs, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The entries of a zip file, from its central directory (APPNOTE.TXT 4.3.12, 4.3.16). */
export function zipEntries(buffer: Buffer): Array<{ name: string; size: number; compressedSize: number }> {
  const EOCD = 0x06054b50;
  let eocd = -1;
  for (let i = buffer.length - 22; i >= Math.max(0, buffer.length - 22 - 0xffff); i -= 1) {
    if (buffer.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end of central directory record)');
  const count = buffer.readUInt16LE(eocd + 10);
  let at = buffer.readUInt32LE(eocd + 16);
  const entries = [];
  for (let i = 0; i < count; i += 1) {
    if (buffer.readUInt32LE(at) !== 0x02014b50) throw new Error('bad central directory entry');
    const compressedSize = buffer.readUInt32LE(at + 20);
    const size = buffer.readUInt32LE(at + 24);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extraLength = buffer.readUInt16LE(at + 30);
    const commentLength = buffer.readUInt16LE(at + 32);
    entries.push({ name: buffer.toString('utf8', at + 46, at + 46 + nameLength), size, compressedSize });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
