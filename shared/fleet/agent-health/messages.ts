import * as z from 'zod';
import { EventValidationError } from '../../lambda/errors';
import { eventBridgeEnvelope, parseEvent } from '../../lambda/events';

export const CONTAINER_INSTANCE_STATE_CHANGE = 'ECS Container Instance State Change';

/**
 * `aws.ecs` / `ECS Container Instance State Change`, as
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_container_instance_events.html
 * shows it: `detail` is the ContainerInstance of DescribeContainerInstances plus `clusterArn` and
 * `updatedAt`. Only the fields used are checked; ECS may add others ("make sure that your
 * application is prepared to handle unknown properties").
 */
const stateChangeEvent = z.object({
  ...eventBridgeEnvelope,
  source: z.literal('aws.ecs'),
  'detail-type': z.literal(CONTAINER_INSTANCE_STATE_CHANGE),
  detail: z
    .object({
      agentConnected: z.boolean(),
      clusterArn: z.string().regex(/^arn:aws[a-z-]*:ecs:[^:]+:\d+:cluster\/.+/, 'expected a cluster ARN'),
      containerInstanceArn: z.string().regex(/^arn:aws[a-z-]*:ecs:[^:]+:\d+:container-instance\//, 'expected a container instance ARN'),
      ec2InstanceId: z.string().regex(/^i-[0-9a-f]{8,17}$/, 'expected an EC2 instance id'),
      status: z.string().min(1),
      updatedAt: z.iso.datetime({ offset: true, message: 'expected an ISO-8601 time' }),
    })
    .loose(),
});

/** The Scheduled Event EventBridge sends on the rule's schedule (its detail is empty). */
const scheduledEvent = z.object({ ...eventBridgeEnvelope, source: z.literal('aws.events'), 'detail-type': z.literal('Scheduled Event') });

/** One invocation's request: every cluster (schedule, or a manual `{}`), or one cluster after a state change. */
export type AgentHealthRequest =
  | { kind: 'schedule'; eventId?: string }
  | {
      kind: 'state-change';
      eventId: string;
      cluster: string;
      ec2InstanceId: string;
      agentConnected: boolean;
      status: string;
      /** When ECS saw the change (detail.updatedAt): the disconnect's start when the agent went away. */
      at: number;
    };

/**
 * Turns the trigger into a request. A state-change event must carry the fields above (each bad
 * one named); a scheduled event or an empty object (a manual invoke) is a run over every
 * cluster; anything else is an EventValidationError (dead-lettered by the handler).
 */
export function parseAgentHealthEvent(event: unknown): AgentHealthRequest {
  if (event !== null && typeof event === 'object' && Object.keys(event).length === 0) return { kind: 'schedule' };
  const kind = (event as { 'detail-type'?: unknown } | null)?.['detail-type'];
  if (kind === CONTAINER_INSTANCE_STATE_CHANGE) {
    const e = parseEvent(stateChangeEvent, event, 'ECS container instance state-change event');
    const d = e.detail;
    return {
      kind: 'state-change',
      eventId: e.id,
      cluster: d.clusterArn.slice(d.clusterArn.indexOf(':cluster/') + ':cluster/'.length),
      ec2InstanceId: d.ec2InstanceId,
      agentConnected: d.agentConnected,
      status: d.status,
      at: Date.parse(d.updatedAt),
    };
  }
  if (kind === 'Scheduled Event') return { kind: 'schedule', eventId: parseEvent(scheduledEvent, event, 'scheduled event').id };
  throw new EventValidationError('unexpected event for agentHealth', [
    `detail-type: expected "${CONTAINER_INSTANCE_STATE_CHANGE}" or "Scheduled Event", got ${JSON.stringify(kind ?? null)}`,
  ]);
}
