import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageStack, type PackagedStack } from './package-stack';

/**
 * The packaged stacks every contract check reads, packaged once per jest run and shared by every
 * test file and worker.
 *
 * jest's globalSetup (test/contract/global-setup.ts) makes an empty run directory and names it in
 * STACKS_DIR_ENV (workers inherit it); nothing is packaged unless a test asks. The first caller
 * takes the lock file and packages; every other caller, in any worker, waits for its manifest (or
 * its failure). globalTeardown removes the run directory and every stack in it.
 */
export const STACKS_DIR_ENV = 'ECS_STEADY_STACKS_DIR';

export interface Stacks {
  /** A bare `sls package --stage dev`: every param at its default. */
  defaults: PackagedStack;
  /** An operator's prod config: every optional function and switch on (stack-template.ts OPERATOR). */
  operator: PackagedStack;
}

/**
 * Longest wait for the stacks: packaging takes ~30 s alone and minutes on a loaded 2-core machine
 * (a test file's hooks allow this long too, stack-template.ts). A timeout here fails every check,
 * so it only catches a packaging that hangs.
 */
export const STACKS_TIMEOUT_MS = 30 * 60_000;
const POLL_MS = 250;

type Stored = Omit<PackagedStack, 'dispose'>;
const MANIFEST = 'stacks.json';
const FAILED = 'failed.txt';
const LOCK = 'lock';

let mine: Promise<Stacks> | undefined;

/** The run's stacks: packaged by the first caller of the run, read by every other. */
export function sharedStacks(operatorParams: Record<string, string>): Promise<Stacks> {
  mine ??= load(operatorParams);
  return mine;
}

async function load(operatorParams: Record<string, string>): Promise<Stacks> {
  const runDir = process.env[STACKS_DIR_ENV];
  if (!runDir) throw new Error(`${STACKS_DIR_ENV} is not set: run the contract tests through jest.config.js (its globalSetup)`);
  if (takeLock(runDir)) {
    try {
      const stacks = await packageBoth(runDir, operatorParams);
      const stored: Record<keyof Stacks, Stored> = { defaults: strip(stacks.defaults), operator: strip(stacks.operator) };
      writeFileSync(join(runDir, `${MANIFEST}.tmp`), JSON.stringify(stored));
      renameSync(join(runDir, `${MANIFEST}.tmp`), join(runDir, MANIFEST));
      return { defaults: revive(stored.defaults), operator: revive(stored.operator) };
    } catch (err) {
      writeFileSync(join(runDir, FAILED), err instanceof Error ? (err.stack ?? err.message) : String(err));
      throw err;
    }
  }
  return waitFor(runDir);
}

/**
 * Both stacks in two `sls package` runs, only one of them with esbuild: the operator's has every
 * function, so its bundles serve the bare one (the bundles do not depend on params).
 */
async function packageBoth(runDir: string, operatorParams: Record<string, string>): Promise<Stacks> {
  const operator = await packageStack({ stage: 'prod', params: operatorParams, parent: runDir });
  const defaults = await packageStack({ stage: 'dev', parent: runDir, prebuilt: operator });
  return { defaults, operator };
}

function takeLock(runDir: string): boolean {
  try {
    closeSync(openSync(join(runDir, LOCK), 'wx'));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

async function waitFor(runDir: string): Promise<Stacks> {
  const until = Date.now() + STACKS_TIMEOUT_MS;
  for (;;) {
    if (existsSync(join(runDir, MANIFEST))) {
      const stored = JSON.parse(readFileSync(join(runDir, MANIFEST), 'utf8')) as Record<keyof Stacks, Stored>;
      return { defaults: revive(stored.defaults), operator: revive(stored.operator) };
    }
    if (existsSync(join(runDir, FAILED))) throw new Error(`packaging the stacks failed:\n${readFileSync(join(runDir, FAILED), 'utf8')}`);
    if (Date.now() > until) throw new Error(`the stacks were not packaged within ${STACKS_TIMEOUT_MS / 60_000} minutes (${runDir})`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

const strip = ({ dispose: _dispose, ...stored }: PackagedStack): Stored => stored;
/** The run directory owns every stack: globalTeardown removes them all at once. */
const revive = (stored: Stored): PackagedStack => ({ ...stored, dispose: () => undefined });

/** globalSetup: an empty run directory, named for the workers. */
export function createRunDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-steady-stacks-'));
  process.env[STACKS_DIR_ENV] = dir;
  return dir;
}

/** globalTeardown: the run directory and every stack packaged in it. */
export function removeRunDir(): void {
  const dir = process.env[STACKS_DIR_ENV];
  if (dir) rmSync(dir, { recursive: true, force: true });
}
