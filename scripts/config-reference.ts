/**
 * docs/configuration.md, generated from what the stack and the code say: the stage params of
 * serverless.yml (`params.default`, their trailing comments, the stage overrides) and, per
 * function, the environment serverless.yml sets with the zod schema each variable is parsed by
 * (its `.describe()` text, what it accepts, its value when unset). Which schemas a function reads
 * is not listed by hand: scripts/config-sources.ts runs the parser its handler names.
 *
 * A setting without a description is a problem: `npm run docs:config` refuses to write, and
 * test/contract/config-reference.test.ts fails.
 *
 *   npm run docs:config            rewrite docs/configuration.md
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type * as z from 'zod';
import {
  describeField,
  fieldFacts,
  openStack,
  PARAM_REF,
  STACK_FILE_REF,
  type Env,
  type FunctionDef,
  type OpenStack,
} from './config-sources';

export const REFERENCE_PATH = join('docs', 'configuration.md');

export interface ConfigReference {
  markdown: string;
  /** Settings without a description, and anything else that makes the reference untrue. */
  problems: string[];
}

/** How serverless.yml sets a variable, in words an operator types: a param, a derivation of params, or a fixed value. */
function shownValue(raw: unknown, service: string, uses: ReadonlySet<string>): string {
  const value = String(raw);
  const params = [...uses].map((p) => `\`${p}\``).join(' or ');
  const derived = [...value.matchAll(STACK_FILE_REF)][0];
  if (derived) return `param ${params} (deploy/stack.js ${derived[1]})`;
  if (/^\$\{param:[A-Za-z0-9]+\}$/.test(value)) return `param ${params}`;
  return `\`${value
    .replace(PARAM_REF, '<$1>')
    .replace(/\$\{self:service\}/g, service)
    .replace(/\$\{sls:stage\}/g, '<stage>')}\``;
}

