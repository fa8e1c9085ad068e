import { paginateDescribeNetworkInterfaces, type EC2Client } from '@aws-sdk/client-ec2';
import { collect, sendOptions, type CallOptions } from './call';
import { EC2_FILTER_VALUES_CHUNK } from './ec2-private-ips';
import { chunk } from './limits';

/** DescribeNetworkInterfaces `MaxResults`: "Valid range: 5-1000" (not allowed together with NetworkInterfaceIds, so we filter). */
export const DESCRIBE_NETWORK_INTERFACES_PAGE_MAX = 1000;

/** EC2 network interfaces: who holds a private IPv4 address in this account and region. */
export class Ec2NetworkInterfacesAdapter {
  constructor(private readonly ec2: EC2Client) {}

  /**
   * Of these IPs, the ones some network interface holds, whatever it is attached to and whichever
   * of its addresses it is: an instance's primary or secondary IP, an awsvpc task's ENI, a Lambda's
   * or another service's. Filter `addresses.private-ip-address` ("the private IPv4 addresses
   * associated with the network interface"; `private-ip-address` would match the primary only),
   * 200 values a call, 1,000 interfaces a page. A terminated instance's interface is deleted with
   * it, so its IP is held by none.
   */
  async heldIps(ips: readonly string[], o?: CallOptions): Promise<Set<string>> {
    const wanted = new Set(ips);
    const held = new Set<string>();
    for (const part of chunk([...wanted], EC2_FILTER_VALUES_CHUNK)) {
      const found = await collect(
        paginateDescribeNetworkInterfaces(
          { client: this.ec2 },
          { Filters: [{ Name: 'addresses.private-ip-address', Values: part }], MaxResults: DESCRIBE_NETWORK_INTERFACES_PAGE_MAX },
          sendOptions(o),
        ),
        (page) => (page.NetworkInterfaces ?? []).flatMap((n) => (n.PrivateIpAddresses ?? []).map((a) => a.PrivateIpAddress ?? '')),
      );
      for (const ip of found) if (wanted.has(ip)) held.add(ip);
    }
    return held;
  }
}
