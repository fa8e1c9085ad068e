import type { LifecycleAdapter, LifecycleActionRef } from '../aws/autoscaling-lifecycle';
import { MAX_GLOBAL_TIMEOUT_SECONDS } from '../aws/autoscaling-lifecycle';
import type { QueueAdapter } from '../aws/sqs-queues';
import { errorMessage } from '../lambda/errors';
import type { AsgDrainConfig } from './config';
import { CONTINUATION_MARK, type AsgMessage, type Continuation, type LifecycleTerminateEvent } from './messages';
import type { DrainPorts } from './ports';
import type { DrainReport } from './report';
import { runDrain, type DrainDeps } from './run';
import type { LifecycleState } from './types';

export interface LifecycleDrainDeps extends DrainDeps {
  lifecycle: Pick<LifecycleAdapter, 'describeHook' | 'groupTags' | 'recordHeartbeat' | 'complete'>;
  queues: Pick<QueueAdapter, 'send'>;
}

export interface LifecycleStepResult {
  /** Undefined when the message was not ours to act on (another team's hook or ASG). */
  report?: DrainReport;
  step: number;
  ignored?: string;
}

/**
 * One bounded step of an ASG terminate drain, for a lifecycle action of one of our hooks.
 * The drain may last up to the configured maximum after the notice, never past the hook's
 * global timeout; heartbeats (a plan step) keep the action alive meanwhile; CONTINUE is
 * sent once nothing runs on the instance, or at the deadline (the configured result).
 * What is left when this invocation's time is up is handed on as a delayed message that
 * carries the drain's state. Returns ⇒ the message is done with; throws ⇒ SQS retries it
 * (only when even the hand-on could not be sent, or ownership could not be checked).
 */
export async function drainForLifecycle(
  deps: LifecycleDrainDeps,
  config: AsgDrainConfig,
  message: AsgMessage,
  invocationEndsAt: number,
  drainId: string,
): Promise<LifecycleStepResult> {
  if (message.kind === 'test-notification') {
    deps.log.info('auto scaling test notification: nothing to drain', { ...message });
    return { step: 0, ignored: `test notification of ${message.autoScalingGroupName}` };
  }
  if (message.kind === 'foreign') {
    deps.log.debug('lifecycle action of a hook that is not ours: left alone', { ...message });
    return { step: 0, ignored: `hook ${message.hookName} is not one of ours` };
  }
  const now = deps.clock.now();
  const event: LifecycleTerminateEvent = message.kind === 'continuation' ? message.continuation.event : message.event;
  const ref: LifecycleActionRef = {
    autoScalingGroupName: event.detail.AutoScalingGroupName,
    lifecycleHookName: event.detail.LifecycleHookName,
    lifecycleActionToken: event.detail.LifecycleActionToken,
    instanceId: event.detail.EC2InstanceId,
  };
  const noticeAt = Date.parse(event.time);

  let c: Omit<Continuation, 'kind' | 'event'>;
  if (message.kind === 'continuation') {
    c = message.continuation;
  } else {
    if (config.ownershipTag) {
      // Ownership must be known before anything is touched: a failed read is retried by SQS.
      const tags = await deps.lifecycle.groupTags(ref.autoScalingGroupName);
      if (!tags?.has(config.ownershipTag)) {
        deps.log.debug('lifecycle action of an ASG without our ownership tag: left alone', { ...ref, tag: config.ownershipTag });
        return { step: 0, ignored: `ASG ${ref.autoScalingGroupName} lacks the tag ${config.ownershipTag}` };
      }
    }
    const hook = await deps.lifecycle.describeHook(ref.autoScalingGroupName, ref.lifecycleHookName).catch((err: unknown) => {
      deps.log.warn('lifecycle hook could not be described; using the default heartbeat timeout', { ...ref, error: errorMessage(err) });
      return undefined;
    });
    const heartbeatTimeoutSeconds = hook?.heartbeatTimeoutSeconds ?? config.defaultHeartbeatSeconds;
    const globalEndsAt =
      noticeAt + (hook?.globalTimeoutSeconds ?? Math.min(MAX_GLOBAL_TIMEOUT_SECONDS, 100 * heartbeatTimeoutSeconds)) * 1000;
    c = {
      startedAt: now,
      deadline: Math.min(noticeAt + config.drainMaxMs, globalEndsAt),
      heartbeatTimeoutSeconds,
      globalEndsAt,
      lastHeartbeatAt: noticeAt,
      step: 1,
      totals: { tasksStopped: { standalone: 0, service: 0 }, targetsDeregistered: 0, interruptedTasksPublished: 0, failures: 0 },
    };
  }

  const lifecycle: LifecycleState = {
    ref,
    heartbeatTimeoutMs: c.heartbeatTimeoutSeconds * 1000,
    globalEndsAt: c.globalEndsAt,
    lastHeartbeatAt: c.lastHeartbeatAt,
    result: config.deadlineResult,
  };
  const ports: DrainPorts = {
    ...deps.ports,
    lifecycle: deps.lifecycle,
    handOn: async (delaySeconds, carry) => {
      const next: Continuation = {
        kind: CONTINUATION_MARK,
        event,
        ...c,
        lastHeartbeatAt: carry.lastHeartbeatAt ?? c.lastHeartbeatAt,
        step: c.step + 1,
        totals: carry.totals,
      };
      await deps.queues.send(config.drainQueueName, next, { delaySeconds });
    },
  };
  const report = await runDrain({ ...deps, ports }, config, {
    ec2InstanceId: ref.instanceId,
    noticeAt,
    deadline: c.deadline,
    // The action is gone once its first heartbeat timeout passed unanswered: a late first message changes nothing.
    expiresAt: noticeAt + c.heartbeatTimeoutSeconds * 1000,
    startedAt: c.startedAt,
    stepEndsAt: Math.min(now + config.stepMs, invocationEndsAt),
    lifecycle,
    resumed: message.kind === 'continuation',
    carried: c.totals,
    drainId,
  });
  return { report, step: c.step };
}
