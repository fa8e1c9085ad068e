import type { DrainSettings } from '../drain/config';
import { drainForLifecycle, type LifecycleDrainDeps, type LifecycleStepResult } from '../drain/lifecycle';
import type { AsgMessage, SpotDrainRequest } from '../drain/messages';
import type { AsgDrainConfig } from '../drain/config';
import type { DrainDeps } from '../drain/run';
import { runWave, type WaveResult } from '../drain/wave';
import { checkRetireRequest, type RetireRequest } from './request';

/**
 * The retirements AWS starts — a Spot notice, a lifecycle action of our hook — as requests, and
 * their carrying out, delegated to the drain's wave and lifecycle code (shared/drain/wave.ts,
 * lifecycle.ts). No ownership check: AWS takes the instance whatever we do; the drain acts only
 * in the configured clusters and only on our hooks (a foreign hook is left alone by the parser).
 */

/** A Spot notice → a retirement: drained until the reclaim, then nothing (Spot takes it). */
export function spotNoticeRequest(n: SpotDrainRequest, startedAt: number): RetireRequest {
  return checkRetireRequest({ ec2InstanceId: n.ec2InstanceId, reason: 'spot-notice', startedAt, deadline: n.deadline, then: 'none' });
}

/** Carry out Spot retirements that arrived together as one wave (one lookup, one call per target group for all). */
export function retireOnSpotNotices(
  deps: DrainDeps,
  settings: DrainSettings & { clusters: readonly string[] },
  requests: ReadonlyArray<RetireRequest & { noticeAt: number }>,
  drainId: string,
): Promise<WaveResult[]> {
  return runWave(
    deps,
    settings,
    requests.map((r) => ({ ec2InstanceId: r.ec2InstanceId, noticeAt: r.noticeAt, deadline: r.deadline, startedAt: r.startedAt, drainId })),
  );
}

/**
 * A lifecycle action of our hook (or our continuation of one) → one bounded step of its retirement:
 * drained with heartbeats, then CONTINUE (`complete-lifecycle`). The request is for the log; the
 * hook's own deadline and token travel in the message, which the lifecycle drain keeps resuming.
 */
export function lifecycleRequest(message: AsgMessage, now: number, drainMaxMs: number): RetireRequest | undefined {
  if (message.kind !== 'lifecycle' && message.kind !== 'continuation') return undefined;
  const event = message.kind === 'lifecycle' ? message.event : message.continuation.event;
  const at = message.kind === 'continuation' ? message.continuation.startedAt : Date.parse(event.time);
  return {
    ec2InstanceId: event.detail.EC2InstanceId,
    reason: 'lifecycle-hook',
    startedAt: Number.isFinite(at) ? at : now,
    // A new action's deadline is the configured bound; the hook's global timeout may shorten it (the lifecycle drain decides).
    deadline: message.kind === 'continuation' ? message.continuation.deadline : (Number.isFinite(at) ? at : now) + drainMaxMs,
    then: 'complete-lifecycle',
    ...(message.kind === 'continuation' ? { resumed: true } : {}),
  };
}

export function retireForLifecycle(
  deps: LifecycleDrainDeps,
  config: AsgDrainConfig,
  message: AsgMessage,
  invocationEndsAt: number,
  drainId: string,
): Promise<LifecycleStepResult> {
  return drainForLifecycle(deps, config, message, invocationEndsAt, drainId);
}
