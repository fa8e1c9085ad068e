import type { LifecycleAdapter } from '../aws/autoscaling-lifecycle';
import { MAX_GLOBAL_TIMEOUT_SECONDS } from '../aws/autoscaling-lifecycle';
import type { QueueAdapter } from '../aws/sqs-queues';
import { errorMessage } from '../lambda/errors';
import type { AsgDrainConfig } from './config';
import { firstCarry, lifecycleStateOf, nextContinuation, notOwnedWhy, stepBounds, triage, type LifecycleCarry } from './lifecycle-plan';
import type { AsgMessage } from './messages';
import type { DrainPorts } from './ports';
import type { DrainReport } from './report';
import { runDrain, type DrainDeps } from './run';

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
 * The choices are lifecycle-plan.ts's; this reads, runs the drain and queues.
 */
export async function drainForLifecycle(
  deps: LifecycleDrainDeps,
  config: AsgDrainConfig,
  message: AsgMessage,
  invocationEndsAt: number,
  drainId: string,
): Promise<LifecycleStepResult> {
  const about = triage(message);
  if ('ignored' in about) {
    if (about.ignored.test) deps.log.info('auto scaling test notification: nothing to drain', { ...message });
    else deps.log.debug('lifecycle action of a hook that is not ours: left alone', { ...message });
    return { step: 0, ignored: about.ignored.why };
  }
  const now = deps.clock.now();
  const { event, ref, noticeAt } = about;

  let c: LifecycleCarry;
  if (about.continued) {
    c = about.continued;
  } else {
    if (config.ownershipTag) {
      // Ownership must be known before anything is touched: a failed read is retried by SQS.
      const notOurs = notOwnedWhy(ref.autoScalingGroupName, await deps.lifecycle.groupTags(ref.autoScalingGroupName), config.ownershipTag);
      if (notOurs) {
        deps.log.debug('lifecycle action of an ASG without our ownership tag: left alone', { ...ref, tag: config.ownershipTag });
        return { step: 0, ignored: notOurs };
      }
    }
    const hook = await deps.lifecycle.describeHook(ref.autoScalingGroupName, ref.lifecycleHookName).catch((err: unknown) => {
      deps.log.warn('lifecycle hook could not be described; using the default heartbeat timeout', { ...ref, error: errorMessage(err) });
      return undefined;
    });
    c = firstCarry({ hook, config, maxGlobalTimeoutSeconds: MAX_GLOBAL_TIMEOUT_SECONDS, noticeAt, now });
  }

  const ports: DrainPorts = {
    ...deps.ports,
    lifecycle: deps.lifecycle,
    handOn: async (delaySeconds, carry) => {
      await deps.queues.send(config.drainQueueName, nextContinuation(event, c, carry), { delaySeconds });
    },
  };
  const report = await runDrain({ ...deps, ports }, config, {
    ec2InstanceId: ref.instanceId,
    noticeAt,
    ...stepBounds(c, { noticeAt, now, stepMs: config.stepMs, invocationEndsAt }),
    lifecycle: lifecycleStateOf(ref, c, config.deadlineResult),
    resumed: about.continued !== undefined,
    carried: c.totals,
    drainId,
  });
  return { report, step: c.step };
}
