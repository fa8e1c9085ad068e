import { createHash } from 'node:crypto';
import { EventValidationError } from '../lambda/errors';
import type { RunTaskOverrides } from './run-task-overrides';

/**
 * What every capacity trigger sends to the capacity writer's FIFO queue (docs/design/
 * capacity-writer.md): one message per cluster and trigger, MessageGroupId = the cluster, so one
 * writer at a time plans and writes a cluster's absolute capacity. Version 1.
 *
 * - `tick`: scaleTick's minute for this cluster (scale out, remove, scale in).
 * - `run-task`: tasks RunTask could not place for lack of room (already validated by
 *   runTaskFailure), sized by the writer; `id` names the result (only the same id is a duplicate).
 * - `placement`: a service could not place a task: re-plan now, scale-out only.
 */
const CLUSTER = /^[A-Za-z0-9_-]{1,255}$/;
type Check = (v: unknown) => string | undefined;
const text =
  (max: number, re?: RegExp): Check =>
  (v) =>
    typeof v !== 'string' || v.length < 1 || v.length > max || (re && !re.test(v)) ? `expected a string of 1-${max} characters` : undefined;
const iso: Check = (v) =>
  typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) && !Number.isNaN(Date.parse(v)) ? undefined : 'expected an ISO-8601 time';
const optional =
  (c: Check): Check =>
  (v) =>
    v === undefined ? undefined : c(v);
const count: Check = (v) =>
  Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 10 ? undefined : 'expected a whole number from 1 to 10';
const object: Check = (v) => (v && typeof v === 'object' && !Array.isArray(v) ? undefined : 'expected an object');
const units: Check = (v) =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 10_000_000 ? undefined : 'expected a whole number from 0 to 10000000';

/**
 * Each kind's fields and their checks. Written by hand, not with zod: these are our own messages,
 * and the capacity writer's bundle stays under its 400 kB budget (test/contract/stack.test.ts).
 * The overrides were validated by runTaskFailure's schema before they were forwarded; here only their shape.
 */
const FIELDS: Record<CapacityMessage['kind'], Record<string, Check>> = {
  tick: {},
  'run-task': {
    id: text(256),
    taskDefinition: text(2048),
    count,
    overrides: optional(object),
    cpu: optional(units),
    memory: optional(units),
  },
  placement: { id: text(256), service: optional(text(255)) },
};

export type CapacityMessage =
  | { version: 1; kind: 'tick'; cluster: string; at: string }
  | {
      version: 1;
      kind: 'run-task';
      cluster: string;
      at: string;
      id: string;
      taskDefinition: string;
      count: number;
      overrides?: RunTaskOverrides;
      /** One task's reservation as the launcher gave it (no task definition to describe): both or neither. */
      cpu?: number;
      memory?: number;
    }
  | { version: 1; kind: 'placement'; cluster: string; at: string; id: string; service?: string };

/** Throws EventValidationError naming each bad field. */
export function parseCapacityMessage(body: unknown): CapacityMessage {
  const m = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const kind = m.kind as CapacityMessage['kind'];
  const fields = typeof kind === 'string' ? FIELDS[kind] : undefined;
  const bad = [
    m.version === 1 ? undefined : 'version: expected 1',
    fields ? undefined : `kind: expected one of ${Object.keys(FIELDS).join(', ')}`,
    ...Object.entries({ cluster: text(255, CLUSTER), at: iso, ...fields }).map(([k, check]) => {
      const why = check(m[k]);
      return why ? `${k}: ${why}` : undefined;
    }),
  ].filter((x): x is string => x !== undefined);
  if (bad.length > 0) throw new EventValidationError('not a capacity writer message (version 1)', bad);
  return m as unknown as CapacityMessage;
}

export const tickMessage = (cluster: string, at: number): CapacityMessage => ({
  version: 1,
  kind: 'tick',
  cluster,
  at: new Date(at).toISOString(),
});

export function runTaskMessage(
  cluster: string,
  id: string,
  taskDefinition: string,
  count: number,
  at: number,
  overrides?: RunTaskOverrides,
  size?: { cpu: number; memory: number },
): CapacityMessage {
  return {
    version: 1,
    kind: 'run-task',
    cluster,
    id,
    taskDefinition,
    count,
    at: new Date(at).toISOString(),
    ...(overrides ? { overrides } : {}),
    ...(size ? { cpu: size.cpu, memory: size.memory } : {}),
  };
}

export const placementMessage = (cluster: string, id: string, at: number, service?: string): CapacityMessage => ({
  version: 1,
  kind: 'placement',
  cluster,
  id,
  at: new Date(at).toISOString(),
  ...(service ? { service } : {}),
});

/** SendMessage's MessageDeduplicationId: "up to 128 characters … alphanumeric and punctuation". */
const DEDUPLICATION_ID_MAX = 128;

/**
 * The message's deduplication ID (FIFO: the same ID within 5 minutes is accepted and not
 * delivered): a tick is one per cluster per minute; a RunTask result or a placement event is
 * its own id — distinct failures are never duplicates, the same one sent twice is.
 */
export function deduplicationIdOf(m: CapacityMessage): string {
  const raw = m.kind === 'tick' ? `tick:${m.cluster}:${m.at.slice(0, 16)}` : `${m.kind}:${m.cluster}:${m.id}`;
  if (raw.length <= DEDUPLICATION_ID_MAX && /^[\x21-\x7e]+$/.test(raw)) return raw;
  return `${m.kind}:${createHash('sha256').update(raw).digest('hex')}`;
}
