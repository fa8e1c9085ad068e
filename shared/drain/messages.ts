import * as z from 'zod';
import { EventValidationError } from '../lambda/errors';

/** The EventBridge envelope fields we rely on. */
const envelope = {
  version: z.string().optional(),
  id: z.string().min(1),
  source: z.string(),
  account: z.string().optional(),
  time: z.iso.datetime({ offset: true, message: 'expected an ISO-8601 time' }),
  region: z.string().optional(),
  resources: z.array(z.string()).optional(),
};

export const SPOT_INTERRUPTION_DETAIL_TYPE = 'EC2 Spot Instance Interruption Warning';
export const LIFECYCLE_TERMINATE_DETAIL_TYPE = 'EC2 Instance-terminate Lifecycle Action';

const instanceId = z.string().regex(/^i-[0-9a-f]{8,17}$/, 'expected an EC2 instance id (i-…)');

/** https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html */
export const spotInterruptionEvent = z.object({
  ...envelope,
  source: z.literal('aws.ec2'),
  'detail-type': z.literal(SPOT_INTERRUPTION_DETAIL_TYPE),
  detail: z.object({
    'instance-id': instanceId,
    'instance-action': z.enum(['terminate', 'stop', 'hibernate']),
  }),
});
export type SpotInterruptionEvent = z.infer<typeof spotInterruptionEvent>;

/** https://docs.aws.amazon.com/autoscaling/ec2/userguide/warm-pools-eventbridge-events.html (terminate lifecycle action) */
export const lifecycleTerminateEvent = z.object({
  ...envelope,
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

/** Parse or throw an EventValidationError that says what was wrong, field by field. */
export function parseEvent<S extends z.ZodType>(schema: S, event: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(event);
  if (result.success) return result.data;
  throw new EventValidationError(
    `malformed ${what}`,
    result.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`),
  );
}
