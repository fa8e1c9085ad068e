/**
 * docs/configuration.md, generated from what the stack and the code say: the stage params of
 * serverless.yml (`params.default`, their trailing comments, the stage overrides) and, per
 * function, the environment serverless.yml sets with the zod schema each variable is parsed by
 * (its `.describe()` text, what it accepts, its value when unset).
 *
 * Which schemas a function reads is not listed by hand: its handler names its config parser
 * (`lambdaRuntime('<fn>', parseXConfig, …)`), the parser runs on the stack's default
 * environment, and every exported env schema of shared/**\/config.ts records whether it was
 * parsed. A setting without a description is a problem: `npm run docs:config` refuses to write,
 * and test/contract/config-reference.test.ts fails.
 *
 *   npm run docs:config            rewrite docs/configuration.md
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import yaml from 'js-yaml';
import * as z from 'zod';

type Env = Record<string, string>;
type Schema = z.ZodObject & { safeParse: (data: unknown) => unknown };
interface FunctionDef {
  handler: string;
  environment?: Record<string, unknown>;
}
interface StackFile {
  service: string;
  provider: { environment?: Record<string, unknown> };
  params: Record<string, Record<string, unknown>>;
  functions: Record<string, FunctionDef | string | null>;
  custom?: { optionalFunctions?: Record<string, FunctionDef> };
}

export const REFERENCE_PATH = join('docs', 'configuration.md');

/** CloudFormation short-form tags, kept as plain objects so serverless.yml parses. */
const CFN_TAGS = ['Ref', 'GetAtt', 'Sub', 'Join', 'Select', 'Split', 'If', 'Equals', 'Not', 'And', 'Or', 'Condition', 'FindInMap'];
const YAML_SCHEMA = yaml.DEFAULT_SCHEMA.extend(
  CFN_TAGS.flatMap((name) =>
    (['scalar', 'sequence', 'mapping'] as const).map(
      (kind) => new yaml.Type(`!${name}`, { kind, construct: (d: unknown) => ({ [name]: d }) }),
    ),
  ),
);
const STACK_FILE_REF = /\$\{file\(\.\/deploy\/stack\.js\):([A-Za-z]+)(?:,\s*null)?\}/g;
const PARAM_REF = /\$\{param:([A-Za-z0-9]+)\}/g;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = (path: string): Record<string, unknown> => require(path) as Record<string, unknown>;

/** `key: value # comment` lines of `params.default`: the comment is the param's description. */
function paramComments(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const block = /^params:\n {2}default:\n((?: {4}.*\n|\s*\n)+)/m.exec(text)?.[1] ?? '';
  for (const line of block.split('\n')) {
    const m = /^ {4}([A-Za-z0-9]+):\s*('(?:[^']|'')*'|"[^"]*"|[^'"#\s][^#]*?|)\s+#\s?(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[3]!.trim());
  }
  return out;
}

