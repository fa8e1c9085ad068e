/**
 * What scripts/config-reference.ts reads: serverless.yml (parsed, plus the comments YAML parsers
 * drop), deploy/stack.js's derivations (called as osls calls them, recording the params they ask
 * for), the handlers' config parsers, and the exported env schemas of shared/**\/config.ts
 * (patched once to record which of them a parser reads).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import yaml from 'js-yaml';
import * as z from 'zod';

export type Env = Record<string, string>;
export type Schema = z.ZodObject & { safeParse: (data: unknown) => unknown };
export interface FunctionDef {
  handler: string;
  environment?: Record<string, unknown>;
}
export interface StackFile {
  service: string;
  provider: { environment?: Record<string, unknown> };
  params: Record<string, Record<string, unknown>>;
  functions: Record<string, FunctionDef | string | null>;
  custom?: { optionalFunctions?: Record<string, FunctionDef> };
}

/** CloudFormation short-form tags, kept as plain objects so serverless.yml parses. */
const CFN_TAGS = ['Ref', 'GetAtt', 'Sub', 'Join', 'Select', 'Split', 'If', 'Equals', 'Not', 'And', 'Or', 'Condition', 'FindInMap'];
const YAML_SCHEMA = yaml.DEFAULT_SCHEMA.extend(
  CFN_TAGS.flatMap((name) =>
    (['scalar', 'sequence', 'mapping'] as const).map(
      (kind) => new yaml.Type(`!${name}`, { kind, construct: (d: unknown) => ({ [name]: d }) }),
    ),
  ),
);
export const STACK_FILE_REF = /\$\{file\(\.\/deploy\/stack\.js\):([A-Za-z]+)(?:,\s*null)?\}/g;
export const PARAM_REF = /\$\{param:([A-Za-z0-9]+)\}/g;

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

/** Each schema patched once, for the whole process; `recording` is the set of the parse in progress. */
const PATCHED = new WeakSet<Schema>();
let recording: Set<Schema> | undefined;

/** Every exported env schema of shared/**\/config.ts, with the file it is in. */
function envSchemas(root: string): Map<Schema, string> {
  const found = new Map<Schema, string>();
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name === 'config.ts' ? [join(dir, e.name)] : [],
    );
  for (const file of walk(join(root, 'shared')).sort()) {
    for (const value of Object.values(load(file))) {
      if (!(value instanceof z.ZodObject) || found.has(value as Schema)) continue;
      const schema = value as Schema;
      if (!PATCHED.has(schema)) {
        const safeParse = schema.safeParse.bind(schema);
        schema.safeParse = (data: unknown) => (recording?.add(schema), safeParse(data));
        PATCHED.add(schema);
      }
      found.set(schema, relative(root, file));
    }
  }
  return found;
}

/** A field's description, looking through optional/pipe/refine wrappers. */
export function describeField(field: z.ZodType | undefined): string | undefined {
  for (let f: any = field, depth = 0; f && depth < 6; depth++) {
    if (f.description) return f.description as string;
    f = f.def?.innerType ?? f.def?.in ?? f.def?.schema;
  }
  return undefined;
}

/** What a field accepts and its value when unset, from the schema's own answers. */
export function fieldFacts(field: z.ZodType): { accepts: string; unset: string } {
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

/** serverless.yml, deploy/stack.js and the schemas, opened once for one reference. */
export function openStack(root: string, text: string) {
  const file = yaml.load(text, { schema: YAML_SCHEMA }) as StackFile;
  const stack = load(join(root, 'deploy', 'stack.js'));
  const defaults = Object.fromEntries(Object.entries(file.params.default ?? {}).map(([k, v]) => [k, String(v ?? '')])) as Env;

  /** A deploy/stack.js entry point called as osls would, recording the params it asks for. */
  const callStackFile = async (name: string, uses: Set<string>): Promise<unknown> => {
    const fn = stack[name];
    if (typeof fn !== 'function') throw new Error(`deploy/stack.js has no ${name}`);
    return fn({
      resolveVariable: async (v: string) => (uses.add(v.replace(/^param:/, '')), defaults[v.replace(/^param:/, '')]),
      resolveConfigurationProperty: async () => ({}),
    });
  };

  /** An environment value as the function sees it with default params (stage dev); `uses` gets the params it comes from. */
  const resolveValue = async (raw: unknown, uses: Set<string>): Promise<string> => {
    let value = String(raw ?? '');
    for (const m of [...value.matchAll(STACK_FILE_REF)]) value = value.replace(m[0], String(await callStackFile(m[1]!, uses)));
    return value
      .replace(PARAM_REF, (_, p: string) => (uses.add(p), defaults[p] ?? ''))
      .replace(/\$\{self:service\}/g, file.service)
      .replace(/\$\{sls:stage\}/g, 'dev');
  };

  /**
   * The schemas a function's parser reads, its own module's first. The handler names its parser
   * (`lambdaRuntime('<fn>', parseXConfig, …)` and its import); the parser runs on the function's
   * default environment. A default that needs the operator's value (logsBucket, nlbTargets) throws
   * after its schema was read, which is all this needs.
   */
  const schemas = envSchemas(root);
  const schemasRead = (def: FunctionDef, env: Env): { parser: string; read: Schema[] } | { problem: string } => {
    const handlerFile = join(root, `${def.handler.replace(/\.[A-Za-z]+$/, '')}.ts`);
    const source = readFileSync(handlerFile, 'utf8');
    const parser = /lambdaRuntime\(\s*'[A-Za-z]+',\s*([A-Za-z]+)/.exec(source)?.[1];
    const from = parser && new RegExp(`import\\s*\\{[^}]*\\b${parser}\\b[^}]*\\}\\s*from\\s*'([^']+)'`).exec(source)?.[1];
    if (!parser || !from)
      return { problem: `${relative(root, handlerFile)} names no config parser (lambdaRuntime('<fn>', parseXConfig, …))` };
    const own = relative(root, resolve(dirname(handlerFile), from));
    recording = new Set();
    try {
      (load(resolve(dirname(handlerFile), from))[parser] as (env: Env) => unknown)(env);
    } catch {
      // recorded up to the throw
    }
    const read = [...recording].sort((a, b) => Number(schemas.get(b)!.startsWith(own)) - Number(schemas.get(a)!.startsWith(own)));
    recording = undefined;
    return { parser, read };
  };

  return {
    file,
    defaults,
    schemas,
    comments: paramComments(text),
    envComments: providerEnvComments(text),
    callStackFile,
    resolveValue,
    schemasRead,
  };
}

export type OpenStack = ReturnType<typeof openStack>;
