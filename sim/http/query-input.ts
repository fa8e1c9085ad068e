import { NormalizedSchema } from '@smithy/core/schema';

/**
 * The request side of awsQuery and ec2Query, read back into the input object the SDK was given:
 * the exact reverse of @aws-sdk/core's QueryShapeSerializer, driven by the operation's input
 * schema (names from `xmlName`/`ec2QueryName`, lists as `member.N` or — EC2 — flattened `.N`,
 * maps as `entry.N.key/value`, timestamps ISO-8601, booleans and numbers as text).
 */
export interface QuerySettings {
  /** ec2Query: `ec2QueryName` wins, struct keys are capitalised, lists are flattened. */
  ec2: boolean;
}

type Params = Map<string, string>;

function keyOf(settings: QuerySettings, memberName: string, traits: Record<string, unknown>, struct: boolean): string {
  const ec2QueryName = traits.ec2QueryName as string | undefined;
  if (settings.ec2 && ec2QueryName) return ec2QueryName;
  const key = (traits.xmlName as string | undefined) ?? memberName;
  return settings.ec2 && struct ? key[0]!.toUpperCase() + key.slice(1) : key;
}

/** Indices N present under `prefix.` (`prefix.N` or `prefix.N.…`), in order. */
function indicesUnder(params: Params, prefix: string): number[] {
  const found = new Set<number>();
  for (const key of params.keys()) {
    if (!key.startsWith(prefix + '.')) continue;
    const n = Number(key.slice(prefix.length + 1).split('.')[0]);
    if (Number.isInteger(n) && n > 0) found.add(n);
  }
  return [...found].sort((a, b) => a - b);
}

function hasUnder(params: Params, prefix: string): boolean {
  for (const key of params.keys()) if (key === prefix || key.startsWith(prefix + '.')) return true;
  return false;
}

function readScalar(ns: NormalizedSchema, text: string): unknown {
  if (ns.isBooleanSchema()) return text === 'true';
  if (ns.isTimestampSchema()) return /^\d+(\.\d+)?$/.test(text) ? new Date(Number(text) * 1000) : new Date(text);
  if (ns.isBlobSchema()) return new Uint8Array(Buffer.from(text, 'base64'));
  if (ns.isNumericSchema()) return Number(text);
  return text;
}

function read(ns: NormalizedSchema, params: Params, key: string, settings: QuerySettings): unknown {
  if (ns.isStructSchema()) {
    const out: Record<string, unknown> = {};
    for (const [name, member] of ns.structIterator()) {
      const value = read(member, params, `${key ? key + '.' : ''}${keyOf(settings, name, member.getMergedTraits(), true)}`, settings);
      if (value !== undefined) out[name] = value;
    }
    return key && Object.keys(out).length === 0 && !hasUnder(params, key) ? undefined : out;
  }
  if (ns.isListSchema()) {
    // An empty list is sent as `Key=` (awsQuery serializes empty lists; ec2Query leaves them out).
    if (params.get(key) === '') return [];
    const member = ns.getValueSchema();
    const flat = settings.ec2 || !!ns.getMergedTraits().xmlFlattened;
    const base = flat ? key : `${key}.${keyOf(settings, 'member', member.getMergedTraits(), false)}`;
    const indices = indicesUnder(params, base);
    return indices.length === 0 ? undefined : indices.map((i) => read(member, params, `${base}.${i}`, settings));
  }
  if (ns.isMapSchema()) {
    const flat = !!ns.getMergedTraits().xmlFlattened;
    const base = flat ? key : `${key}.entry`;
    const keySchema = ns.getKeySchema();
    const valueSchema = ns.getValueSchema();
    const keyName = keyOf(settings, 'key', keySchema.getMergedTraits(), false);
    const valueName = keyOf(settings, 'value', valueSchema.getMergedTraits(), false);
    const indices = indicesUnder(params, base);
    if (indices.length === 0) return undefined;
    return Object.fromEntries(
      indices.map((i) => [params.get(`${base}.${i}.${keyName}`) ?? '', read(valueSchema, params, `${base}.${i}.${valueName}`, settings)]),
    );
  }
  const text = params.get(key);
  return text === undefined ? undefined : readScalar(ns, text);
}

/** The operation's input, read from a form-encoded query body (`Action` and `Version` are not part of it). */
export function readQueryInput(inputSchema: unknown, body: string, settings: QuerySettings): Record<string, unknown> {
  const params: Params = new Map(new URLSearchParams(body));
  params.delete('Action');
  params.delete('Version');
  const out = read(NormalizedSchema.of(inputSchema as never), params, '', settings);
  return (out ?? {}) as Record<string, unknown>;
}

/** The `Action` and `Version` of a query request. */
export function queryAction(body: string): { action?: string; version?: string } {
  const params = new URLSearchParams(body);
  return { action: params.get('Action') ?? undefined, version: params.get('Version') ?? undefined };
}
