import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..');
/** The README is the front door: what it is, the two commands, the function table, first deploy, links. */
const README_MAX_BYTES = 15 * 1024;

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : name.endsWith('.md') ? [path] : [];
  });
const DOCS = [join(ROOT, 'README.md'), join(ROOT, 'CONTRIBUTING.md'), join(ROOT, 'CHANGELOG.md'), ...walk(join(ROOT, 'docs'))].filter(
  existsSync,
);
/** The reference, not the history: README and docs/ (CHANGELOG.md is where history lives). */
const REFERENCE = DOCS.filter((f) => !f.endsWith('CHANGELOG.md'));

/** Markdown outside fenced code blocks (a link in a shell example is not a link). */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '');

/** GitHub's heading anchors: lower-case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
const anchorsOf = (file: string) => new Set([...prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1]!)));

/** Every relative link `[text](target)` of a file, as written. */
const relativeLinks = (file: string) =>
  [...prose(readFileSync(file, 'utf8')).matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));

describe('README and docs', () => {
  it(`keep the README at most ${README_MAX_BYTES} bytes`, () => {
    expect(readFileSync(join(ROOT, 'README.md')).byteLength).toBeLessThanOrEqual(README_MAX_BYTES);
  });

  it('open the README with the two commands a newcomer runs', () => {
    const commands = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/^npm ci && npm (?:run \w+|test)\b/gm)].map((m) => m[0]);
    expect(commands.slice(0, 2)).toEqual(['npm ci && npm run demo', 'npm ci && npm test']);
  });

  it.each(DOCS.map((f) => [relative(ROOT, f), f]))('%s: every relative link resolves to a file and heading', (_name, file) => {
    const broken: string[] = [];
    for (const target of relativeLinks(file)) {
      const [path = '', anchor] = target.split('#');
      const resolved = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
      if (!existsSync(resolved)) broken.push(`${target}: no ${relative(ROOT, resolved)}`);
      else if (anchor !== undefined && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor))
        broken.push(`${target}: no heading #${anchor} in ${relative(ROOT, resolved)}`);
    }
    expect(broken).toEqual([]);
  });

  it.each(REFERENCE.map((f) => [relative(ROOT, f), f]))(
    '%s: no history (issue numbers, versions of a part, review stories)',
    (_name, file) => {
      const history = [
        ...readFileSync(file, 'utf8').matchAll(/.{0,30}(\bissue #?\d+|\(issue|\bv2\b|cold review|what changed and why).{0,30}/gi),
      ];
      expect(history.map((m) => m[0])).toEqual([]);
    },
  );
});
