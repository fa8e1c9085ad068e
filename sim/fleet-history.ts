import type { SimulatedAccount } from './account';
import { simError } from './errors';
import { page } from './util';

/**
 * The launch failures an EC2 Fleet or a Spot Fleet request records in its event history, as
 * DescribeFleetHistory / DescribeSpotFleetRequestHistory answer them.
 *
 * - Shape: HistoryRecordEntry (EC2 Fleet: EventType `instance-change | fleet-change |
 *   service-error`) and HistoryRecord (Spot Fleet: `instanceChange | fleetRequestChange | error |
 *   information`), each with EventInformation {EventSubType, EventDescription}:
 *   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_HistoryRecordEntry.html,
 *   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_HistoryRecord.html,
 *   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EventInformation.html
 *   (error sub-types: iamFleetRoleInvalid, allLaunchSpecsTemporarilyBlacklisted,
 *   spotInstanceCountLimitExceeded, spotFleetRequestConfigurationInvalid).
 * - "EC2 Fleet events are delayed by up to 30 seconds before they can be described" (the same
 *   for Spot Fleet events): DescribeFleetHistory / DescribeSpotFleetRequestHistory,
 *   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeFleetHistory.html.
 *   Each record here becomes visible after a delay in [0, 30 s) drawn from its fleet id,
 *   sequence and time (not from the account's seeded generator, so a failure does not shift throttling).
 * - MaxResults 1–1000, default 1000 (both APIs).
 *
 * Assumed (AWS publishes no example for a dry pool): one attempt in which no launch
 * specification could launch is one `error` (Spot Fleet) / `service-error` (EC2 Fleet) record,
 * sub-type `allLaunchSpecsTemporarilyBlacklisted`, whose description names each instance type
 * and the EC2 error it met ("m5.large, us-east-1a: InsufficientInstanceCapacity: There is no
 * Spot capacity available that matches your request.").
 */
export const FLEET_EVENT_DELAY_MAX_MS = 30_000;
const HISTORY_MAX_RESULTS = 1000;

export interface LaunchFailureRecord {
  at: number;
  /** When DescribeFleetHistory / DescribeSpotFleetRequestHistory first shows it. */
  visibleAt: number;
  subType: string;
  description: string;
}

/** The record of one attempt in which every type failed; `errors` are each type's EC2 error. */
export function failedAttempt(
  fleetId: string,
  sequence: number,
  at: number,
  errors: ReadonlyArray<{ instanceType: string; az: string; code: string; message: string }>,
): LaunchFailureRecord {
  return {
    at,
    visibleAt: at + Math.floor(spread(`${fleetId}#${sequence}#${at}`) * FLEET_EVENT_DELAY_MAX_MS),
    subType: 'allLaunchSpecsTemporarilyBlacklisted',
    description: errors.map((e) => `${e.instanceType}, ${e.az}: ${e.code}: ${e.message}`).join('; '),
  };
}

/** One page of a fleet's history: records at or after StartTime, visible by now, of the asked type. */
export function historyPage(
  account: SimulatedAccount,
  records: readonly LaunchFailureRecord[],
  input: { StartTime?: Date; EventType?: string; MaxResults?: number; NextToken?: string },
  errorType: 'service-error' | 'error',
) {
  if (!input.StartTime) throw simError('MissingParameter', 'The request must contain the parameter StartTime'); // assumed wording
  const size = input.MaxResults ?? HISTORY_MAX_RESULTS;
  if (size < 1 || size > HISTORY_MAX_RESULTS)
    throw simError('InvalidParameterValue', `Value (${size}) for parameter maxResults is invalid. Expecting a value between 1 and 1000.`); // assumed wording
  const now = account.clock.now();
  const start = input.StartTime.getTime();
  const wanted = input.EventType === undefined || input.EventType === errorType;
  const matching = wanted ? records.filter((r) => r.at >= start && r.visibleAt <= now) : [];
  const { items, nextToken } = page(matching, input.NextToken, size, () =>
    simError('InvalidParameterValue', 'The specified NextToken is not valid.'),
  );
  // "The last date and time for the events": events up to 30 s old may still appear, so it lags now.
  const lastEvaluated = new Date(Math.max(start, now - FLEET_EVENT_DELAY_MAX_MS));
  return {
    HistoryRecords: items.map((r) => ({
      EventType: errorType,
      Timestamp: new Date(r.at),
      EventInformation: { EventSubType: r.subType, EventDescription: r.description },
    })),
    LastEvaluatedTime: lastEvaluated,
    StartTime: input.StartTime,
    NextToken: nextToken,
  };
}

/** A number in [0, 1) from a string (FNV-1a), stable across runs. */
function spread(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h / 2 ** 32;
}
