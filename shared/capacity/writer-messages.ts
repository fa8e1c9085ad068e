import { createHash } from 'node:crypto';
import * as z from 'zod';
import { EventValidationError } from '../lambda/errors';
import { runTaskOverridesSchema, type RunTaskOverrides } from './messages';

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
const common = {
  version: z.literal(1),
  cluster: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'expected a cluster name'),
  at: z.iso.datetime({ offset: true, message: 'expected an ISO-8601 time' }),
};

const capacityMessage = z.discriminatedUnion('kind', [
  z.object({ ...common, kind: z.literal('tick') }),
  z.object({
    ...common,
    kind: z.literal('run-task'),
    id: z.string().min(1).max(256),
    taskDefinition: z.string().min(1).max(2048),
    count: z.number().int().min(1).max(10),
    overrides: runTaskOverridesSchema.optional(),
  }),
  z.object({ ...common, kind: z.literal('placement'), id: z.string().min(1).max(256), service: z.string().optional() }),
]);

export type CapacityMessage = z.infer<typeof capacityMessage>;

/** Throws EventValidationError naming each bad field. */
export function parseCapacityMessage(body: unknown): CapacityMessage {
  const r = capacityMessage.safeParse(body);
  if (r.success) return r.data;
  throw new EventValidationError(
    'not a capacity writer message (version 1)',
    r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
  );
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
