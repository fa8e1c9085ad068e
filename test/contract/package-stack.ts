import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
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
  /** The temp copy the stack was packaged in (removed by `dispose`). */
  dir: string;
  template: Template;
  /** Function key (serverless.yml) → its deployment zip. */
  zips: Record<string, string>;
  /** Function key → its handler entry (`functions/<dir>/handler`), as serverless.yml names it. */
  entries: Record<string, string>;
  /** Where serverless-esbuild left the bundles, source maps and metafiles. */
  buildDir: string;
  packageMs: number;
  dispose(): void;
}

/**
 * `sls package` offline, exactly as a deploy would build, in a temp copy of the project (its
 * own `.serverless/` and `.esbuild/`, so runs in parallel never share output), with
 * node_modules linked. Takes a few seconds.
 */
export async function packageStack(options: { stage?: string; params?: Record<string, string> } = {}): Promise<PackagedStack> {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-steady-package-'));
  for (const input of INPUTS) cpSync(join(ROOT, input), join(dir, input), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const args = [join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js'), 'package', '--stage', options.stage ?? 'dev'];
  for (const [k, v] of Object.entries(options.params ?? {})) args.push(`--param=${k}=${v}`);
  const started = performance.now();
  try {
    await promisify(execFile)(process.execPath, args, {
      cwd: dir,
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', SLS_DEPRECATION_DISABLE: '*', CI: '1' },
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`sls package failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, { cause: err });
  }
  const packageMs = performance.now() - started;
  const out = join(dir, '.serverless');
  const template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
  const state = JSON.parse(readFileSync(join(out, 'serverless-state.json'), 'utf8')) as {
    service: { functions: Record<string, { handler: string }> };
  };
  const entries = Object.fromEntries(Object.entries(state.service.functions).map(([fn, f]) => [fn, f.handler.replace(/\.[^.]+$/, '')]));
  const zips = Object.fromEntries(
    readdirSync(out)
      .filter((f) => f.endsWith('.zip'))
      .map((f) => [f.replace(/\.zip$/, ''), join(out, f)]),
  );
  const buildDir = join(dir, '.esbuild', '.build');
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
