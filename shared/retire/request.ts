import { EventValidationError } from '../lambda/errors';
import type { BackendKind } from './ports';

/**
 * Why an instance leaves. Spot and Auto Scaling take theirs away anyway; scale-in and agent-unhealthy are our choice;
 * `rebalance` is a drain that keeps serving on a rebalance recommendation, called off if no Spot notice follows.
 */
export const RETIRE_REASONS = ['spot-notice', 'lifecycle-hook', 'scale-in', 'agent-unhealthy', 'rebalance'] as const;
export type RetireReason = (typeof RETIRE_REASONS)[number];

/**
 * What follows the drain: `remove` the instance from its backend (desired lowered), `replace` it
 * (terminated, desired kept), `complete-lifecycle` (CONTINUE on the hook), or `none` (Spot reclaims it).
 */
export const RETIRE_THEN = ['remove', 'replace', 'complete-lifecycle', 'none'] as const;
export type RetireThen = (typeof RETIRE_THEN)[number];

/**
 * One instance to take out of a cluster, as data. Planners and handlers emit it; only retire
 * (shared/retire/run.ts) carries it out. `backend` names the backend that must hold the instance
 * now for `remove` / `replace` (checked before the mark and again before the removal).
 */
export interface RetireRequest {
  /** Absent when the trigger does not name it (a Spot notice, a hook): the drain finds it among the configured clusters. */
  cluster?: string;
  ec2InstanceId: string;
  reason: RetireReason;
  /** When the retirement began (a resumed one keeps its first start: the mark's time). */
  startedAt: number;
  /** The drain's hard end: the reclaim (Spot), the hook's bound, or the configured bound. */
  deadline: number;
  then: RetireThen;
  backend?: { kind: BackendKind; id: string };
  /** The container instance, where the mark is written (ECS custom attributes are per container instance). */
  containerInstanceArn?: string;
  /** A retirement begun by an earlier invocation, found again from AWS state (DRAINING and our mark). */
  resumed?: boolean;
  /**
   * The caller read it DRAINING, marked by us and empty in this invocation (ECS's counts): no drain
   * is run again (a drain past its bound would only say `deadline-reached`); the `then` step follows
   * the ownership check.
   */
  drained?: boolean;
}

const isTime = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/**
 * Checks a request built in code before anything acts on it; throws EventValidationError naming
 * every bad field (a planner's bug must not become a removal of the wrong thing).
 */
export function checkRetireRequest(r: RetireRequest): RetireRequest {
  const issues: string[] = [];
  const chosen = r.reason === 'scale-in' || r.reason === 'agent-unhealthy';
  if ((chosen || r.cluster !== undefined) && (typeof r.cluster !== 'string' || r.cluster === ''))
    issues.push(`cluster: expected a cluster name, got ${JSON.stringify(r.cluster)}`);
  if (typeof r.ec2InstanceId !== 'string' || !/^i-[0-9a-f]{8,17}$/.test(r.ec2InstanceId))
    issues.push(`ec2InstanceId: expected i-<8 to 17 hex digits>, got ${JSON.stringify(r.ec2InstanceId)}`);
  if (!RETIRE_REASONS.includes(r.reason))
    issues.push(`reason: expected one of ${RETIRE_REASONS.join(', ')}, got ${JSON.stringify(r.reason)}`);
  if (!RETIRE_THEN.includes(r.then)) issues.push(`then: expected one of ${RETIRE_THEN.join(', ')}, got ${JSON.stringify(r.then)}`);
  if (!isTime(r.startedAt)) issues.push(`startedAt: expected epoch milliseconds, got ${JSON.stringify(r.startedAt)}`);
  // A deadline already past is not malformed: the drain calls it `expired` and changes nothing.
  if (!isTime(r.deadline)) issues.push(`deadline: expected epoch milliseconds, got ${JSON.stringify(r.deadline)}`);
  if ((r.then === 'remove' || r.then === 'replace') && (!r.backend || !r.backend.id))
    issues.push(`backend: required for then=${r.then} (the backend that must hold the instance)`);
  // A recommendation is not AWS taking the instance: we act on it only while a backend of ours holds it.
  if (r.reason === 'rebalance' && (!r.backend || !r.backend.id))
    issues.push('backend: required for reason=rebalance (the backend that must hold the instance)');
  if (issues.length > 0) throw new EventValidationError('bad retire request', issues);
  return r;
}
