import { GetMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { sendOptions, type CallOptions } from './call';

/**
 * One GetMetricData period covers the whole window, so each query answers at most one data point.
 * A multiple of 3600 s is valid whatever the window's age ("Start time greater than 63 days ago -
 * Use a multiple of 3600 seconds (1 hour)", and any multiple of 3600 is one of 60 and 300 too):
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
 */
const HOUR_S = 3_600;
/** Two metrics EBS reports for as long as a volume is attached, whether or not it is written to. */
const ATTACHED_METRICS = ['VolumeIdleTime', 'VolumeWriteOps'] as const;

/**
 * Whether EBS reported any metric for the volume between `from` and `to`: "Most EBS volumes
 * automatically send five-minute metrics to CloudWatch only when the volume is attached to an
 * instance" (EBS User Guide, "Amazon CloudWatch metrics for Amazon EBS"). So a data point in the
 * window means the volume was attached in it. CloudWatch rounds `from` down (to the minute, 5
 * minutes or the hour as the window grows older): the window may start that much earlier, never
 * later. Throws on any failure: no answer proves nothing.
 */
export async function wasAttachedBetween(cw: CloudWatchClient, volumeId: string, from: number, to: number, o?: CallOptions) {
  const periodS = Math.max(1, Math.ceil((to - from) / 1_000 / HOUR_S)) * HOUR_S;
  const out = await cw.send(
    new GetMetricDataCommand({
      StartTime: new Date(from),
      EndTime: new Date(to),
      MetricDataQueries: ATTACHED_METRICS.map((MetricName, i) => ({
        Id: `m${i}`,
        MetricStat: {
          Metric: { Namespace: 'AWS/EBS', MetricName, Dimensions: [{ Name: 'VolumeId', Value: volumeId }] },
          Period: periodS,
          Stat: 'SampleCount',
        },
        ReturnData: true,
      })),
    }),
    sendOptions(o),
  );
  const results = out.MetricDataResults ?? [];
  // A partial answer (StatusCode PartialData, or a NextToken) may hide a data point: not an answer.
  if (out.NextToken || results.some((r) => r.StatusCode !== 'Complete')) throw new Error(`GetMetricData for ${volumeId} was not complete`);
  // A query left unanswered is not "no data points": each one asked must come back, or nothing is proven.
  const missing = ATTACHED_METRICS.map((_, i) => `m${i}`).filter((id) => !results.some((r) => r.Id === id));
  if (missing.length > 0) throw new Error(`GetMetricData for ${volumeId} answered no result for ${missing.join(', ')}`);
  return results.some((r) => (r.Values ?? []).some((v) => v > 0));
}
