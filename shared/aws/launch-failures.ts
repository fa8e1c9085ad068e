import { DescribeScalingActivitiesCommand, type AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DescribeFleetHistoryCommand, DescribeSpotFleetRequestHistoryCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { sendOptions, type CallOptions } from './call';

/** One launch a backend reports as failed: when, and AWS's own words for why. */
export interface LaunchFailure {
  at: number;
  /** The activity's StatusMessage, or the history record's sub-type and description. */
  message: string;
}

/** "MaxRecords … The default value is 100 and the maximum value is 100." (API_DescribeScalingActivities.html) */
export const SCALING_ACTIVITIES_PAGE_MAX = 100;
/** "Specify a value between 1 and 1000. The default value is 1000." (API_DescribeFleetHistory / API_DescribeSpotFleetRequestHistory) */
export const FLEET_HISTORY_PAGE_MAX = 1000;
/**
 * Pages read per backend and per tick at most. A tick asks only for what happened since its last
 * scale-out request, so one page almost always holds it; the bound keeps a noisy group (hundreds
 * of activities since) from costing more than two calls per tick against the account's rate.
 */
export const LAUNCH_FAILURE_PAGES_MAX = 2;

/**
 * The launches a backend reports as failed at or after `since`, newest first where AWS orders
 * them. Reads at most LAUNCH_FAILURE_PAGES_MAX pages; throws whatever a call throws (the caller
 * treats an unread history as "no failure known", never as one).
 * - ASG: DescribeScalingActivities ("Activities are sorted by start time. Activities still in
 *   progress are described first."): StatusCode `Failed`, reading stops at the first activity
 *   older than `since`.
 * - EC2 Fleet: DescribeFleetHistory, EventType `service-error`, StartTime `since`.
 * - Spot Fleet: DescribeSpotFleetRequestHistory, EventType `error`, StartTime `since`.
 */
export class LaunchFailuresAdapter {
  constructor(
    private readonly autoscaling: AutoScalingClient,
    private readonly ec2: EC2Client,
  ) {}

  async asg(name: string, since: number, o?: CallOptions): Promise<LaunchFailure[]> {
    const out: LaunchFailure[] = [];
    let NextToken: string | undefined;
    for (let page = 0; page < LAUNCH_FAILURE_PAGES_MAX; page++) {
      const r = await this.autoscaling.send(
        new DescribeScalingActivitiesCommand({ AutoScalingGroupName: name, MaxRecords: SCALING_ACTIVITIES_PAGE_MAX, NextToken }),
        sendOptions(o),
      );
      let older = false;
      for (const a of r.Activities ?? []) {
        const at = a.StartTime?.getTime() ?? 0;
        if (at < since) {
          if (a.StatusCode !== 'InProgress') older = true;
          continue;
        }
        if (a.StatusCode === 'Failed') out.push({ at, message: a.StatusMessage ?? a.Description ?? '' });
      }
      NextToken = r.NextToken || undefined;
      if (older || !NextToken) break;
    }
    return out;
  }

  async ec2Fleet(fleetId: string, since: number, o?: CallOptions): Promise<LaunchFailure[]> {
    return this.history(since, async (NextToken) => {
      const r = await this.ec2.send(
        new DescribeFleetHistoryCommand({
          FleetId: fleetId,
          StartTime: new Date(since),
          EventType: 'service-error',
          MaxResults: FLEET_HISTORY_PAGE_MAX,
          NextToken,
        }),
        sendOptions(o),
      );
      return { records: r.HistoryRecords ?? [], next: r.NextToken };
    });
  }

  async spotFleet(requestId: string, since: number, o?: CallOptions): Promise<LaunchFailure[]> {
    return this.history(since, async (NextToken) => {
      const r = await this.ec2.send(
        new DescribeSpotFleetRequestHistoryCommand({
          SpotFleetRequestId: requestId,
          StartTime: new Date(since),
          EventType: 'error',
          MaxResults: FLEET_HISTORY_PAGE_MAX,
          NextToken,
        }),
        sendOptions(o),
      );
      return { records: r.HistoryRecords ?? [], next: r.NextToken };
    });
  }

  private async history(
    since: number,
    read: (token: string | undefined) => Promise<{
      records: Array<{ Timestamp?: Date; EventInformation?: { EventSubType?: string; EventDescription?: string } }>;
      next?: string;
    }>,
  ): Promise<LaunchFailure[]> {
    const out: LaunchFailure[] = [];
    let token: string | undefined;
    for (let page = 0; page < LAUNCH_FAILURE_PAGES_MAX; page++) {
      const { records, next } = await read(token);
      for (const h of records) {
        const at = h.Timestamp?.getTime() ?? 0;
        if (at < since) continue;
        const info = h.EventInformation ?? {};
        out.push({ at, message: [info.EventSubType, info.EventDescription].filter(Boolean).join(': ') });
      }
      token = next || undefined;
      if (!token) break;
    }
    return out;
  }
}
