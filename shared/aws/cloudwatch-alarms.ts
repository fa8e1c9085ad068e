import { paginateDescribeAlarms, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { collect, sendOptions, type CallOptions } from './call';

/** CloudWatch DescribeAlarms MaxRecords: "Valid Range: Minimum value of 1. Maximum value of 100." */
export const DESCRIBE_ALARMS_PAGE_MAX = 100;

/** CloudWatch alarms, as preflight reads them. */
export class AlarmsAdapter {
  constructor(private readonly cloudwatch: CloudWatchClient) {}

  /** Names of every metric alarm whose name starts with `prefix` (100 a page, followed to the end). */
  async metricAlarmNames(prefix: string, o?: CallOptions): Promise<string[]> {
    return collect(
      paginateDescribeAlarms(
        { client: this.cloudwatch },
        { AlarmNamePrefix: prefix, AlarmTypes: ['MetricAlarm'], MaxRecords: DESCRIBE_ALARMS_PAGE_MAX },
        sendOptions(o),
      ),
      (page) => (page.MetricAlarms ?? []).flatMap((a) => (a.AlarmName ? [a.AlarmName] : [])),
    );
  }
}
