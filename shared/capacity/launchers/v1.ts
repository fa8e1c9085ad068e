import * as z from 'zod';
import { EventValidationError } from '../../lambda/errors';
import { runTaskOverridesSchema } from '../run-task-overrides';
import { clusterName, hasKey, type LauncherFormat, type TaskShortfall } from './types';

/**
 * RunTask failure reasons that more capacity can answer (ECS "API failure reasons"): the
 * instances had no room — CPU, memory, a static host port, an ENI for awsvpc — so a new
 * instance of the backend's shapes can take the task.
 */
export const CAPACITY_REASONS: ReadonlySet<string> = new Set([
  'RESOURCE:CPU',
  'RESOURCE:MEMORY',
  'RESOURCE:PORTS',
  'RESOURCE:PORTS_TCP',
  'RESOURCE:PORTS_UDP',
  'RESOURCE:ENI',
]);
/**
 * RunTask's own error when the cluster has no instance at all (InvalidParameterException
 * "No Container Instances were found in your cluster."): scale from zero.
 */
export const NO_INSTANCES = /No Container Instances were found in your cluster/i;
/*
 * Reasons more capacity does not answer, named in the report: AGENT (an instance whose agent
 * is disconnected: agentHealth's job), ATTRIBUTE (a placement constraint or required attribute
 * no instance meets: a new instance of the same shapes would not either), MISSING, INACTIVE,
 * DRAINING (instance states), RESOURCE:GPU (GPU shapes are not modelled), anything unknown.
 */

/**
 * Our own format (version 1), for any launcher that can publish it after each RunTask: the
 * request it sent and what ECS answered — `response` (tasks and failures) or `error` (the
 * exception RunTask threw).
 */
const runTaskResult = z
  .object({
    version: z.literal(1),
    /** The launcher's id for this result (optional): two results are the same only when their ids are. */
    id: z.string().min(1).max(128).optional(),
    /** When RunTask answered (ISO 8601): the trigger time of the capacity request. */
    at: z.iso.datetime({ offset: true }),
    request: z.object({
      cluster: z.string().min(1).max(2048),
      taskDefinition: z.string().min(1).max(2048),
      count: z.number().int().min(1).max(10),
      overrides: runTaskOverridesSchema.optional(),
      /** RunTask's idempotency token: names the result when `id` does not. */
      clientToken: z.string().min(1).max(64).optional(),
    }),
    response: z
      .object({
        tasks: z.array(z.object({ taskArn: z.string().optional() }).loose()).default([]),
        failures: z
          .array(z.object({ arn: z.string().optional(), reason: z.string().optional(), detail: z.string().optional() }))
          .default([]),
      })
      .optional(),
    error: z.object({ name: z.string(), message: z.string() }).optional(),
  })
  .refine((m) => (m.response === undefined) !== (m.error === undefined), {
    message: 'exactly one of response and error',
    path: ['response'],
  });

export const v1: LauncherFormat = {
  name: 'v1',
  describe: 'version 1 (version, at, request, response or error)',
  claims: (m) => hasKey(m, 'version') || hasKey(m, 'request'),
  parse(message, received): TaskShortfall {
    const parsed = runTaskResult.safeParse(message);
    if (!parsed.success)
      throw new EventValidationError(
        'not a RunTask result (version 1)',
        parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
      );
    const m = parsed.data;
    const resultId = m.id ?? m.request.clientToken ?? received.snsMessageId;
    const base = {
      cluster: clusterName(m.request.cluster),
      clusterRef: m.request.cluster,
      taskDefinition: m.request.taskDefinition,
      ...(m.request.overrides ? { overrides: m.request.overrides } : {}),
      at: Date.parse(m.at),
      ...(resultId ? { resultId } : {}),
      launcher: 'v1',
    };
    if (m.error) {
      const empty = NO_INSTANCES.test(m.error.message);
      return {
        ...base,
        count: m.request.count,
        addCapacity: empty,
        reason: empty ? 'the cluster has no container instance' : `RunTask failed with ${m.error.name}: not a capacity shortage`,
      };
    }
    const count = Math.max(0, m.request.count - m.response!.tasks.length);
    const reasons = [...new Set(m.response!.failures.map((f) => f.reason ?? 'unknown'))];
    const capacity = reasons.filter((r) => CAPACITY_REASONS.has(r));
    if (count === 0) return { ...base, count, addCapacity: false, reason: 'every task started' };
    if (capacity.length > 0) return { ...base, count, addCapacity: true, reason: `no room: ${capacity.join(', ')}` };
    return { ...base, count, addCapacity: false, reason: `not a capacity shortage: ${reasons.join(', ') || 'no reason given'}` };
  },
};
