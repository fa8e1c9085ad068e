import type { LifecycleActionRef } from '../aws/autoscaling-lifecycle';
import type { AsgDrainConfig } from './config';
import { CONTINUATION_MARK, type AsgMessage, type Continuation, type LifecycleTerminateEvent } from './messages';
import type { DrainCarry, LifecycleState } from './types';

/*
 * The choices of one step of an ASG terminate drain (lifecycle.ts only reads, runs the drain
 * and queues): which messages are left alone, what a first message's drain is bounded by
 * (the hook's timeouts, the configured maximum), how long this invocation drains, and what is
 * handed to the next one. Pure: no SDK, no clock, no logger; `now` is passed in.
 */

/** What one step of a lifecycle drain carries to the next (the continuation without its event). */
export type LifecycleCarry = Omit<Continuation, 'kind' | 'event'>;

/** A message is either left alone (why) or about a lifecycle action of one of our hooks, first or continued. */
export type Triage =
  | { ignored: { why: string; test: boolean } }
  | { event: LifecycleTerminateEvent; ref: LifecycleActionRef; noticeAt: number; continued?: LifecycleCarry };

/** What a message is about: a test notification and another team's hook are left alone. */
export function triage(message: AsgMessage): Triage {
  if (message.kind === 'test-notification') return { ignored: { why: `test notification of ${message.autoScalingGroupName}`, test: true } };
  if (message.kind === 'foreign') return { ignored: { why: `hook ${message.hookName} is not one of ours`, test: false } };
  const event = message.kind === 'continuation' ? message.continuation.event : message.event;
  return {
    event,
    ref: {
      autoScalingGroupName: event.detail.AutoScalingGroupName,
      lifecycleHookName: event.detail.LifecycleHookName,
      lifecycleActionToken: event.detail.LifecycleActionToken,
      instanceId: event.detail.EC2InstanceId,
    },
    noticeAt: Date.parse(event.time),
    ...(message.kind === 'continuation' ? { continued: message.continuation } : {}),
  };
}

/** With an ownership tag configured, an ASG without it is not ours: why it is left alone (undefined: ours). */
export function notOwnedWhy(
  groupName: string,
  tags: { has(key: string): boolean } | undefined,
  ownershipTag: string | undefined,
): string | undefined {
  if (!ownershipTag || tags?.has(ownershipTag)) return undefined;
  return `ASG ${groupName} lacks the tag ${ownershipTag}`;
}

/**
 * The bounds of a drain begun by a first message. The hook's timeouts when it could be
 * described, else the configured heartbeat timeout and Auto Scaling's default global timeout
 * (100 × the heartbeat timeout, at most `maxGlobalTimeoutSeconds`); the drain lasts up to the
 * configured maximum after the notice, never past the action's global timeout.
 */
export function firstCarry(a: {
  hook: { heartbeatTimeoutSeconds?: number; globalTimeoutSeconds?: number } | undefined;
  config: Pick<AsgDrainConfig, 'defaultHeartbeatSeconds' | 'drainMaxMs'>;
  maxGlobalTimeoutSeconds: number;
  noticeAt: number;
  now: number;
}): LifecycleCarry {
  const heartbeatTimeoutSeconds = a.hook?.heartbeatTimeoutSeconds ?? a.config.defaultHeartbeatSeconds;
  const globalEndsAt =
    a.noticeAt + (a.hook?.globalTimeoutSeconds ?? Math.min(a.maxGlobalTimeoutSeconds, 100 * heartbeatTimeoutSeconds)) * 1000;
  return {
    startedAt: a.now,
    deadline: Math.min(a.noticeAt + a.config.drainMaxMs, globalEndsAt),
    heartbeatTimeoutSeconds,
    globalEndsAt,
    // The notice is the action's first heartbeat: its timeout runs from there.
    lastHeartbeatAt: a.noticeAt,
    step: 1,
    totals: { tasksStopped: { standalone: 0, service: 0 }, targetsDeregistered: 0, interruptedTasksPublished: 0, failures: 0 },
  };
}

/** The lifecycle action the drain keeps alive and completes (with the configured result when its deadline comes). */
export function lifecycleStateOf(ref: LifecycleActionRef, c: LifecycleCarry, result: AsgDrainConfig['deadlineResult']): LifecycleState {
  return {
    ref,
    heartbeatTimeoutMs: c.heartbeatTimeoutSeconds * 1000,
    globalEndsAt: c.globalEndsAt,
    lastHeartbeatAt: c.lastHeartbeatAt,
    result,
  };
}

/**
 * The moments of this step's drain: it gives the drain back after the configured step or
 * when the invocation ends, whichever is first; a first message that arrives after the
 * action's first heartbeat timeout has nothing left to save (the action is gone).
 */
export function stepBounds(
  c: LifecycleCarry,
  a: { noticeAt: number; now: number; stepMs: number; invocationEndsAt: number },
): { deadline: number; expiresAt: number; startedAt: number; stepEndsAt: number } {
  return {
    deadline: c.deadline,
    expiresAt: a.noticeAt + c.heartbeatTimeoutSeconds * 1000,
    startedAt: c.startedAt,
    stepEndsAt: Math.min(a.now + a.stepMs, a.invocationEndsAt),
  };
}

/** The message that carries the drain to the next invocation: the same bounds, the latest heartbeat, the totals so far. */
export function nextContinuation(event: LifecycleTerminateEvent, c: LifecycleCarry, carry: DrainCarry): Continuation {
  return {
    kind: CONTINUATION_MARK,
    event,
    ...c,
    lastHeartbeatAt: carry.lastHeartbeatAt ?? c.lastHeartbeatAt,
    step: c.step + 1,
    totals: carry.totals,
  };
}
