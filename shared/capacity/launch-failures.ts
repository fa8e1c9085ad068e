import type { CallOptions } from '../aws/call';
import type { LaunchFailure } from '../aws/launch-failures';
import { errorMessage } from '../lambda/errors';
import type { Log } from '../lambda/observability';
import type { BackendRef, BackendView } from './ports';
import type { InFlight } from './types';

export type { LaunchFailure } from '../aws/launch-failures';

/**
 * Launch failures that mean the pool has no capacity for us now, in AWS's own words:
 * - EC2's InsufficientInstanceCapacity ("We currently do not have sufficient <type> capacity in
 *   the Availability Zone you requested", troubleshooting-launch.html#troubleshooting-launch-capacity),
 *   and for Spot "There is no Spot capacity available that matches your request."
 *   (spot-request-status.html, `capacity-not-available`);
 * - InsufficientCapacity / UnfulfillableCapacity / MaxSpotInstanceCountExceeded
 *   (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html);
 * - the fleets' error sub-types spotInstanceCountLimitExceeded and
 *   allLaunchSpecsTemporarilyBlacklisted ("None of the configurations are valid, and several
 *   attempts to launch instances have failed", API_EventInformation.html).
 * A failure for any other reason (a bad launch template, an IAM role the fleet lacks, a
 * subnet gone) is not one: another backend would not cure it, and the arrival time still applies.
 */
const CAPACITY_FAILURE =
  /InsufficientInstanceCapacity|InsufficientCapacity|UnfulfillableCapacity|MaxSpotInstanceCountExceeded|spotInstanceCountLimitExceeded|allLaunchSpecsTemporarilyBlacklisted|no Spot capacity available|do not have sufficient .* capacity/i;

export function isCapacityFailure(message: string): boolean {
  return CAPACITY_FAILURE.test(message);
}

/**
 * The request time is the backend's last-scale-out tag, written only after the capacity write it
 * records (one or more API calls later, retries included): a backend that fails its launch inside
 * that write (a Spot Fleet launches at once) reports the failure before the tag's time. A failure
 * this long before the tag still belongs to the request.
 */
export const REQUEST_RECORD_SLACK_MS = 15_000;

/**
 * The first capacity failure the backend reported since capacity now in flight was asked for
 * (from REQUEST_RECORD_SLACK_MS before the request's record: an older failure was for an earlier ask), or undefined. Pure.
 * When there is one, the units still missing cannot be expected within the arrival time: they
 * count as late at once, so the fallback acts on the tick that reads it.
 */
export function firstCapacityFailure(inFlight: InFlight | undefined, failures: readonly LaunchFailure[]): LaunchFailure | undefined {
  if (!inFlight) return undefined;
  return failures
    .filter((f) => f.at >= inFlight.requestedAt - REQUEST_RECORD_SLACK_MS && isCapacityFailure(f.message))
    .reduce<LaunchFailure | undefined>((first, f) => (!first || f.at < first.at ? f : first), undefined);
}

/** Reads a backend's failed launches since a time (shared/aws/launch-failures.ts); throws what AWS throws. */
export type LaunchFailureReader = (ref: BackendRef, since: number, o?: CallOptions) => Promise<LaunchFailure[]>;

/**
 * The tick's one read of the backend's failed launches, made only when it can change the
 * decision: a fallback exists, capacity asked of the backend is in flight and not yet late by the
 * arrival time. A fleet that says `error` now (BackendView.launchError) while its history shows no
 * failure since the request yet counts as failing since `now`: EC2 shows fleet events "delayed by
 * up to 30 seconds" (API_DescribeFleetHistory.html), which would otherwise cost a whole tick; a
 * history that shows only failures of another kind (a bad template, a role) rules that out.
 * Never throws: an unread history is logged and counts as no failure (the arrival time still
 * applies), so a throttled read never blocks the rest of the tick.
 */
export async function readCapacityFailure(
  read: LaunchFailureReader | undefined,
  view: Pick<BackendView, 'ref' | 'launchError'>,
  inFlight: InFlight | undefined,
  lateByTime: boolean,
  now: number,
  log: Log,
  o?: CallOptions,
): Promise<LaunchFailure | undefined> {
  const { ref } = view;
  if (!read || !inFlight || lateByTime) return undefined;
  try {
    const since = inFlight.requestedAt - REQUEST_RECORD_SLACK_MS;
    const failures = await read(ref, since, o);
    const first = firstCapacityFailure(inFlight, failures);
    if (first || !view.launchError || failures.some((f) => f.at >= since)) return first;
    return { at: now, message: `ActivityStatus error; its history does not show the failure yet (fleet events are shown up to 30 s late)` };
  } catch (err) {
    log.warn('launch failures not read; the arrival time applies', { backend: { kind: ref.kind, id: ref.id }, error: errorMessage(err) });
    return undefined;
  }
}
