import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildConfigReference, REFERENCE_PATH, type ConfigReference } from '../../scripts/config-reference';

const ROOT = join(__dirname, '..', '..');
const STACK_TEXT = readFileSync(join(ROOT, 'serverless.yml'), 'utf8');

describe('docs/configuration.md (generated from serverless.yml and the config schemas)', () => {
  let reference: ConfigReference;
  beforeAll(async () => {
    reference = await buildConfigReference({ root: ROOT });
  }, 60_000);

  it('describes every stage param and every environment variable serverless.yml sets', () => {
    expect(reference.problems).toEqual([]);
  });

  it('is exactly what `npm run docs:config` writes today (run it after changing a param, a variable or a description)', () => {
    expect(readFileSync(join(ROOT, REFERENCE_PATH), 'utf8')).toBe(reference.markdown);
  });

  it('has a row for every param of params.default and every function', () => {
    const params = [...STACK_TEXT.matchAll(/^ {4}([A-Za-z0-9]+):/gm)].map((m) => m[1]!);
    const defaultsBlock = STACK_TEXT.slice(STACK_TEXT.indexOf('params:'), STACK_TEXT.indexOf('\nprovider:'));
    for (const p of params.filter((name) => new RegExp(`^ {4}${name}:`, 'm').test(defaultsBlock)))
      expect(reference.markdown).toContain(`| \`${p}\` |`);
    for (const fn of ['spotInterruption', 'asgLifecycleDrain', 'scaleTick', 'nlbTargetSync', 'logVolumes', 'preflight'])
      expect(reference.markdown).toContain(`### ${fn}\n`);
  });

  it('refuses a param added without a description', async () => {
    const withBareParam = STACK_TEXT.replace(/^params:\n {2}default:\n/m, "params:\n  default:\n    brandNewSetting: '3'\n");
    const broken = await buildConfigReference({ root: ROOT, serverlessYml: withBareParam });
    expect(broken.problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('param brandNewSetting has no description'),
        expect.stringContaining('param brandNewSetting is used nowhere'),
      ]),
    );
  }, 60_000);

  it('refuses an environment variable that no schema of the function reads', async () => {
    const withStrayVariable = STACK_TEXT.replace(
      /^( {4}environment:\n)( {6}DRAIN_SAFETY_MARGIN_SECONDS:)/m,
      '$1      SOMETHING_NEW: x\n$2',
    );
    const broken = await buildConfigReference({ root: ROOT, serverlessYml: withStrayVariable });
    expect(broken.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^spotInterruption: SOMETHING_NEW has no description/)]));
  }, 60_000);
});
