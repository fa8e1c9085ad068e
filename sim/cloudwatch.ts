import type { DescribeAlarmsCommandInput, GetMetricDataCommandInput, MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { OperationTable, SimService, SimulatedAccount } from './account';
import { getMetricData } from './cloudwatch-ebs';
import { simError } from './errors';
import { page } from './util';

/**
 * DescribeAlarms MaxRecords: "Valid Range: Minimum value of 1. Maximum value of 100."; AlarmNames:
 * "Array Members: Maximum number of 100 items." The default page is 50 ("If you omit this
 * parameter, … 50 results")
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html).
 */
const DESCRIBE_ALARMS_PAGE = { min: 1, max: 100, default: 50 } as const;
const DESCRIBE_ALARMS_NAMES_MAX = 100;

/** One metric alarm as seeded (only what DescribeAlarms answers that we model). */
export interface SimAlarm {
  name: string;
  namespace?: string;
  metricName?: string;
  state?: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  actions?: string[];
}

/** CloudWatch metric alarms (seeded by tests, read with DescribeAlarms) and the AWS/EBS metrics of the account's volumes (GetMetricData). */
export class SimCloudWatch implements SimService {
  private readonly alarms = new Map<string, SimAlarm>();

  constructor(readonly account: SimulatedAccount) {}

  operations(): OperationTable {
    return {
      DescribeAlarms: (input: DescribeAlarmsCommandInput) => this.describeAlarms(input),
      GetMetricData: (input: GetMetricDataCommandInput) => getMetricData(this.account, input),
    };
  }

  /** Create (or replace) a metric alarm, as PutMetricAlarm would. */
  putAlarm(alarm: SimAlarm): void {
    this.alarms.set(alarm.name, { state: 'INSUFFICIENT_DATA', ...alarm });
  }

  deleteAlarm(name: string): void {
    this.alarms.delete(name);
  }

  private describeAlarms(input: DescribeAlarmsCommandInput) {
    const size = input.MaxRecords ?? DESCRIBE_ALARMS_PAGE.default;
    if (!Number.isInteger(size) || size < DESCRIBE_ALARMS_PAGE.min || size > DESCRIBE_ALARMS_PAGE.max)
      throw simError(
        'InvalidParameterValue',
        `The parameter MaxRecords must be between ${DESCRIBE_ALARMS_PAGE.min} and ${DESCRIBE_ALARMS_PAGE.max}.`,
      );
    if (input.AlarmNames && input.AlarmNames.length > DESCRIBE_ALARMS_NAMES_MAX)
      throw simError(
        'ValidationError',
        `1 validation error detected: Value at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to ${DESCRIBE_ALARMS_NAMES_MAX}`,
      );
    if (input.AlarmNames?.length && input.AlarmNamePrefix)
      throw simError('InvalidParameterCombination', 'AlarmNames and AlarmNamePrefix cannot be specified together.');
    // Only metric alarms are modelled; a request for composite alarms alone finds none.
    const wantsMetric = !input.AlarmTypes?.length || input.AlarmTypes.includes('MetricAlarm');
    const names = input.AlarmNames?.length ? new Set(input.AlarmNames) : undefined;
    const all = wantsMetric
      ? [...this.alarms.values()]
          .filter((a) => (names ? names.has(a.name) : a.name.startsWith(input.AlarmNamePrefix ?? '')))
          .filter((a) => !input.StateValue || a.state === input.StateValue)
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      : [];
    const p = page(all, input.NextToken, size, () => simError('InvalidNextToken', 'The service returned an invalid NextToken.'));
    const MetricAlarms: MetricAlarm[] = p.items.map((a) => ({
      AlarmName: a.name,
      AlarmArn: this.account.arn('cloudwatch', `alarm:${a.name}`),
      ...(a.namespace ? { Namespace: a.namespace } : {}),
      ...(a.metricName ? { MetricName: a.metricName } : {}),
      StateValue: a.state,
      AlarmActions: a.actions ?? [],
      ActionsEnabled: true,
    }));
    return { MetricAlarms, CompositeAlarms: [], ...(p.nextToken ? { NextToken: p.nextToken } : {}) };
  }
}
