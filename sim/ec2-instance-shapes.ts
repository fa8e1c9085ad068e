import type { Filter, Instance } from '@aws-sdk/client-ec2';
import type { InstanceRecord } from './ec2';
import { simError } from './errors';

/** EC2's instance state codes (DescribeInstances, and the state-change events). */
export const STATE_CODES: Record<string, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

/** DescribeInstances' Filters, as far as the simulator knows them (any other is refused). */
export function instanceMatches(i: InstanceRecord, f: Filter): boolean {
  const values = f.Values ?? [];
  const name = f.Name ?? '';
  if (name === 'instance-state-name') return values.includes(i.state);
  if (name === 'instance-id') return values.includes(i.instanceId);
  if (name === 'instance-lifecycle') return i.lifecycle === 'spot' && values.includes('spot'); // on-demand has none
  if (name === 'availability-zone') return values.includes(i.az);
  if (name === 'private-ip-address') return i.state !== 'terminated' && values.includes(i.privateIp); // a terminated instance has none
  if (name.startsWith('tag:')) return values.includes(i.tags[name.slice(4)] ?? '\u0000');
  if (name === 'tag-key') return values.some((v) => v in i.tags);
  throw simError('InvalidParameterValue', `The filter '${name}' is invalid`);
}

/** An instance as DescribeInstances answers it. */
export function describedInstance(i: InstanceRecord): Instance {
  return {
    InstanceId: i.instanceId,
    InstanceType: i.instanceType as Instance['InstanceType'],
    State: { Code: STATE_CODES[i.state], Name: i.state },
    ...(i.lifecycle === 'spot' ? { InstanceLifecycle: 'spot' as const } : {}),
    PrivateIpAddress: i.state === 'terminated' ? undefined : i.privateIp,
    SubnetId: i.state === 'terminated' ? undefined : i.subnetId,
    Placement: { AvailabilityZone: i.az, Tenancy: 'default' },
    LaunchTime: new Date(i.launchTime),
    Tags: Object.entries(i.tags).map(([Key, Value]) => ({ Key, Value })),
    ...(i.terminatedBy === 'spot'
      ? { StateReason: { Code: 'Server.SpotInstanceTermination', Message: 'Server.SpotInstanceTermination: Spot instance termination' } }
      : i.terminatedBy
        ? { StateReason: { Code: 'Client.UserInitiatedShutdown', Message: 'Client.UserInitiatedShutdown: User initiated shutdown' } }
        : {}),
  };
}
