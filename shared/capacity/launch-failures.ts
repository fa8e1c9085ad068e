import type { CallOptions } from '../aws/call';
import type { LaunchFailure } from '../aws/launch-failures';
import { errorMessage } from '../lambda/errors';
import type { Log } from '../lambda/observability';
import type { BackendRef } from './ports';
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
 * The first capacity failure the backend reported since capacity now in flight was asked for
 * (at or after the request: a failure before it was for an earlier ask), or undefined. Pure.
 * When there is one, the units still missing cannot be expected within the arrival time: they
 * count as late at once, so the fallback acts on the tick that reads it.
 */
export function firstCapacityFailure(inFlight: InFlight | undefined, failures: readonly LaunchFailure[]): LaunchFailure | undefined {
  if (!inFlight) return undefined;
  return failures
    .filter((f) => f.at >= inFlight.requestedAt && isCapacityFailure(f.message))
    .reduce<LaunchFailure | undefined>((first, f) => (!first || f.at < first.at ? f : first), undefined);
}

/** Reads a backend's failed launches since a time (shared/aws/launch-failures.ts); throws what AWS throws. */
export type LaunchFailureReader = (ref: BackendRef, since: number, o?: CallOptions) => Promise<LaunchFailure[]>;

/**
 * The tick's one read of the backend's failed launches, made only when it can change the
 * decision: a fallback exists, capacity asked of the backend is in flight and not yet late by the
 * arrival time. Never throws: an unread history is logged and counts as no failure (the arrival
 * time still applies), so a throttled read never blocks the rest of the tick.
 */
export async function readCapacityFailure(
  read: LaunchFailureReader | undefined,
  ref: BackendRef,
  inFlight: InFlight | undefined,
  lateByTime: boolean,
  log: Log,
  o?: CallOptions,
): Promise<LaunchFailure | undefined> {
  if (!read || !inFlight || lateByTime) return undefined;
  try {
    return firstCapacityFailure(inFlight, await read(ref, inFlight.requestedAt, o));
  } catch (err) {
    log.warn('launch failures not read; the arrival time applies', { backend: { kind: ref.kind, id: ref.id }, error: errorMessage(err) });
    return undefined;
  }
}
