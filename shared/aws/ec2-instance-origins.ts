import { paginateDescribeInstances, type EC2Client } from '@aws-sdk/client-ec2';
import { collect, sendOptions, type CallOptions } from './call';
import { chunk } from './limits';

/** Values per filter in one DescribeInstances call: EC2 refuses more than 200 filter values in one request (observed, not in the reference). */
const FILTER_VALUES_CHUNK = 200;
/** DescribeInstances MaxResults: "Valid range: 5 - 1000" (not allowed with InstanceIds, so we filter on instance-id). */
const DESCRIBE_INSTANCES_PAGE_MAX = 1000;

/** Where an instance comes from: Spot or on-demand, and the group or fleet that launched it (from AWS's own tags). */
export interface InstanceOrigin {
  instanceId: string;
  spot: boolean;
  instanceType: string;
  /** `aws:autoscaling:groupName`, `aws:ec2spot:fleet-request-id` or `aws:ec2:fleet-id`, when present. */
  launchedBy?: { kind: 'asg' | 'spotFleet' | 'ec2Fleet'; id: string };
}

const LAUNCH_TAGS: Array<[string, 'asg' | 'spotFleet' | 'ec2Fleet']> = [
  ['aws:autoscaling:groupName', 'asg'],
  ['aws:ec2spot:fleet-request-id', 'spotFleet'],
  ['aws:ec2:fleet-id', 'ec2Fleet'],
];

/** EC2 instances' lifecycle and launcher, read with an instance-id filter (an id EC2 forgot is no error there). */
export class InstanceOriginsAdapter {
  constructor(private readonly ec2: EC2Client) {}

  async byInstanceIds(ids: readonly string[], o?: CallOptions): Promise<InstanceOrigin[]> {
    const out: InstanceOrigin[] = [];
    for (const part of chunk([...new Set(ids)], FILTER_VALUES_CHUNK)) {
      const found = await collect(
        paginateDescribeInstances(
          { client: this.ec2 },
          { Filters: [{ Name: 'instance-id', Values: part }], MaxResults: DESCRIBE_INSTANCES_PAGE_MAX },
          sendOptions(o),
        ),
        (page) => (page.Reservations ?? []).flatMap((r) => r.Instances ?? []),
      );
      for (const i of found) {
        if (!i.InstanceId) continue;
        const tags = new Map((i.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
        const launcher = LAUNCH_TAGS.find(([key]) => tags.get(key));
        out.push({
          instanceId: i.InstanceId,
          spot: i.InstanceLifecycle === 'spot',
          instanceType: i.InstanceType ?? '',
          ...(launcher ? { launchedBy: { kind: launcher[1], id: tags.get(launcher[0])! } } : {}),
        });
      }
    }
    return out;
  }
}
