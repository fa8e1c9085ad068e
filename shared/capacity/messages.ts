import * as z from 'zod';
import { eventBridgeEnvelope, parseEvent } from '../lambda/events';
import { parseLauncherMessage } from './launchers/index';
import { clusterName, type TaskShortfall } from './launchers/types';

// The launchers' formats live in launchers/ (one parser each); these names stay importable from here.
export { CAPACITY_REASONS, NO_INSTANCES } from './launchers/v1';
export type { TaskShortfall } from './launchers/types';
export type { RunTaskOverrides } from './run-task-overrides';

/** A launcher's RunTask result → the tasks that did not start and whether capacity answers them (launchers/index.ts). */
export const parseRunTaskResult = (body: unknown, sentAt?: number): TaskShortfall => parseLauncherMessage(body, sentAt);

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
