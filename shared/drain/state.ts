import { targetKey } from '../aws/elbv2-targets';
import { retryKey, type DrainRead, type DrainState, type DrainStep, type LifecycleState, type RetryKey, type StepResult } from './types';

export function initialState(ec2InstanceId: string, options: { resumed?: boolean; lifecycle?: LifecycleState } = {}): DrainState {
  return {
    ec2InstanceId,
    lookup: 'pending',
    resumed: options.resumed ?? false,
    relist: false,
    tasks: new Map(),
    services: new Map(),
    servicesMissing: new Set(),
    groups: new Map(),
    stopped: new Map(),
    published: new Set(),
    retries: new Map(),
    ...(options.lifecycle ? { lifecycle: { ...options.lifecycle } } : {}),
  };
}

/** The key under which a step's or a read's failures (and backoff) are kept; the planner asks `due(key)`. */
export function stepKey(step: DrainStep): RetryKey {
  switch (step.kind) {
    case 'deregisterTargets':
      return retryKey.deregister(step.targetGroupArn);
    case 'stopTask':
      return retryKey.stop(step.taskArn);
    case 'notifyInterrupted':
      return retryKey.notify(step.task.taskArn);
    default:
      return step.kind;
  }
}

export function readKey(read: DrainRead): RetryKey {
  switch (read.kind) {
    case 'groupHealth':
      return retryKey.health(read.targetGroupArn);
    case 'groupDelay':
      return retryKey.delay(read.targetGroupArn);
    default:
      return read.kind;
  }
}

/** A read that succeeded: its backoff is over; the first lookup that found the instance keeps its status (DRAINING: someone drained it already). */
export function applyReadDone(state: DrainState, read: DrainRead): void {
  state.retries.delete(readKey(read));
  if (read.kind === 'lookup' && state.instance) state.initialStatus ??= state.instance.status;
}

/** A failure: tried again after `delayMs` (the runner draws the jitter). */
export function noteFailure(state: DrainState, key: RetryKey, error: string, now: number, delayMs: (failures: number) => number): void {
  const failures = (state.retries.get(key)?.failures ?? 0) + 1;
  state.retries.set(key, { failures, notBefore: now + delayMs(failures), lastError: error });
}

/** Fold what a step did into the state: the next plan sees it and does not repeat it. */
export function applyStepResult(state: DrainState, r: StepResult): void {
  if (!r.ok || r.skipped) return;
  const { step, at } = r;
  state.retries.delete(stepKey(step));
  switch (step.kind) {
    case 'setDraining':
      if (state.instance) state.instance = { ...state.instance, status: 'DRAINING' };
      state.relist = true; // tasks ECS placed before DRAINING took effect
      break;
    case 'deregisterTargets': {
      const g = state.groups.get(step.targetGroupArn);
      if (g) {
        for (const t of step.targets) g.deregistered.add(targetKey(t));
        g.lastDeregisterAt = at;
      }
      break;
    }
    case 'stopTask':
      state.stopped.set(step.taskArn, { at, ours: r.stop?.ours ?? false });
      break;
    case 'notifyInterrupted':
      state.published.add(step.task.taskArn);
      break;
    case 'heartbeat':
      if (state.lifecycle) {
        state.lifecycle.lastHeartbeatAt = at;
        if (r.actionLive === false) state.lifecycle.completed = 'already-complete';
      }
      break;
    case 'completeLifecycle':
      if (state.lifecycle) state.lifecycle.completed = r.actionLive === false ? 'already-complete' : 'completed';
      break;
    case 'handOn':
      state.handedOn = true;
      break;
  }
}
