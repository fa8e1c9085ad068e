import type { GetMetricDataCommandInput, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import type { SimulatedAccount } from './account';
import { simError } from './errors';

/**
 * GetMetricData `MetricDataQueries`: "The maximum number of MetricDataQuery structures in one call is 500"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html).
 */
export const GET_METRIC_DATA_QUERIES_MAX = 500;

const MINUTE = 60_000;
const DAY = 86_400_000;
/**
 * Retention and the period a query must use to reach it: "Data points with a period of 60 seconds
 * (1-minute) are available for 15 days. Data points with a period of 300 seconds (5-minute) are
 * available for 63 days. Data points with a period of 3600 seconds (1 hour) are available for 455
 * days"; "If the StartTime parameter specifies a time stamp that is greater than 15 days ago, you
 * must specify the period as follows or no data points in that time range is returned: … between
 * 15 and 63 days ago - Use a multiple of 300 seconds … greater than 63 days ago - Use a multiple of
 * 3600 seconds". StartTime is rounded down to the whole minute, 5 minutes or hour likewise
 * (API_GetMetricData.html, and the CloudWatch concepts page on metric retention).
 */
const RESOLUTIONS = [
  { within: 15 * DAY, periodMultiple: 60 },
  { within: 63 * DAY, periodMultiple: 300 },
  { within: 455 * DAY, periodMultiple: 3_600 },
] as const;

/**
 * The AWS/EBS metrics the model reports. "Most EBS volumes automatically send five-minute metrics
 * to CloudWatch only when the volume is attached to an instance" (EBS User Guide, "Amazon
 * CloudWatch metrics for Amazon EBS"); the model sends one data point a minute (Nitro instances)
 * for each minute the volume was attached: VolumeIdleTime 60 (idle) and VolumeWriteOps 0.
 */
const EBS_PER_MINUTE: Record<string, number> = { VolumeIdleTime: 60, VolumeWriteOps: 0 };

/**
 * Minutes after a data point's minute ends before GetMetricData returns it. AWS documents no
 * delivery delay for EBS metrics (the EBS User Guide page above gives only the five-minute and
 * one-minute periods), and metrics are observed to arrive minutes late; the model holds each
 * point back 5 minutes, a conservative figure of ours, so code that reads "now" as complete fails here.
 */
export const EBS_METRICS_DELIVERY_DELAY_MINUTES = 5;

/** GetMetricData over the AWS/EBS metrics of the account's volumes (other namespaces: no data). */
export function getMetricData(account: SimulatedAccount, input: GetMetricDataCommandInput) {
  const queries = input.MetricDataQueries ?? [];
  if (queries.length > GET_METRIC_DATA_QUERIES_MAX)
    throw simError(
      'ValidationError',
      `1 validation error detected: Value at 'metricDataQueries' failed to satisfy constraint: Member must have length less than or equal to ${GET_METRIC_DATA_QUERIES_MAX}`,
    );
  const start = input.StartTime?.getTime();
  const end = input.EndTime?.getTime();
  if (start === undefined || end === undefined) throw simError('ValidationError', 'StartTime and EndTime are required.');
  if (start >= end) throw simError('ValidationError', 'The parameter StartTime must be less than the parameter EndTime.');
  const now = account.clock.now();
  const resolution = RESOLUTIONS.find((r) => now - start <= r.within) ?? RESOLUTIONS[2];
  const from = Math.floor(start / (resolution.periodMultiple * 1_000)) * resolution.periodMultiple * 1_000;
  const results: MetricDataResult[] = queries.map((q) => {
    const stat = q.MetricStat;
    const period = stat?.Period ?? 0;
    if (!stat || period < 60 || period % 60 !== 0)
      throw simError('ValidationError', `The parameter MetricDataQueries.member.Period must be a multiple of 60 for ${q.Id}.`);
    // A period the retention rule does not allow: "no data points in that time range is returned".
    const points = period % resolution.periodMultiple === 0 ? dataPoints(account, stat, from, Math.min(end, now)) : [];
    const buckets = new Map<number, number[]>();
    for (const p of points) {
      const bucket = from + Math.floor((p.at - from) / (period * 1_000)) * period * 1_000;
      buckets.set(bucket, [...(buckets.get(bucket) ?? []), p.value]);
    }
    // TimestampDescending is the default ScanBy.
    const ordered = [...buckets.entries()].sort((a, b) => (input.ScanBy === 'TimestampAscending' ? a[0] - b[0] : b[0] - a[0]));
    return {
      Id: q.Id,
      Label: stat.Metric?.MetricName,
      Timestamps: ordered.map(([t]) => new Date(t)),
      Values: ordered.map(([, vs]) => aggregate(stat.Stat ?? '', vs)),
      StatusCode: 'Complete',
    };
  });
  return { MetricDataResults: results, Messages: [] };
}

function dataPoints(
  account: SimulatedAccount,
  stat: NonNullable<NonNullable<GetMetricDataCommandInput['MetricDataQueries']>[number]['MetricStat']>,
  from: number,
  to: number,
): Array<{ at: number; value: number }> {
  const metric = stat.Metric;
  const perMinute = metric?.MetricName ? EBS_PER_MINUTE[metric.MetricName] : undefined;
  const volumeId = metric?.Dimensions?.find((d) => d.Name === 'VolumeId')?.Value;
  if (metric?.Namespace !== 'AWS/EBS' || perMinute === undefined || !volumeId) return [];
  const points: Array<{ at: number; value: number }> = [];
  // Only minutes that ended at least the delivery delay ago have been delivered.
  const delivered = Math.floor((account.clock.now() - EBS_METRICS_DELIVERY_DELAY_MINUTES * MINUTE) / MINUTE) * MINUTE - MINUTE;
  for (const a of account.ec2.volumes.attachmentHistory(volumeId)) {
    const until = Math.min(a.to ?? to, to, delivered + MINUTE);
    for (let m = Math.floor(a.from / MINUTE) * MINUTE; m < until; m += MINUTE) if (m >= from) points.push({ at: m, value: perMinute });
  }
  return points;
}

function aggregate(stat: string, values: readonly number[]): number {
  switch (stat) {
    case 'SampleCount':
      return values.length;
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'Minimum':
      return Math.min(...values);
    case 'Maximum':
      return Math.max(...values);
    default:
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
}
