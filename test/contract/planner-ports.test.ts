import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * Ports speak our domain types: no SDK shape crosses a port into a planner (docs/STYLE: "Ports
 * speak our types"). A planner is every `plan*.ts`, `*-plan*.ts` (logs' table-plan, partition-plan)
 * or `*planner*` file of a capability slice.
 */
const ROOT = join(__dirname, '..', '..');
const SLICES = ['capacity', 'drain', 'fleet', 'logs', 'retire'].map((s) => join(ROOT, 'shared', s));

/**
 * Slice files a planner still reaches that import SDK types, to be mapped in their adapters. Named
 * here so that no new one appears unseen, and so the list shrinks: a file that no longer imports
 * the SDK (or is no longer reached) must leave it. Empty: every slice's ports map the SDK's shapes.
 */
const KNOWN_SDK_SHAPES: string[] = [];

function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

const specifiers = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!);
const importsSdk = (file: string) => specifiers(file).some((s) => s.startsWith('@aws-sdk/'));
const inSlice = (file: string) => SLICES.some((s) => file.startsWith(s + '/'));
const rel = (file: string) => relative(ROOT, file);

/** The slice files `file` imports, directly or through other slice files (adapters in shared/aws are the boundary). */
function reachedInSlices(file: string): Set<string> {
  const seen = new Set<string>();
  const queue = [file];
  while (queue.length > 0) {
    const f = queue.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const s of specifiers(f).filter((x) => x.startsWith('.'))) {
      const target = join(dirname(f), s);
      const path = existsSync(`${target}.ts`)
        ? `${target}.ts`
        : existsSync(join(target, 'index.ts'))
          ? join(target, 'index.ts')
          : undefined;
      if (path && inSlice(path)) queue.push(path);
    }
  }
  return seen;
}

const planners = SLICES.flatMap(sources).filter((f) => /[/-]plan[^/]*\.ts$|planner[^/]*\.ts$/.test(f));

describe('planners speak our types, not the SDK', () => {
  it('finds the planners (the glob must not silently match nothing)', () => {
    expect(planners.map(rel)).toEqual(
      expect.arrayContaining([
        'shared/capacity/plan.ts',
        'shared/drain/plan.ts',
        'shared/fleet/nlb-targets/plan.ts',
        'shared/logs/table-plan.ts',
      ]),
    );
  });

  it("no planner imports from '@aws-sdk/'", () => {
    expect(planners.filter(importsSdk).map(rel)).toEqual([]);
  });

  it('no slice file a planner imports brings SDK types in, beyond the named ones still to be mapped', () => {
    const reached = new Set(planners.flatMap((p) => [...reachedInSlices(p)]));
    const offenders = [...reached].filter(importsSdk).map(rel).sort();
    expect(offenders).toEqual(KNOWN_SDK_SHAPES);
  });
});
