import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Every TypeScript file under `dir`, as a path relative to the repository (forward slashes). */
const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : name.endsWith('.ts') ? [relative(ROOT, path).split('\\').join('/')] : [];
  });

/** The repository paths a file imports (static, `export … from`, dynamic; type-only imports count too: they couple the slices). */
export function importsOf(file: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2]!,
  );
  return specs
    .filter((s) => s.startsWith('.'))
    .map((s) =>
      relative(ROOT, resolve(ROOT, dirname(file), s))
        .split('\\')
        .join('/'),
    );
}

interface Rule {
  /** Files the rule applies to. */
  from: RegExp;
  /** Import targets they may not name. */
  to: RegExp;
  why: string;
  /** Files allowed anyway, each with its reason. */
  except?: Record<string, string>;
}

/**
 * The slices' import chain: capacity and fleet emit retire requests; only retire (and the
 * functions' wiring) runs the drain. docs/architecture.md draws it.
 */
const RULES: Rule[] = [
  { from: /^shared\/capacity\//, to: /^shared\/drain\//, why: 'capacity emits retire requests; retire drains (capacity → retire → drain)' },
  { from: /^shared\/fleet\//, to: /^shared\/drain\//, why: 'fleet emits retire requests; retire drains (fleet → retire → drain)' },
  {
    from: /^shared\/fleet\//,
    to: /^shared\/capacity\//,
    why: 'fleet does not build on capacity: the backend directory is handed in by the function',
    except: {
      // preflight checks an account against what capacity needs: it reads backends as capacity finds them and sizes
      // spare room with capacity's own bin-packing, so its answer is capacity's. It reads only (its role has no write).
      'shared/fleet/preflight/checks-capacity.ts': 'sizes spare room with capacity’s bin-pack',
      'shared/fleet/preflight/ports.ts': 'reads backends through capacity’s directory (read-only role)',
    },
  },
  {
    from: /^(?!shared\/retire\/|shared\/drain\/|functions\/)/,
    to: /^shared\/drain\/(run|wave|lifecycle)$/,
    why: 'only retire and the functions’ wiring run a drain',
  },
];

/** Every import that breaks a rule, as `file → target: why`. */
export function violations(files: ReadonlyArray<{ file: string; imports: readonly string[] }>, rules: readonly Rule[] = RULES): string[] {
  return files.flatMap(({ file, imports }) =>
    rules.flatMap((r) =>
      r.from.test(file) && !r.except?.[file]
        ? imports.filter((target) => r.to.test(target.replace(/\.ts$/, ''))).map((target) => `${file} → ${target}: ${r.why}`)
        : [],
    ),
  );
}

const SOURCES = [...walk(join(ROOT, 'shared')), ...walk(join(ROOT, 'functions'))].map((file) => ({
  file,
  imports: importsOf(file, readFileSync(join(ROOT, file), 'utf8')),
}));

describe('import rules: the slices’ chain is capacity / fleet → retire → drain', () => {
  it('finds the imports it checks (the scan is not empty: capacity imports retire, retire imports the drain)', () => {
    const of = (f: string) => SOURCES.find((s) => s.file === f)?.imports ?? [];
    expect(of('shared/capacity/cluster-tick.ts')).toContain('shared/retire/run');
    expect(of('shared/retire/wiring.ts')).toEqual(expect.arrayContaining(['shared/drain/run', 'shared/drain/ports']));
    expect(SOURCES.length).toBeGreaterThan(100);
  });

  it('no file breaks a rule', () => {
    expect(violations(SOURCES)).toEqual([]);
  });

  it('names each import that would break a rule, type-only and re-exports included, and honours only the written exceptions', () => {
    const text = [
      "import type { DrainReport } from '../drain/report';",
      "export { runDrain } from '../drain/run';",
      "const lazy = () => import('../capacity/plan');",
    ].join('\n');
    expect(importsOf('shared/capacity/x.ts', text)).toEqual(['shared/drain/report', 'shared/drain/run', 'shared/capacity/plan']);
    expect(
      violations([
        { file: 'shared/capacity/x.ts', imports: ['shared/drain/report'] },
        { file: 'shared/fleet/agent-health/y.ts', imports: ['shared/capacity/backends', 'shared/retire/run'] },
        { file: 'shared/logs/z.ts', imports: ['shared/drain/wave'] },
        { file: 'shared/fleet/preflight/ports.ts', imports: ['shared/capacity/backends'] },
        { file: 'functions/spot-interruption/handler.ts', imports: ['shared/drain/wave'] },
      ]),
    ).toEqual([
      'shared/capacity/x.ts → shared/drain/report: capacity emits retire requests; retire drains (capacity → retire → drain)',
      'shared/fleet/agent-health/y.ts → shared/capacity/backends: fleet does not build on capacity: the backend directory is handed in by the function',
      'shared/logs/z.ts → shared/drain/wave: only retire and the functions’ wiring run a drain',
    ]);
  });
});
