import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';

/** CloudFormation short-form tags, kept as plain objects so the file parses. */
const cfnTags = [
  'Ref',
  'GetAtt',
  'Sub',
  'Join',
  'Select',
  'Split',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'ImportValue',
  'FindInMap',
  'GetAZs',
  'Base64',
  'Condition',
].flatMap((name) =>
  (['scalar', 'sequence', 'mapping'] as const).map(
    (kind) => new yaml.Type(`!${name}`, { kind, construct: (data: unknown) => ({ [`Fn::${name}`]: data }) }),
  ),
);
const schema = yaml.DEFAULT_SCHEMA.extend(cfnTags);

export interface ServerlessConfig {
  service: string;
  provider: { runtime: string; environment?: Record<string, unknown> };
  params: Record<string, Record<string, string>>;
  functions: Record<string, { handler: string; environment?: Record<string, unknown>; events?: Array<Record<string, any>> }>;
  /** `resources` merged as osls merges a list of them (generated entries such as deploy/operations.js left out). */
  resources?: { Resources?: Record<string, { Type: string; Properties?: any }>; Conditions?: Record<string, unknown> };
  custom?: Record<string, any>;
}

/**
 * serverless.yml as osls would see it for `stage` with default params (or these `overrides`, as
 * `--param` gives them): the variables our config uses are resolved (`${param:…}`,
 * `${self:service}`, `${sls:stage}` and the derivations of deploy/stack.js); anything else is
 * left as written. An optional function (`${file(./deploy/stack.js):<fn>Function, null}`) is its
 * definition under custom.optionalFunctions when `<fn>Enabled` derives true, and absent otherwise.
 */
export function loadServerlessConfig(
  root = join(__dirname, '..', '..'),
  stage = 'dev',
  overrides: Record<string, string> = {},
): ServerlessConfig {
  const raw = yaml.load(readFileSync(join(root, 'serverless.yml'), 'utf8'), { schema }) as ServerlessConfig & { resources?: unknown };
  const params = { ...raw.params.default, ...(raw.params[stage] ?? {}), ...overrides };
  // deploy/stack.js is CommonJS; its `derive` holds the same functions osls calls.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const derive = (require(join(root, 'deploy', 'stack.js')) as { derive: Record<string, (values: Record<string, string>) => unknown> })
    .derive;
  const resolve = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const file = /^\$\{file\(\.\/deploy\/stack\.js\):([A-Za-z]+)(?:,\s*null)?\}$/.exec(value);
      if (file) {
        const fn = derive[file[1]!];
        if (!fn) throw new Error(`deploy/stack.js has no ${file[1]}`);
        return fn(params);
      }
      return value.replace(/\$\{(param:[A-Za-z0-9]+|self:service|sls:stage)\}/g, (whole, v: string) => {
        if (v === 'self:service') return raw.service;
        if (v === 'sls:stage') return stage;
        const p = params[v.slice('param:'.length)];
        return p === undefined ? whole : p;
      });
    }
    if (Array.isArray(value)) return value.map(resolve);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
    return value;
  };
  const resources = Array.isArray(raw.resources)
    ? raw.resources
        .filter((r): r is Record<string, Record<string, unknown>> => !!r && typeof r === 'object')
        .reduce<Record<string, Record<string, unknown>>>((all, r) => {
          for (const [section, entries] of Object.entries(r)) all[section] = { ...(all[section] ?? {}), ...entries };
          return all;
        }, {})
    : raw.resources;
  return {
    ...raw,
    functions: resolve(
      Object.fromEntries(
        Object.entries(raw.functions).flatMap(([fn, f]) => {
          if (typeof f !== 'string' || f !== `\${file(./deploy/stack.js):${fn}Function, null}`) return [[fn, f]];
          const enabled = derive[`${fn}Enabled`];
          if (!enabled) throw new Error(`deploy/stack.js has no ${fn}Enabled`);
          return enabled(params) ? [[fn, raw.custom?.optionalFunctions?.[fn]]] : [];
        }),
      ),
    ) as ServerlessConfig['functions'],
    ...(resources ? { resources: resolve(resources) as ServerlessConfig['resources'] } : {}),
  };
}