/** The trailing comments of `provider.environment`'s `NAME: value # comment` lines: what a variable no schema reads is. */
function providerEnvComments(text: string): Map<string, string> {
  const block = /^ {2}environment:\n((?: {4}.*\n)+)/m.exec(text.slice(text.search(/^provider:/m)))?.[1] ?? '';
  const out = new Map<string, string>();
  for (const m of block.matchAll(/^ {4}([A-Z][A-Z0-9_]+):[ \t]*(?:'[^']*'|"[^"]*"|[^#\n]*?)[ \t]+#[ \t]?(.*)$/gm))
    out.set(m[1]!, m[2]!.trim());
  return out;
}

/** Calls a deploy/stack.js entry point as osls would, recording the params it asks for. */
async function callStackFile(stack: Record<string, unknown>, name: string, params: Env, seen: Set<string>): Promise<unknown> {
  const fn = stack[name];
  if (typeof fn !== 'function') throw new Error(`deploy/stack.js has no ${name}`);
  return fn({
    resolveVariable: async (v: string) => {
      const param = v.replace(/^param:/, '');
      seen.add(param);
      return params[param];
    },
    resolveConfigurationProperty: async () => ({}),
  });
}

/** Every exported env schema of shared/**\/config.ts, patched to record when it is parsed. */
function envSchemas(root: string, parsed: Set<Schema>): Map<Schema, string> {
  const found = new Map<Schema, string>();
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name === 'config.ts' ? [join(dir, e.name)] : [],
    );
  for (const file of walk(join(root, 'shared')).sort()) {
    for (const value of Object.values(load(file))) {
      if (!(value instanceof z.ZodObject) || found.has(value as Schema)) continue;
      const schema = value as Schema;
      const safeParse = schema.safeParse.bind(schema);
      schema.safeParse = (data: unknown) => (parsed.add(schema), safeParse(data));
      found.set(schema, relative(root, file));
    }
  }
  return found;
}

/** A field's description, looking through optional/pipe/refine wrappers. */
function describeField(field: z.ZodType | undefined): string | undefined {
  for (let f: any = field, depth = 0; f && depth < 6; depth++) {
    if (f.description) return f.description as string;
    f = f.def?.innerType ?? f.def?.in ?? f.def?.schema;
  }
  return undefined;
}

/** What a field accepts and its value when unset, from the schema's own answers. */
function fieldFacts(field: z.ZodType): { accepts: string; unset: string } {
  const unset = field.safeParse(undefined);
  const junk = field.safeParse('?');
  const message = junk.success ? '' : (junk.error.issues[0]?.message ?? '').replace(/^"\?": /, '');
  const value = unset.success ? unset.data : undefined;
  const accepts = message.startsWith('expected ')
    ? message.slice('expected '.length)
    : Array.isArray(value) || (junk.success && Array.isArray(junk.data))
      ? 'a comma-separated list'
      : 'text';
  const shown = !unset.success
    ? 'required'
    : value === undefined
      ? 'unset'
      : Array.isArray(value)
        ? value.length === 0
          ? 'empty'
          : value.map((v) => (typeof v === 'object' ? Object.values(v as object).join(':') : String(v))).join(',')
        : String(value);
  return { accepts, unset: shown };
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

export interface ConfigReference {
  markdown: string;
  /** Settings without a description, and anything else that makes the reference untrue. */
  problems: string[];
}

/** `serverlessYml` replaces the file's text (tests use it to add a setting without a description). */
export async function buildConfigReference(options: { root?: string; serverlessYml?: string } = {}): Promise<ConfigReference> {
  const root = options.root ?? resolve(__dirname, '..');
  const text = options.serverlessYml ?? readFileSync(join(root, 'serverless.yml'), 'utf8');
  const stackFile = yaml.load(text, { schema: YAML_SCHEMA }) as StackFile;
  const stack = load(join(root, 'deploy', 'stack.js'));
  const problems: string[] = [];
  const defaults = Object.fromEntries(Object.entries(stackFile.params.default ?? {}).map(([k, v]) => [k, String(v ?? '')])) as Env;
  const comments = paramComments(text);
  const envComments = providerEnvComments(text);
  const parsed = new Set<Schema>();
  const schemas = envSchemas(root, parsed);

  /** An environment value as the function sees it with default params (stage dev), and the params it comes from. */
  const resolveValue = async (raw: unknown, uses: Set<string>): Promise<string> => {
    let value = String(raw ?? '');
    for (const m of [...value.matchAll(STACK_FILE_REF)])
      value = value.replace(m[0], String(await callStackFile(stack, m[1]!, defaults, uses)));
    return value
      .replace(PARAM_REF, (_, p: string) => (uses.add(p), defaults[p] ?? ''))
      .replace(/\$\{self:service\}/g, stackFile.service)
      .replace(/\$\{sls:stage\}/g, 'dev');
  };

  // Where each param goes: environment variables (by function) and the rest of the stack.
  const feeds = new Map<string, Set<string>>(Object.keys(defaults).map((p) => [p, new Set<string>()]));
  const feed = (param: string, what: string) => {
    if (!feeds.has(param)) problems.push(`serverless.yml uses param ${param}, which params.default does not define`);
    else feeds.get(param)!.add(what);
  };
  const sections: string[] = [];
  const described = new Map<string, string>();

  const provider = stackFile.provider.environment ?? {};
  const providerRows: string[] = [];
  for (const [name, raw] of Object.entries(provider)) {
    const uses = new Set<string>();
    await resolveValue(raw, uses);
    for (const p of uses) feed(p, `\`${name}\``);
    const fromSchema = [...schemas.keys()].map((s) => describeField(s.shape[name] as z.ZodType)).find(Boolean);
    const description = envComments.get(name) ?? [...uses].map((p) => comments.get(p)).find(Boolean) ?? fromSchema;
    if (!description) problems.push(`provider.environment.${name} has no description (a comment on its line or its param's)`);
    providerRows.push(row([`\`${name}\``, shownValue(raw, stackFile.service, uses), description ?? '']));
  }

  const optional = stackFile.custom?.optionalFunctions ?? {};
  for (const [fn, entry] of Object.entries(stackFile.functions)) {
    let def = entry as FunctionDef | null;
    let condition = '';
    if (typeof entry === 'string') {
      const ref = [...entry.matchAll(STACK_FILE_REF)][0];
      const uses = new Set<string>();
      if (ref) await callStackFile(stack, ref[1]!, defaults, uses);
      for (const p of uses) feed(p, `whether ${fn} is deployed`);
      def = optional[fn] ?? null;
      condition = `Deployed only when ${[...uses].map((p) => `\`${p}\``).join(' or ')} is set.`;
    }
    if (!def?.handler) {
      problems.push(`functions.${fn}: no handler found`);
      continue;
    }
    const env: Record<string, unknown> = { ...provider, ...(def.environment ?? {}) };
    const resolved: Env = {};
    const usesOf = new Map<string, Set<string>>();
    for (const [name, raw] of Object.entries(env)) {
      usesOf.set(name, new Set());
      resolved[name] = await resolveValue(raw, usesOf.get(name)!);
    }
    // The handler names its parser: lambdaRuntime('<fn>', parseXConfig, …) and `import { parseXConfig } from '…'`.
    const handlerFile = join(root, `${def.handler.replace(/\.[A-Za-z]+$/, '')}.ts`);
    const source = readFileSync(handlerFile, 'utf8');
    const parserName = /lambdaRuntime\(\s*'[A-Za-z]+',\s*([A-Za-z]+)/.exec(source)?.[1];
    const from = parserName && new RegExp(`import\\s*\\{[^}]*\\b${parserName}\\b[^}]*\\}\\s*from\\s*'([^']+)'`).exec(source)?.[1];
    if (!parserName || !from) {
      problems.push(`${fn}: ${relative(root, handlerFile)} names no config parser (lambdaRuntime('${fn}', parseXConfig, …))`);
      continue;
    }
    const parserModule = resolve(dirname(handlerFile), from);
    parsed.clear();
    try {
      (load(parserModule)[parserName] as (env: Env) => unknown)(resolved);
    } catch {
      // A default that needs the operator's value (logsBucket, nlbTargets) fails here; the schemas parsed before it are recorded.
    }
    const read = [...parsed].sort(
      (a, b) =>
        Number(schemas.get(b)!.startsWith(relative(root, parserModule))) - Number(schemas.get(a)!.startsWith(relative(root, parserModule))),
    );
    const rows: string[] = [];
    for (const [name, raw] of Object.entries(env)) {
      const atFunction = def.environment && name in def.environment;
      const field = read.map((s) => s.shape[name] as z.ZodType | undefined).find(Boolean);
      for (const p of usesOf.get(name)!) feed(p, `\`${name}\``);
      if (!field && !atFunction) continue; // provider-wide, not read by this function: the table above says what it is
      const description = describeField(field);
      if (!description) problems.push(`${fn}: ${name} has no description (.describe() in its schema)`);
      if (!field) problems.push(`${fn}: ${name} is set by serverless.yml but read by none of ${parserName}'s schemas`);
      const facts = field ? fieldFacts(field) : { accepts: 'text', unset: 'unset' };
      for (const p of usesOf.get(name)!) if (description && !described.has(p)) described.set(p, description);
      rows.push(row([`\`${name}\``, shownValue(raw, stackFile.service, usesOf.get(name)!), facts.accepts, facts.unset, description ?? '']));
    }
    const schemaFiles = [...new Set(read.map((s) => schemas.get(s)!))].map((f) => `[${f}](../${f})`).join(', ');
    sections.push(
      [
        `### ${fn}`,
        '',
        [condition, `Parsed by \`${parserName}\` (${schemaFiles}).`].filter(Boolean).join(' '),
        '',
        row(['variable', 'set by the stack to', 'accepts', 'when unset', 'meaning']),
        '| --- | --- | --- | --- | --- |',
        ...rows,
      ].join('\n'),
    );
  }

  // Params used outside the environment: IAM, rules, timeouts, alarms (and deploy/stack.js derivations there).
  // Every line that is not an environment variable's (`  NAME: …`) and not a function's deploy condition.
  const stackLines = text
    .slice(text.search(/^provider:/m))
    .split('\n')
    .filter((line) => !/^\s+[A-Z][A-Z0-9_]+:/.test(line) && !/^ {2}[A-Za-z]+: \$\{file/.test(line));
  for (const line of stackLines) {
    for (const m of line.matchAll(PARAM_REF)) feed(m[1]!, 'the stack');
    for (const m of line.matchAll(STACK_FILE_REF)) {
      const uses = new Set<string>();
      await callStackFile(stack, m[1]!, defaults, uses).catch(() => undefined); // a derivation that needs a set param (nlbTargets)
      for (const p of uses) feed(p, 'the stack');
    }
  }
  const stages = Object.entries(stackFile.params).filter(([stage]) => stage !== 'default');
  const paramRows = Object.keys(defaults).map((p) => {
    const description = comments.get(p) ?? described.get(p);
    if (!description)
      problems.push(`param ${p} has no description (a comment on its line in serverless.yml, or a described variable it sets)`);
    if (feeds.get(p)!.size === 0) problems.push(`param ${p} is used nowhere in serverless.yml`);
    const overrides = stages.filter(([, v]) => v && p in v && String(v[p]) !== defaults[p]).map(([s, v]) => `\`${String(v[p])}\` (${s})`);
    const shown = [defaults[p] === '' ? 'empty' : `\`${defaults[p]}\``, ...overrides].join(', ');
    return row([`\`${p}\``, shown, [...feeds.get(p)!].sort().join(', '), description ?? '']);
  });

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
    ...paramRows,
    '',
    '## Every function',
    '',
    row(['variable', 'set by the stack to', 'meaning']),
    '| --- | --- | --- |',
    ...providerRows,
    '',
    '## Per function',
    '',
    'What serverless.yml sets for each function and how the function reads it: *accepts* and *when unset* come from the schema itself.',
    '',
    sections.join('\n\n'),
    '',
  ].join('\n');
  return { markdown, problems };
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
