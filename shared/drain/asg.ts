import * as z from 'zod';
import { AutoScalingAdapter, type LifecycleActionRef } from '../aws/autoscaling-lifecycle';
import { envInt, parseEnv } from '../lambda/env';
import { lifecycleTerminateEvent, type LifecycleTerminateEvent } from './messages';
import { LIFECYCLE_HEARTBEAT_MAX_SECONDS } from '../aws/limits';
import type { QueueAdapter } from '../aws/sqs-queues';
import { parseDrainConfig, type DrainConfig } from './config';
import type { DrainReport } from './report';
import { drainEc2Instance, type DrainDeps } from './workflow';

export interface AsgDrainConfig extends DrainConfig {
  /** Longest stretch one invocation drains before handing the rest on (ms). */
  stepMs: number;
  /** Used when the hook cannot be described (seconds). */
  defaultHeartbeatSeconds: number;
  /** The queue the function consumes; continuations go back to it with a delay. */
  drainQueueName: string;
}

const asgEnv = z.object({
  ASG_STEP_SECONDS: envInt(240, 10, 840),
  ASG_DEFAULT_HEARTBEAT_SECONDS: envInt(300, 30, LIFECYCLE_HEARTBEAT_MAX_SECONDS),
  DRAIN_QUEUE_NAME: z.string({ message: 'required: the SQS queue name this function consumes' }),
});

export function parseAsgDrainConfig(env: NodeJS.ProcessEnv = process.env): AsgDrainConfig {
  const e = parseEnv(asgEnv, env);
  return {
    ...parseDrainConfig(env),
    stepMs: e.ASG_STEP_SECONDS * 1000,
    defaultHeartbeatSeconds: e.ASG_DEFAULT_HEARTBEAT_SECONDS,
    drainQueueName: e.DRAIN_QUEUE_NAME,
  };
}

/** What the function re-queues for itself when a drain outlives one invocation. */
export const CONTINUATION_MARK = 'ecs-steady/asg-drain-continuation';
const continuation = z.object({
  kind: z.literal(CONTINUATION_MARK),
  event: lifecycleTerminateEvent,
  deadline: z.number().int().positive(),
  startedAt: z.number().int().positive(),
  heartbeatSeconds: z.number().int().positive(),
  step: z.number().int().positive(),
});
export type Continuation = z.infer<typeof continuation>;

/** An SQS body is either the lifecycle event (from the EventBridge rule) or our continuation. */
export const asgDrainMessage = z.union([lifecycleTerminateEvent, continuation]);
export type AsgDrainMessage = z.infer<typeof asgDrainMessage>;

export interface AsgStepResult {
  report: DrainReport;
  lifecycle: 'completed' | 'already-complete' | 'handed-on' | 'left-alone (dry run)';
  step: number;
}

/**
 * One bounded step of an ASG terminate drain. The deadline is the notice time plus the
 * hook's heartbeat timeout; heartbeats are recorded while waiting so the hook never times
 * out under us. CONTINUE is sent once nothing runs on the instance, or at the deadline;
 * otherwise the rest is handed on as a delayed message to the same queue.
 * Returns ⇒ message handled; throws ⇒ the message is retried (then dead-lettered).
 */
export async function asgDrainStep(
  deps: DrainDeps & { autoscaling: AutoScalingAdapter; queues: QueueAdapter },
  config: AsgDrainConfig,
  message: AsgDrainMessage,
  invocationEndsAt: number,
): Promise<AsgStepResult> {
  const now = deps.clock.now();
  const event: LifecycleTerminateEvent = 'kind' in message ? message.event : message;
  const ref: LifecycleActionRef = {
    autoScalingGroupName: event.detail.AutoScalingGroupName,
    lifecycleHookName: event.detail.LifecycleHookName,
    lifecycleActionToken: event.detail.LifecycleActionToken,
    instanceId: event.detail.EC2InstanceId,
  };
  const noticeAt = Date.parse(event.time);
  let heartbeatSeconds: number;
  let deadline: number;
  if ('kind' in message) {
    ({ heartbeatSeconds, deadline } = message);
  } else {
    heartbeatSeconds = (await deps.autoscaling.heartbeatTimeoutSeconds(ref.autoScalingGroupName, ref.lifecycleHookName)) ?? config.defaultHeartbeatSeconds;
    deadline = noticeAt + heartbeatSeconds * 1000;
  }
  const startedAt = 'kind' in message ? message.startedAt : now;
  const step = 'kind' in message ? message.step : 1;

  let lastBeat = now;
  const beatEveryMs = (heartbeatSeconds * 1000) / 3;
  const report = await drainEc2Instance(deps, config, {
    ec2InstanceId: ref.instanceId,
    noticeAt,
    deadline,
    startedAt,
    stepEndsAt: Math.min(now + config.stepMs, invocationEndsAt),
    onTick: async () => {
      if (deps.clock.now() - lastBeat < beatEveryMs) return;
      lastBeat = deps.clock.now();
      await deps.autoscaling.recordHeartbeat(ref);
    },
  });

  if (config.dryRun) return { report, lifecycle: 'left-alone (dry run)', step };
  if (report.outcome === 'handed-on') {
    await deps.autoscaling.recordHeartbeat(ref);
    const next: Continuation = { kind: CONTINUATION_MARK, event, deadline, startedAt, heartbeatSeconds, step: step + 1 };
    await deps.queues.send(config.drainQueueName, next, { delaySeconds: config.pollMs / 1000 });
    return { report, lifecycle: 'handed-on', step };
  }
  const completed = await deps.autoscaling.complete(ref, 'CONTINUE');
  return { report, lifecycle: completed ? 'completed' : 'already-complete', step };
}
