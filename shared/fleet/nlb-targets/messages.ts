import * as z from 'zod';
import { spotInterruptionEvent, SPOT_INTERRUPTION_DETAIL_TYPE } from '../../retire/spot-event';
import { EventValidationError } from '../../lambda/errors';
import { eventBridgeEnvelope, parseEvent } from '../../lambda/events';

export const CONTAINER_INSTANCE_DETAIL_TYPE = 'ECS Container Instance State Change';
export const SCHEDULED_DETAIL_TYPE = 'Scheduled Event';

/**
 * "The `detail` section … resembles the ContainerInstance object that is returned from a
 * DescribeContainerInstances API operation" (Amazon ECS container instance state change events,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_container_instance_events.html).
 * Only what we use is required; the status is read again from ECS (events can arrive out of order).
 */
export const containerInstanceEvent = z.object({
  ...eventBridgeEnvelope,
  source: z.literal('aws.ecs'),
  'detail-type': z.literal(CONTAINER_INSTANCE_DETAIL_TYPE),
  detail: z.object({
    clusterArn: z.string().regex(/^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]+$/, 'expected an ECS cluster ARN'),
    containerInstanceArn: z.string().min(1),
    ec2InstanceId: z.string().regex(/^i-[0-9a-f]{8,17}$/, 'expected an EC2 instance id (i-…)'),
    status: z.string().min(1),
  }),
});

/** The schedule's event (EventBridge Scheduler or a rule): `aws.events` / `Scheduled Event`. */
export const scheduledEvent = z.object({
  ...eventBridgeEnvelope,
  source: z.literal('aws.events'),
  'detail-type': z.literal(SCHEDULED_DETAIL_TYPE),
});

/** One trigger → one request. */
export type SyncRequest =
  | { kind: 'reconcile'; eventId: string }
  | { kind: 'instance'; eventId: string; cluster: string; ec2InstanceId: string; status: string }
  | { kind: 'spot'; eventId: string; ec2InstanceId: string };

/** Parse any of the three triggers; anything else is an EventValidationError naming what is wrong. */
export function parseSyncRequest(event: unknown): SyncRequest {
  const kind = (event as { 'detail-type'?: unknown } | null)?.['detail-type'];
  if (kind === CONTAINER_INSTANCE_DETAIL_TYPE) {
    const e = parseEvent(containerInstanceEvent, event, 'container instance state change');
    const cluster = e.detail.clusterArn.slice(e.detail.clusterArn.indexOf('/') + 1);
    return { kind: 'instance', eventId: e.id, cluster, ec2InstanceId: e.detail.ec2InstanceId, status: e.detail.status };
  }
  if (kind === SPOT_INTERRUPTION_DETAIL_TYPE) {
    const e = parseEvent(spotInterruptionEvent, event, 'Spot interruption event');
    return { kind: 'spot', eventId: e.id, ec2InstanceId: e.detail['instance-id'] };
  }
  if (kind === SCHEDULED_DETAIL_TYPE) return { kind: 'reconcile', eventId: parseEvent(scheduledEvent, event, 'scheduled event').id };
  throw new EventValidationError('unexpected event', [
    `detail-type: expected ${[CONTAINER_INSTANCE_DETAIL_TYPE, SPOT_INTERRUPTION_DETAIL_TYPE, SCHEDULED_DETAIL_TYPE].join(' | ')}, got ${JSON.stringify(kind ?? null)}`,
  ]);
}
