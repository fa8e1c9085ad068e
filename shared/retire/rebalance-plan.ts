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
 * Whether a rebalance drain is called off (pure): the container instance is still DRAINING with our
 * `rebalance` mark, older than the bound, and EC2 says it is a Spot instance still running whose Spot
 * request is not marked for interruption (SPOT_RUNNING_UNDISTURBED: a notice's drain re-marks it
 * `spot-notice`, but that re-mark is best effort), and it is not leaving a backend of ours (a
 * lifecycle hook's drain). Anything else: left alone, with the reason.
 */
export function rebalanceCallOff(
  facts: { status: string; mark: RetiringMark | undefined; leaving: boolean; ec2: Ec2Facts | undefined },
  boundMs: number,
  now: number,
): { callOff: true } | { callOff: false; why: string } {
  if (facts.status !== 'DRAINING') return { callOff: false, why: `${facts.status}, not DRAINING` };
  if (facts.mark?.reason !== 'rebalance' || facts.mark.from !== 'mark') return { callOff: false, why: 'no rebalance mark' };
  if (now - facts.mark.at < boundMs) return { callOff: false, why: 'the bound has not passed' };
  if (facts.leaving) return { callOff: false, why: 'leaving its backend' };
  if (!facts.ec2 || facts.ec2.state !== 'running') return { callOff: false, why: `EC2 says ${facts.ec2?.state ?? 'nothing of it'}` };
  if (facts.ec2.lifecycle !== 'spot') return { callOff: false, why: 'not a Spot instance: no recommendation was ever sent for it' };
  // Our mark is memory: EC2's own record says whether the instance is marked for interruption (a notice we may have missed).
  const status = facts.ec2.spotRequestStatus;
  if (!status || !(SPOT_RUNNING_UNDISTURBED as readonly string[]).includes(status))
    return { callOff: false, why: `its Spot request says ${status ?? 'nothing (no request found)'}` };
  return { callOff: true };
}

/** One rebalance drain the tick read (fresh from ECS this tick) whose bound has passed: a candidate to call off. */
export interface RebalanceCallOffStep {
  ec2InstanceId: string;
  containerInstanceArn: string;
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
