import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const SIM = join(ROOT, 'sim');
const SHARED = join(ROOT, 'shared');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.[cm]?[jt]s$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Every module specifier a file names: static and type imports, re-exports, import() and require(). */
function specifiers(text: string): string[] {
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\sfrom\s+)?['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((p) => [...text.matchAll(p)].map((m) => m[1]!));
}

describe('the simulator holds its own truth', () => {
  it('imports nothing from shared/ (its limits, clock and clients are its own)', () => {
    const files = sourceFiles(SIM);
    expect(files.length).toBeGreaterThan(10);
    const offending = files.flatMap((file) =>
      specifiers(readFileSync(file, 'utf8'))
        .filter((spec) => spec.startsWith('.'))
        .filter((spec) => {
          const target = resolve(file, '..', spec);
          return target === SHARED || target.startsWith(SHARED + sep);
        })
        .map((spec) => `${relative(ROOT, file)} → ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it('the check itself sees imports from shared/ in every form', () => {
    const text = [
      "import { a } from '../shared/aws/limits';",
      "import type { Clock } from '../shared/lambda/clock';",
      "export { b } from '../shared/x';",
      "const c = require('../shared/y');",
      "const d = await import('../shared/z');",
      "import '../shared/side-effect';",
    ].join('\n');
    expect(specifiers(text)).toEqual([
      '../shared/aws/limits',
      '../shared/lambda/clock',
      '../shared/x',
      '../shared/side-effect',
      '../shared/z',
      '../shared/y',
    ]);
  });
});
