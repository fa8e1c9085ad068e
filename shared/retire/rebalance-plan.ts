import { checkRetireRequest, type RetireRequest } from './request';
import type { RetiringMark } from './mark';
import type { BackendKind } from './ports';

/*
 * A rebalance recommendation's choices, pure (rebalance.ts carries them out): the request it
 * becomes, and whether a drain whose bound passed is called off.
 */

/**
 * The recommendation as a retirement: reason `rebalance`, nothing after the drain (`none`). Our part
 * (mark, DRAINING) is bounded like the replacement's retries, by `actMs`; ECS moves the tasks, and the
 * tick calls the drain off after its own bound (REBALANCE_DRAIN_MAX_SECONDS) when no notice came.
 */
export function rebalanceRequest(
  signal: { ec2InstanceId: string; recommendedAt: number },
  backend: { kind: BackendKind; id: string } | undefined,
  actMs: number,
): RetireRequest {
  return checkRetireRequest({
    ec2InstanceId: signal.ec2InstanceId,
    reason: 'rebalance',
    startedAt: signal.recommendedAt,
    deadline: signal.recommendedAt + actMs,
    then: 'none',
    // An absent backend fails the check below by name (checkRetireRequest): the caller passes only one it read.
    backend: backend ?? { kind: 'asg', id: '' },
  });
}

/** The facts the call-off re-reads in EC2 (DescribeInstances, DescribeSpotInstanceRequests) beside what the tick read in ECS. */
export interface Ec2Facts {
  state: string;
  lifecycle: 'spot' | 'on-demand';
  /** The instance's Spot request status code; absent when EC2 answered no request for it. */
  spotRequestStatus?: string;
}

/**
 * The Spot request status codes of an instance running undisturbed ("State changes for a Spot request",
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instances-request-status-lifecycle.html):
 * `fulfilled`, and `request-canceled-and-instance-running` (the request cancelled, the instance kept).
 * Every other code of a running instance says it is on its way out — `marked-for-termination`,
 * `marked-for-stop`, `marked-for-stop-by-experiment` — or already gone (`instance-terminated-by-price`,
 * `instance-terminated-no-capacity`, `instance-stopped-by-price`, …): the call-off stands only on these two.
 */
export const SPOT_RUNNING_UNDISTURBED = ['fulfilled', 'request-canceled-and-instance-running'] as const;

/**
 * Where the instance is in Auto Scaling, read at the call-off: `group` holds it now (undefined: no
 * group does); `detachedFrom` is a backend of ours whose own scaling activities show it detached this
 * instance keeping desired, around the time of our mark (the recommendation's replacement).
 */
export interface GroupFacts {
  group: string | undefined;
  detachedFrom?: string;
}

/**
 * Whether a rebalance mark is acted on (pure): our `rebalance` mark older than the bound, no notice
 * took it (a notice's drain re-marks it `spot-notice`), not leaving a backend of ours (a lifecycle
 * hook's drain), and EC2 says a Spot instance still running whose Spot request is not marked for
 * interruption (SPOT_RUNNING_UNDISTURBED: a notice's re-mark is best effort). The instance is DRAINING (our drain
 * that keeps serving), or ACTIVE outside any group (`replace`: detached, never drained). When no
 * group holds it and a backend of ours is on record as having detached it, `attachTo` names that
 * group: the instance goes back, never left running outside it. An instance in no group that no
 * backend of ours detached is not ours to attach: called off (ACTIVE, unmarked) only. Anything
 * else: left alone, with the reason.
 */
export function rebalanceCallOff(
  facts: { status: string; mark: RetiringMark | undefined; leaving: boolean; ec2: Ec2Facts | undefined; asg?: GroupFacts },
  boundMs: number,
  now: number,
): { callOff: true; attachTo?: string } | { callOff: false; why: string } {
  const outside = facts.asg !== undefined && facts.asg.group === undefined;
  if (facts.status !== 'DRAINING' && !(facts.status === 'ACTIVE' && outside))
    return { callOff: false, why: `${facts.status}, not DRAINING nor ACTIVE outside its group` };
  if (facts.mark?.reason !== 'rebalance' || facts.mark.from !== 'mark') return { callOff: false, why: 'no rebalance mark' };
  if (now - facts.mark.at < boundMs) return { callOff: false, why: 'the bound has not passed' };
  if (facts.leaving) return { callOff: false, why: 'leaving its backend' };
  if (!facts.ec2 || facts.ec2.state !== 'running') return { callOff: false, why: `EC2 says ${facts.ec2?.state ?? 'nothing of it'}` };
  if (facts.ec2.lifecycle !== 'spot') return { callOff: false, why: 'not a Spot instance: no recommendation was ever sent for it' };
  // Our mark is memory: EC2's own record says whether the instance is marked for interruption (a notice we may have missed).
  const status = facts.ec2.spotRequestStatus;
  if (!status || !(SPOT_RUNNING_UNDISTURBED as readonly string[]).includes(status))
    return { callOff: false, why: `its Spot request says ${status ?? 'nothing (no request found)'}` };
  return outside && facts.asg?.detachedFrom ? { callOff: true, attachTo: facts.asg.detachedFrom } : { callOff: true };
}

/** One rebalance mark the tick read (fresh from ECS this tick) whose bound has passed: a candidate to call off. */
export interface RebalanceCallOffStep {
  ec2InstanceId: string;
  containerInstanceArn: string;
  /** DRAINING (our drain that keeps serving), or ACTIVE in no backend of ours (detached at a `replace` recommendation). */
  status: 'DRAINING' | 'ACTIVE';
  mark: RetiringMark;
  /** A backend of ours holds it in a leaving state (terminating, detaching, standby). */
  leaving: boolean;
  /** The bound it was planned with (REBALANCE_DRAIN_MAX_SECONDS), checked again against the clock when it runs. */
  boundMs: number;
}

/** A rebalance mark the tick read on an ACTIVE instance past the grace and the bound: a candidate to remove. */
export interface StaleRebalanceMarkStep {
  ec2InstanceId: string;
  containerInstanceArn: string;
  mark: RetiringMark;
}

/**
 * How long our part of a recommendation (the replacement's retries, the mark and DRAINING) may take:
 * the same two minutes a notice gives, since a notice may come with the recommendation or right after it.
 */
export const REBALANCE_ACT_MS = 120_000;
