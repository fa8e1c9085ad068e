import type { DescribeNetworkInterfacesCommandInput, Filter, NetworkInterface } from '@aws-sdk/client-ec2';
import type { OperationTable, SimulatedAccount } from './account';
import type { InstanceRecord, SimEc2 } from './ec2';
import { simError } from './errors';
import { EC2_DESCRIBE_NETWORK_INTERFACES_MAX_RESULTS } from './limits';
import { hexId, page } from './util';

/** A network interface the simulator holds itself (another service's, an operator's): any number of private IPs. */
interface StandaloneEni {
  id: string;
  subnetId: string;
  az: string;
  /** The first is the primary. */
  privateIps: string[];
  instanceId?: string;
  description: string;
}

/**
 * EC2 network interfaces, as DescribeNetworkInterfaces shows them: every instance's primary
 * interface (device 0, the instance's private IP; deleted with the instance, as
 * `DeleteOnTermination` defaults to true for it), every awsvpc task's interface while the task is
 * not STOPPED (ECS creates it, requester-managed, and deletes it when the task stops), and
 * interfaces created here (secondary IPs, other services' interfaces).
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNetworkInterfaces.html
 */
export class NetworkInterfaces {
  private readonly standalone = new Map<string, StandaloneEni>();

  constructor(
    private readonly ec2: SimEc2,
    private readonly instances: () => Iterable<InstanceRecord>,
  ) {}

  private get account(): SimulatedAccount {
    return this.ec2.account;
  }

  /** An interface with `privateIps` (the first primary; default one new IP), optionally attached to an instance. */
  create(options: { privateIps?: string[]; secondaryCount?: number; az?: string; instanceId?: string; description?: string } = {}) {
    const az = options.az ?? `${this.account.region}a`;
    const privateIps = options.privateIps ?? [this.ec2.allocatePrivateIp()];
    for (let k = 0; k < (options.secondaryCount ?? 0); k++) privateIps.push(this.ec2.allocatePrivateIp());
    const eni: StandaloneEni = {
      id: `eni-0${hexId(this.account, 16)}`,
      subnetId: this.ec2.subnetFor(az),
      az,
      privateIps,
      description: options.description ?? '',
      ...(options.instanceId ? { instanceId: options.instanceId } : {}),
    };
    this.standalone.set(eni.id, eni);
    return { networkInterfaceId: eni.id, privateIps: [...privateIps] };
  }

  delete(networkInterfaceId: string): void {
    this.standalone.delete(networkInterfaceId);
  }

  operations(): OperationTable {
    return {
      DescribeNetworkInterfaces: (input: DescribeNetworkInterfacesCommandInput) => {
        const ids = input.NetworkInterfaceIds ?? [];
        // "You cannot specify this parameter and the network interface IDs parameter in the same request."
        if (ids.length > 0 && input.MaxResults !== undefined) {
          throw simError('InvalidParameterCombination', 'The parameter networkInterfaceIdSet cannot be used with the parameter maxResults');
        }
        const { min, max } = EC2_DESCRIBE_NETWORK_INTERFACES_MAX_RESULTS;
        if (input.MaxResults !== undefined && (input.MaxResults < min || input.MaxResults > max)) {
          throw simError(
            'InvalidParameterValue',
            `Value ( ${input.MaxResults} ) for parameter maxResults is invalid. Expecting a value between ${min} and ${max}.`,
          );
        }
        const all = this.all();
        const unknown = ids.filter((id) => !all.some((n) => n.NetworkInterfaceId === id));
        if (unknown.length > 0)
          throw simError('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${unknown.join(', ')}' does not exist`);
        const candidates = ids.length > 0 ? all.filter((n) => ids.includes(n.NetworkInterfaceId!)) : all;
        const matching = candidates.filter((n) => (input.Filters ?? []).every((f) => matches(n, f)));
        const { items, nextToken } = page(matching, input.NextToken, input.MaxResults ?? max, () =>
          simError('InvalidParameterValue', 'The specified NextToken is not valid.'),
        );
        return { NetworkInterfaces: items, NextToken: nextToken };
      },
    };
  }

  private all(): NetworkInterface[] {
    const out: NetworkInterface[] = [];
    for (const i of this.instances()) {
      if (i.state === 'terminated') continue;
      out.push(shape(`eni-0${i.instanceId.slice(3)}`, i.subnetId, i.az, [i.privateIp], 'interface', i.instanceId, '', false));
    }
    for (const t of this.account.ecs.tasks.all()) {
      if (!t.eni || t.lastStatus === 'STOPPED') continue;
      const host = this.ec2.instance(t.ec2InstanceId);
      const description = `arn:aws:ecs:${this.account.region}:${this.account.accountId}:attachment/${t.eni.id.slice(4)}`;
      out.push(shape(t.eni.id, t.eni.subnetId, host?.az ?? '', [t.eni.privateIp], 'interface', t.ec2InstanceId, description, true));
    }
    for (const n of this.standalone.values()) {
      out.push(shape(n.id, n.subnetId, n.az, n.privateIps, 'interface', n.instanceId, n.description, false));
    }
    return out;
  }
}

function shape(
  id: string,
  subnetId: string,
  az: string,
  ips: string[],
  type: 'interface',
  instanceId: string | undefined,
  description: string,
  requesterManaged: boolean,
): NetworkInterface {
  return {
    NetworkInterfaceId: id,
    InterfaceType: type,
    Status: instanceId ? 'in-use' : 'available',
    SubnetId: subnetId,
    AvailabilityZone: az,
    Description: description,
    RequesterManaged: requesterManaged,
    PrivateIpAddress: ips[0],
    PrivateIpAddresses: ips.map((ip, k) => ({ PrivateIpAddress: ip, Primary: k === 0 })),
    ...(instanceId ? { Attachment: { InstanceId: instanceId, DeviceIndex: 0, Status: 'attached' as const } } : {}),
  };
}

/**
 * The filters we use, as documented: `addresses.private-ip-address` ("The private IPv4 addresses
 * associated with the network interface": any of them), `private-ip-address` (the primary one),
 * `attachment.instance-id`, `status`. Any other is refused, as EC2 refuses an unknown filter.
 */
function matches(n: NetworkInterface, f: Filter): boolean {
  const values = f.Values ?? [];
  const name = f.Name ?? '';
  if (name === 'addresses.private-ip-address') return (n.PrivateIpAddresses ?? []).some((a) => values.includes(a.PrivateIpAddress ?? ''));
  if (name === 'private-ip-address') return values.includes(n.PrivateIpAddress ?? '');
  if (name === 'attachment.instance-id') return values.includes(n.Attachment?.InstanceId ?? '\u0000');
  if (name === 'status') return values.includes(n.Status ?? '');
  throw simError('InvalidParameterValue', `The filter '${name}' is invalid`);
}
