import * as z from 'zod';
import { eventBridgeEnvelope, parseEvent } from '../lambda/events';

export const SPOT_INTERRUPTION_DETAIL_TYPE = 'EC2 Spot Instance Interruption Warning';
export const LIFECYCLE_TERMINATE_DETAIL_TYPE = 'EC2 Instance-terminate Lifecycle Action';
/** AWS reclaims a Spot instance two minutes after the interruption notice. */
export const SPOT_NOTICE_MS = 120_000;

const instanceId = z.string().regex(/^i-[0-9a-f]{8,17}$/, 'expected an EC2 instance id (i-…)');

/** https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html */
export const spotInterruptionEvent = z.object({
  ...eventBridgeEnvelope,
  source: z.literal('aws.ec2'),
  'detail-type': z.literal(SPOT_INTERRUPTION_DETAIL_TYPE),
  detail: z.object({
    'instance-id': instanceId,
    'instance-action': z.enum(['terminate', 'stop', 'hibernate']),
  }),
});
export type SpotInterruptionEvent = z.infer<typeof spotInterruptionEvent>;

export const REBALANCE_RECOMMENDATION_DETAIL_TYPE = 'EC2 Instance Rebalance Recommendation';

/**
 * "A signal that notifies you when a Spot Instance is at elevated risk of interruption. The signal
 * can arrive sooner than the two-minute Spot Instance interruption notice" — or along with it, and
 * "events are emitted on a best effort basis"; its detail names only the instance
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/rebalance-recommendations.html).
 */
export const rebalanceRecommendationEvent = z.object({
  ...eventBridgeEnvelope,
  source: z.literal('aws.ec2'),
  'detail-type': z.literal(REBALANCE_RECOMMENDATION_DETAIL_TYPE),
  detail: z.object({ 'instance-id': instanceId }),
});

/** https://docs.aws.amazon.com/autoscaling/ec2/userguide/warm-pools-eventbridge-events.html (terminate lifecycle action) */
export const lifecycleTerminateEvent = z.object({
  ...eventBridgeEnvelope,
  source: z.literal('aws.autoscaling'),
  'detail-type': z.literal(LIFECYCLE_TERMINATE_DETAIL_TYPE),
  detail: z.object({
    LifecycleActionToken: z.string().min(1),
    AutoScalingGroupName: z.string().min(1),
    LifecycleHookName: z.string().min(1),
    EC2InstanceId: instanceId,
    LifecycleTransition: z.literal('autoscaling:EC2_INSTANCE_TERMINATING'),
    NotificationMetadata: z.string().optional(),
    Origin: z.string().optional(),
    Destination: z.string().optional(),
  }),
});
export type LifecycleTerminateEvent = z.infer<typeof lifecycleTerminateEvent>;

const totals = z.object({
  tasksStopped: z.object({ standalone: z.number().int().min(0), service: z.number().int().min(0) }),
  targetsDeregistered: z.number().int().min(0),
  interruptedTasksPublished: z.number().int().min(0),
  failures: z.number().int().min(0),
});

/** What the ASG drain re-queues for itself when a drain outlives one invocation: the event and the drain's state. */
export const CONTINUATION_MARK = 'ecs-steady/asg-drain-continuation';
export const continuation = z.object({
  kind: z.literal(CONTINUATION_MARK),
  event: lifecycleTerminateEvent,
  startedAt: z.number().int().positive(),
  deadline: z.number().int().positive(),
  heartbeatTimeoutSeconds: z.number().int().positive(),
  globalEndsAt: z.number().int().positive(),
  lastHeartbeatAt: z.number().int().positive(),
  step: z.number().int().positive(),
  totals,
});
export type Continuation = z.infer<typeof continuation>;

/** One Spot notice → one drain request (the deadline is the reclaim). */
export interface SpotDrainRequest {
  eventId: string;
  ec2InstanceId: string;
  action: 'terminate' | 'stop' | 'hibernate';
  noticeAt: number;
  deadline: number;
}