/** A table cell: pipes escaped, and `<…>` outside code spans kept as text rather than read as HTML. */
const cell = (text: string) =>
  text
    .split(/(`[^`]*`)/)
    .map((part) => (part.startsWith('`') ? part : part.replace(/</g, '&lt;')))
    .join('')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');
const row = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;

/** What the reference collects while it reads: where each param goes, descriptions found, problems. */
class Collector {
  readonly feeds: Map<string, Set<string>>;
  readonly described = new Map<string, string>();
  readonly problems: string[] = [];
  constructor(params: string[]) {
    this.feeds = new Map(params.map((p) => [p, new Set<string>()]));
  }
  feed(param: string, what: string): void {
    if (!this.feeds.has(param)) this.problems.push(`serverless.yml uses param ${param}, which params.default does not define`);
    else this.feeds.get(param)!.add(what);
  }
}

/** provider.environment: what every function is given. */
async function providerRows(s: OpenStack, c: Collector): Promise<string[]> {
  const rows: string[] = [];
  for (const [name, raw] of Object.entries(s.file.provider.environment ?? {})) {
    const uses = new Set<string>();
    await s.resolveValue(raw, uses);
    for (const p of uses) c.feed(p, `\`${name}\``);
    const fromSchema = [...s.schemas.keys()].map((schema) => describeField(schema.shape[name] as z.ZodType)).find(Boolean);
    const description = s.envComments.get(name) ?? [...uses].map((p) => s.comments.get(p)).find(Boolean) ?? fromSchema;
    if (!description) c.problems.push(`provider.environment.${name} has no description (a comment on its line or its param's)`);
    rows.push(row([`\`${name}\``, shownValue(raw, s.file.service, uses), description ?? '']));
  }
  return rows;
}

/** One function's section: its deploy condition, its parser, and a row per variable it is given and reads. */
async function functionSection(s: OpenStack, c: Collector, fn: string, entry: FunctionDef | string | null): Promise<string | undefined> {
  let def = entry as FunctionDef | null;
  let condition = '';
  if (typeof entry === 'string') {
    const ref = [...entry.matchAll(STACK_FILE_REF)][0];
    const uses = new Set<string>();
    if (ref) await s.callStackFile(ref[1]!, uses);
    for (const p of uses) c.feed(p, `whether ${fn} is deployed`);
    def = s.file.custom?.optionalFunctions?.[fn] ?? null;
    condition = `Deployed only when ${[...uses].map((p) => `\`${p}\``).join(' or ')} is set.`;
  }
  if (!def?.handler) return void c.problems.push(`functions.${fn}: no handler found`);
  const env: Record<string, unknown> = { ...s.file.provider.environment, ...def.environment };
  const resolved: Env = {};
  const usesOf = new Map<string, Set<string>>();
  for (const [name, raw] of Object.entries(env)) {
    usesOf.set(name, new Set());
    resolved[name] = await s.resolveValue(raw, usesOf.get(name)!);
  }
  const found = s.schemasRead(def, resolved);
  if ('problem' in found) return void c.problems.push(`${fn}: ${found.problem}`);
  const rows: string[] = [];
  for (const [name, raw] of Object.entries(env)) {
    const atFunction = def.environment && name in def.environment;
    const field = found.read.map((schema) => schema.shape[name] as z.ZodType | undefined).find(Boolean);
    for (const p of usesOf.get(name)!) c.feed(p, `\`${name}\``);
    if (!field && !atFunction) continue; // provider-wide, not read by this function: "Every function" says what it is
    const description = describeField(field);
    if (!description) c.problems.push(`${fn}: ${name} has no description (.describe() in its schema)`);
    if (!field) c.problems.push(`${fn}: ${name} is set by serverless.yml but read by none of ${found.parser}'s schemas`);
    const facts = field ? fieldFacts(field) : { accepts: 'text', unset: 'unset' };
    for (const p of usesOf.get(name)!) if (description && !c.described.has(p)) c.described.set(p, description);
    rows.push(row([`\`${name}\``, shownValue(raw, s.file.service, usesOf.get(name)!), facts.accepts, facts.unset, description ?? '']));
  }
  const schemaFiles = [...new Set(found.read.map((schema) => s.schemas.get(schema)!))].map((f) => `[${f}](../${f})`).join(', ');
  return [
    `### ${fn}`,
    '',
    [condition, `Parsed by \`${found.parser}\` (${schemaFiles}).`].filter(Boolean).join(' '),
    '',
    row(['variable', 'set by the stack to', 'accepts', 'when unset', 'meaning']),
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** The params table, once every use is known: uses outside the environment (IAM, rules, timeouts, alarms) count as "the stack". */
async function paramRows(s: OpenStack, c: Collector, text: string): Promise<string[]> {
  const stackLines = text
    .slice(text.search(/^provider:/m))
    .split('\n')
    .filter((line) => !/^\s+[A-Z][A-Z0-9_]+:/.test(line) && !/^ {2}[A-Za-z]+: \$\{file/.test(line));
  for (const line of stackLines) {
    for (const m of line.matchAll(PARAM_REF)) c.feed(m[1]!, 'the stack');
    for (const m of line.matchAll(STACK_FILE_REF)) {
      const uses = new Set<string>();
      await s.callStackFile(m[1]!, uses).catch(() => undefined); // a derivation that needs a set param (nlbTargets)
      for (const p of uses) c.feed(p, 'the stack');
    }
  }
  const stages = Object.entries(s.file.params).filter(([stage]) => stage !== 'default');
  return Object.keys(s.defaults).map((p) => {
    const description = s.comments.get(p) ?? c.described.get(p);
    if (!description)
      c.problems.push(`param ${p} has no description (a comment on its line in serverless.yml, or a described variable it sets)`);
    if (c.feeds.get(p)!.size === 0) c.problems.push(`param ${p} is used nowhere in serverless.yml`);
    const overrides = stages
      .filter(([, v]) => v && p in v && String(v[p]) !== s.defaults[p])
      .map(([st, v]) => `\`${String(v[p])}\` (${st})`);
    const shown = [s.defaults[p] === '' ? 'empty' : `\`${s.defaults[p]}\``, ...overrides].join(', ');
    return row([`\`${p}\``, shown, [...c.feeds.get(p)!].sort().join(', '), description ?? '']);
  });
}

/** `serverlessYml` replaces the file's text (tests use it to add a setting without a description). */
export async function buildConfigReference(options: { root?: string; serverlessYml?: string } = {}): Promise<ConfigReference> {
  const root = options.root ?? resolve(__dirname, '..');
  const text = options.serverlessYml ?? readFileSync(join(root, 'serverless.yml'), 'utf8');
  const s = openStack(root, text);
  const c = new Collector(Object.keys(s.defaults));
  const provider = await providerRows(s, c);
  const sections: string[] = [];
  for (const [fn, entry] of Object.entries(s.file.functions)) {
    const section = await functionSection(s, c, fn, entry);
    if (section) sections.push(section);
  }
  const params = await paramRows(s, c, text);
  const markdown = [
    '# Configuration reference',
    '',
    '<!-- Generated by `npm run docs:config` (scripts/config-reference.ts) from serverless.yml and the schemas in shared/**/config.ts. Do not edit: test/contract/config-reference.test.ts fails when this file differs from what they say. -->',
    '',
    'Set a stage param with `--param="name=value"` on the command line or under `params.<stage>` in serverless.yml.',
    'Each function reads its environment once, at cold start: an empty value counts as unset, and a bad one fails with an error naming the variable and the value (`invalid configuration: DRAIN_POLL_SECONDS="0": expected a whole number from 1 to 60`).',
    '',
    '## Stage params',
    '',
    row(['param', 'default', 'sets', 'meaning']),
    '| --- | --- | --- | --- |',
    ...params,
    '',
    '## Every function',
    '',
    row(['variable', 'set by the stack to', 'meaning']),
    '| --- | --- | --- |',
    ...provider,
    '',
    '## Per function',
    '',
    'What serverless.yml sets for each function and how the function reads it: *accepts* and *when unset* come from the schema itself.',
    '',
    sections.join('\n\n'),
    '',
  ].join('\n');
  return { markdown, problems: c.problems };
}

if (require.main === module) {
  void buildConfigReference().then(({ markdown, problems }) => {
    if (problems.length > 0) {
      console.error(`docs/configuration.md not written:\n- ${problems.join('\n- ')}`);
      process.exitCode = 1;
      return;
    }
    writeFileSync(join(resolve(__dirname, '..'), REFERENCE_PATH), markdown);
    console.log(`wrote ${REFERENCE_PATH}`);
  });
}
