import { INTERRUPTED_AT_TAG } from '../../tags';
import type { ContainerInstanceRef } from '../../aws/ecs-container-instances';
import type { CallOptions } from '../../aws/call';
import type { TargetGroupBinding } from './config';
import type { InstanceAddress } from '../../aws/ec2-private-ips';
import type { InstanceView, NlbSnapshot, TargetView } from './plan';
import type { NlbTargetPorts } from './ports';

/**
 * The whole cluster and the group: ListContainerInstances + DescribeContainerInstances (100 a
 * call), DescribeTargetHealth once, DescribeInstances for the instances' IPs (ECS does not
 * report an EC2-mode instance's private IP: its attributes name type, AZ, AMI, not the address),
 * and — only when the group holds IPs that are no instance of the cluster — DescribeNetworkInterfaces
 * by addresses.private-ip-address to tell an IP someone still holds (an operator's host, another
 * service's awsvpc task, a secondary IP) from a terminated instance's leftover.
 */
export async function readCluster(
  ports: NlbTargetPorts,
  binding: TargetGroupBinding,
  prune: boolean,
  o?: CallOptions,
): Promise<NlbSnapshot> {
  const [listed, targets] = await Promise.all([ports.clusterInstances(binding.cluster, o), ports.groupTargets(binding.targetGroupArn, o)]);
  const instances = await views(ports, listed.instances, o);
  const known = new Set(instances.map((i) => i.privateIp));
  const unknown = targets
    .filter((t) => t.port === binding.port && !known.has(t.ip) && t.availabilityZone !== 'all' && !t.state.includes('draining'))
    .map((t) => t.ip);
  const heldByOthers = prune ? new Set<string>() : await ports.heldIps(unknown, o);
  return { binding, scope: 'cluster', instances, targets, interrupted: new Set(), heldByOthers, readFailures: listed.failures };
}

/**
 * One instance and the group (an event): whether it is in the cluster now, its IP, the group.
 * Answers undefined when the instance is no member of the cluster (and `mustBeMember`), or when
 * EC2 no longer gives its IP (terminated: only the cluster-wide read can recognise its target).
 */
export async function readInstance(
  ports: NlbTargetPorts,
  binding: TargetGroupBinding,
  ec2InstanceId: string,
  options: { interrupted: boolean; mustBeMember: boolean },
  o?: CallOptions,
): Promise<NlbSnapshot | undefined> {
  const [ref, targets, addresses] = await Promise.all([
    ports.instanceInCluster(binding.cluster, ec2InstanceId, o),
    ports.groupTargets(binding.targetGroupArn, o),
    ports.addresses([ec2InstanceId], o),
  ]);
  if (!ref && options.mustBeMember) return undefined;
  const address = addresses.find((a) => a.instanceId === ec2InstanceId);
  if (!address?.privateIp) return undefined;
  const view: InstanceView = {
    ec2InstanceId,
    ecsStatus: ref?.status ?? 'INACTIVE',
    ec2State: address.state,
    privateIp: address.privateIp,
    ...noticeOf(address),
  };
  return {
    binding,
    scope: 'instances',
    instances: [view],
    targets,
    interrupted: new Set(options.interrupted ? [ec2InstanceId] : []),
    heldByOthers: new Set(),
  };
}

async function views(ports: NlbTargetPorts, refs: readonly ContainerInstanceRef[], o?: CallOptions): Promise<InstanceView[]> {
  const addresses = new Map(
    (
      await ports.addresses(
        refs.map((r) => r.ec2InstanceId),
        o,
      )
    ).map((a) => [a.instanceId, a]),
  );
  return refs.map((r) => {
    const a = addresses.get(r.ec2InstanceId);
    return {
      ec2InstanceId: r.ec2InstanceId,
      ecsStatus: r.status,
      ...(a ? { ec2State: a.state } : {}),
      ...(a?.privateIp ? { privateIp: a.privateIp } : {}),
      ...(a ? noticeOf(a) : {}),
    };
  });
}

/** Our Spot-notice mark on the instance, when it carries a readable one. */
function noticeOf(a: InstanceAddress): { interruptedAt?: number } {
  const at = Date.parse(a.tags[INTERRUPTED_AT_TAG] ?? '');
  return Number.isFinite(at) ? { interruptedAt: at } : {};
}

/** The group's targets on the binding's port, as the report reads them at the end. */
export const onPort = (targets: readonly TargetView[], port: number) => targets.filter((t) => t.port === port);