export function parseSpotNotice(event: unknown): SpotDrainRequest {
  const e = parseEvent(spotInterruptionEvent, event, 'Spot interruption event');
  const noticeAt = Date.parse(e.time);
  return {
    eventId: e.id,
    ec2InstanceId: e.detail['instance-id'],
    action: e.detail['instance-action'],
    noticeAt,
    deadline: noticeAt + SPOT_NOTICE_MS,
  };
}

/** A rebalance recommendation for one instance: no deadline of its own (a notice may follow, or never). */
export interface RebalanceSignal {
  eventId: string;
  ec2InstanceId: string;
  recommendedAt: number;
}

/** What the Spot notice queue carries: an interruption notice, or (when enabled) a rebalance recommendation. */
export type SpotSignal = ({ kind: 'notice' } & SpotDrainRequest) | ({ kind: 'rebalance' } & RebalanceSignal);

/** Parse a body of the Spot notice queue against the kind its detail-type names, so every bad field is named. */
export function parseSpotSignal(body: unknown): SpotSignal {
  const type = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['detail-type'] : undefined;
  if (type !== REBALANCE_RECOMMENDATION_DETAIL_TYPE) return { kind: 'notice', ...parseSpotNotice(body) };
  const e = parseEvent(rebalanceRecommendationEvent, body, 'rebalance recommendation event');
  return { kind: 'rebalance', eventId: e.id, ec2InstanceId: e.detail['instance-id'], recommendedAt: Date.parse(e.time) };
}

/** An SQS body of the ASG drain: a lifecycle action of one of our hooks, our own continuation, or another team's hook. */
export type AsgMessage =
  | { kind: 'lifecycle'; event: LifecycleTerminateEvent }
  | { kind: 'continuation'; continuation: Continuation }
  | { kind: 'foreign'; hookName: string; autoScalingGroupName: string; ec2InstanceId: string }
  | { kind: 'test-notification'; autoScalingGroupName: string };

/**
 * What Auto Scaling sends once to a lifecycle hook's notification target when the hook is set up
 * ("Event": "autoscaling:TEST_NOTIFICATION"; "Configure a notification target for a lifecycle
 * hook", https://docs.aws.amazon.com/autoscaling/ec2/userguide/prepare-for-lifecycle-notifications.html).
 * Nothing to drain: acknowledged, never dead-lettered as malformed.
 */
const testNotification = z.object({
  Event: z.literal('autoscaling:TEST_NOTIFICATION'),
  AutoScalingGroupName: z.string().min(1),
  Service: z.string().optional(),
  Time: z.string().optional(),
});

/**
 * Parse an ASG drain message against the kind it resembles (a body carrying our
 * continuation mark is checked as a continuation, anything else as a lifecycle event), so
 * every bad field is named rather than "Invalid input". A hook not in `hookNames` is
 * foreign: never touched, whatever else the message says.
 */
export function parseAsgMessage(body: unknown, hookNames: readonly string[]): AsgMessage {
  const isContinuation = typeof body === 'object' && body !== null && (body as { kind?: unknown }).kind === CONTINUATION_MARK;
  const hookOf = (d: LifecycleTerminateEvent['detail']) => d.LifecycleHookName;
  if (typeof body === 'object' && body !== null && (body as { Event?: unknown }).Event === 'autoscaling:TEST_NOTIFICATION') {
    const t = parseEvent(testNotification, body, 'Auto Scaling test notification');
    return { kind: 'test-notification', autoScalingGroupName: t.AutoScalingGroupName };
  }
  if (isContinuation) {
    const c = parseEvent(continuation, body, 'ASG drain continuation');
    if (!hookNames.includes(hookOf(c.event.detail))) return foreign(c.event);
    return { kind: 'continuation', continuation: c };
  }
  const event = parseEvent(lifecycleTerminateEvent, body, 'ASG terminate lifecycle event');
  if (!hookNames.includes(hookOf(event.detail))) return foreign(event);
  return { kind: 'lifecycle', event };
}

function foreign(e: LifecycleTerminateEvent): AsgMessage {
  return {
    kind: 'foreign',
    hookName: e.detail.LifecycleHookName,
    autoScalingGroupName: e.detail.AutoScalingGroupName,
    ec2InstanceId: e.detail.EC2InstanceId,
  };
}
