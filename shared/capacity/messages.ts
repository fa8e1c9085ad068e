import * as z from 'zod';
import { EventValidationError } from '../lambda/errors';
import { eventBridgeEnvelope, parseEvent } from '../lambda/events';
import { runTaskOverridesSchema, type RunTaskOverrides } from './run-task-overrides';

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
/**
 * Reasons more capacity does not answer, named in the report: AGENT (an instance whose agent
 * is disconnected: agentHealth's job), ATTRIBUTE (a placement constraint or required attribute
 * no instance meets: a new instance of the same shapes would not either), MISSING, INACTIVE,
 * DRAINING (instance states), RESOURCE:GPU (GPU shapes are not modelled), anything unknown.
 */

// RunTask's overrides (the writer's messages carry them too: run-task-overrides.ts keeps the writer's bundle free of these schemas).
const override = runTaskOverridesSchema;
export type { RunTaskOverrides };

/**
 * What a job launcher publishes after each RunTask (version 1): the request it sent and what
 * ECS answered — `response` (tasks and failures) or `error` (the exception RunTask threw).
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
      overrides: override.optional(),
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

/** One RunTask that could not place some tasks, as a capacity request. */
export interface TaskShortfall {
  cluster: string;
  /** The cluster as the result names it (a name, or an ARN naming its region and account); `cluster` when absent. */
  clusterRef?: string;
  taskDefinition: string;
  /** Tasks that did not start. */
  count: number;
  overrides?: RunTaskOverrides;
  at: number;
  /** The result's identity (its id, RunTask's client token, or the SNS message id): only the same id is a duplicate. */
  resultId?: string;
  /** Does more capacity answer it, and why (or why not). */
  addCapacity: boolean;
  reason: string;
}

const clusterName = (ref: string) => (ref.startsWith('arn:') ? ref.slice(ref.lastIndexOf('/') + 1) : ref);

/**
 * SNS → SQS without raw message delivery wraps the message in an SNS notification ("Amazon SNS
 * message and JSON formats", https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html).
 * Our own schema, not Powertools Parser's: see shared/lambda/sqs-event.ts for the bundle cost.
 * Its MessageId names the result when the result names none.
 */
const snsNotification = z.object({
  Type: z.literal('Notification'),
  MessageId: z.string().min(1),
  TopicArn: z.string().min(1),
  Message: z.string(),
  Timestamp: z.iso.datetime({ offset: true }),
});

function unwrapSns(body: unknown): { message: unknown; snsMessageId?: string } {
  if (!body || typeof body !== 'object' || (body as { Type?: unknown }).Type !== 'Notification') return { message: body };
  const notification = snsNotification.safeParse(body);
  if (!notification.success)
    throw new EventValidationError(
      'malformed SNS notification',
      notification.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  try {
    return { message: JSON.parse(notification.data.Message), snsMessageId: notification.data.MessageId };
  } catch {
    throw new EventValidationError('SNS notification Message is not JSON', [notification.data.Message.slice(0, 200)]);
  }
}

/** A RunTask result → the tasks that did not start and whether capacity answers them. Throws EventValidationError naming each bad field. */
export function parseRunTaskResult(body: unknown): TaskShortfall {
  const unwrapped = unwrapSns(body);
  const parsed = runTaskResult.safeParse(unwrapped.message);
  if (!parsed.success)
    throw new EventValidationError(
      'not a RunTask result (version 1)',
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  const m = parsed.data;
  const base = {
    cluster: clusterName(m.request.cluster),
    clusterRef: m.request.cluster,
    taskDefinition: m.request.taskDefinition,
    ...(m.request.overrides ? { overrides: m.request.overrides } : {}),
    at: Date.parse(m.at),
    ...((m.id ?? m.request.clientToken ?? unwrapped.snsMessageId)
      ? { resultId: m.id ?? m.request.clientToken ?? unwrapped.snsMessageId }
      : {}),
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
}

/**
 * Why a RunTask result must not scale the local cluster, or undefined: a cluster ARN of another
 * region or account names another cluster, whatever its name (the local one of the same name has
 * no shortage); a result older than `maxAgeMs` says nothing about room now (a message replayed
 * days later would still raise desired). `here` is where this function runs: the region and account
 * of the queue it consumes (the SQS record's eventSourceARN).
 */
export function refusalOf(s: TaskShortfall, here: { region: string; account: string }, now: number, maxAgeMs: number): string | undefined {
  const ref = s.clusterRef ?? s.cluster;
  const arn = /^arn:aws[a-z-]*:ecs:([^:]*):(\d*):cluster\//.exec(ref);
  if (ref.startsWith('arn:') && !arn) return `cluster ${ref} is not an ECS cluster ARN`;
  if (arn && (arn[1] !== here.region || arn[2] !== here.account))
    return `cluster ${ref} is in region ${arn[1]}, account ${arn[2]}, not this one (${here.region}, ${here.account})`;
  if (now - s.at > maxAgeMs)
    return `the result is ${Math.round((now - s.at) / 60_000)} minute(s) old, over the ${Math.round(maxAgeMs / 60_000)}-minute bound: it says nothing about room now`;
  return undefined;
}

const placementFailureEvent = z.object({
  ...eventBridgeEnvelope,
  source: z.literal('aws.ecs'),
  'detail-type': z.literal('ECS Service Action'),
  detail: z
    .object({
      eventName: z.literal('SERVICE_TASK_PLACEMENT_FAILURE'),
      clusterArn: z.string().regex(/^arn:aws[a-z-]*:ecs:[^:]+:\d+:cluster\/.+/, 'expected a cluster ARN'),
      // AWS documents one `reason` string ("RESOURCE:CPU"); "Amazon ECS service action events",
      // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service_events.html
      reason: z.string().optional(),
    })
    .loose(),
});

/** A service that could not place a task: a trigger to re-plan its cluster now. */
export interface PlacementFailure {
  eventId: string;
  cluster: string;
  service?: string;
  reasons: string[];
  at: number;
}

/**
 * `ECS Service Action` / SERVICE_TASK_PLACEMENT_FAILURE (EventBridge, usually inside an SQS
 * body). ECS suppresses repeats of this event, so it is a trigger to re-plan, never a count.
 */
export function parsePlacementFailure(body: unknown): PlacementFailure {
  const e = parseEvent(placementFailureEvent, body, 'ECS service placement-failure event');
  const service = e.resources?.find((r) => r.includes(':service/'));
  return {
    eventId: e.id,
    cluster: clusterName(e.detail.clusterArn),
    ...(service ? { service: service.slice(service.lastIndexOf('/') + 1) } : {}),
    reasons: e.detail.reason ? [e.detail.reason] : [],
    at: Date.parse(e.time),
  };
}
