import { paginateDescribeInstances, type EC2Client, type Filter } from '@aws-sdk/client-ec2';
import { collect, sendOptions, type CallOptions } from './call';
import { chunk } from './limits';

/**
 * Values per filter in one DescribeInstances call. Not in the API reference; EC2 is known to
 * refuse more than 200 filter values in one request, so we never send more.
 */
export const EC2_FILTER_VALUES_CHUNK = 200;
/** DescribeInstances `MaxResults`: "Valid range: 5 - 1000" (not allowed together with InstanceIds, so we filter). */
export const DESCRIBE_INSTANCES_PAGE_MAX = 1000;

export interface InstanceAddress {
  instanceId: string;
  state: string;
  /** Unset once the instance is terminated. */
  privateIp?: string;
  tags: Record<string, string>;
}

/** EC2 instances' private IPv4 addresses, read with filters (an unknown id is no error there, unlike InstanceIds). */
export class Ec2PrivateIpsAdapter {
  constructor(private readonly ec2: EC2Client) {}

  /** The state and private IP of each instance EC2 still knows, 200 ids a call, 1,000 a page. */
  async byInstanceIds(ids: readonly string[], o?: CallOptions): Promise<InstanceAddress[]> {
    const out: InstanceAddress[] = [];
    for (const part of chunk([...new Set(ids)], EC2_FILTER_VALUES_CHUNK))
      out.push(...(await this.describe([{ Name: 'instance-id', Values: part }], o)));
    return out;
  }

  private describe(Filters: Filter[], o?: CallOptions): Promise<InstanceAddress[]> {
    return collect(
      paginateDescribeInstances({ client: this.ec2 }, { Filters, MaxResults: DESCRIBE_INSTANCES_PAGE_MAX }, sendOptions(o)),
      (page) =>
        (page.Reservations ?? [])
          .flatMap((r) => r.Instances ?? [])
          .flatMap((i) =>
            i.InstanceId
              ? [
                  {
                    instanceId: i.InstanceId,
                    state: i.State?.Name ?? 'unknown',
                    ...(i.PrivateIpAddress ? { privateIp: i.PrivateIpAddress } : {}),
                    tags: Object.fromEntries((i.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
                  },
                ]
              : [],
          ),
    );
  }
}
