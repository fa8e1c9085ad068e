import { ContainerInstancesAdapter, type ContainerInstanceRef } from '../../aws/ecs-container-instances';
import { Ec2InstancesAdapter } from '../../aws/ec2-instances';
import { Ec2NetworkInterfacesAdapter } from '../../aws/ec2-network-interfaces';
import { Ec2PrivateIpsAdapter, type InstanceAddress } from '../../aws/ec2-private-ips';
import { IpTargetsAdapter, type IpTarget, type IpTargetFailure, type IpTargetHealth } from '../../aws/elbv2-ip-targets';
import type { CallOptions } from '../../aws/call';
import type { AwsClients } from '../../aws/clients';

/** What nlbTargetSync reads and changes. Every method throws when its call fails after the SDK's retries, unless stated. */
export interface NlbTargetPorts {
  /** The cluster's container instances ECS lists (ACTIVE, DRAINING, REGISTERING, … — not INACTIVE), described; ECS's per-item failures as text. */
  clusterInstances(cluster: string, o?: CallOptions): Promise<{ instances: ContainerInstanceRef[]; failures: string[] }>;
  /** The container instance of this EC2 instance in the cluster, if any (ListContainerInstances `ec2InstanceId ==`). */
  instanceInCluster(cluster: string, ec2InstanceId: string, o?: CallOptions): Promise<ContainerInstanceRef | undefined>;
  /** State, private IP and tags of each instance EC2 still knows. */
  addresses(instanceIds: readonly string[], o?: CallOptions): Promise<InstanceAddress[]>;
  /** Of these IPs, the ones any network interface of the account holds (an instance's, a task's, a secondary IP, another service's). */
  heldIps(ips: readonly string[], o?: CallOptions): Promise<Set<string>>;
  /** Tag the instance (EC2 CreateTags): `INTERRUPTED_AT_TAG` at the Spot notice. */
  tagInstance(ec2InstanceId: string, tags: Record<string, string>, o?: CallOptions): Promise<void>;
  groupTargets(targetGroupArn: string, o?: CallOptions): Promise<IpTargetHealth[]>;
  /** Answer the refused chunks (never throw for one) — see IpTargetsAdapter. */
  register(targetGroupArn: string, targets: readonly IpTarget[], o?: CallOptions): Promise<IpTargetFailure[]>;
  deregister(targetGroupArn: string, targets: readonly IpTarget[], o?: CallOptions): Promise<IpTargetFailure[]>;
}

export function nlbTargetPorts(clients: Pick<AwsClients, 'ecs' | 'ec2' | 'elbv2'>): NlbTargetPorts {
  const ecs = new ContainerInstancesAdapter(clients.ecs);
  const ec2 = new Ec2PrivateIpsAdapter(clients.ec2);
  const enis = new Ec2NetworkInterfacesAdapter(clients.ec2);
  const instances = new Ec2InstancesAdapter(clients.ec2);
  const elbv2 = new IpTargetsAdapter(clients.elbv2);
  return {
    clusterInstances: async (cluster, o) => {
      const { instances, failures } = await ecs.describe(cluster, await ecs.listArns(cluster, undefined, o), o);
      return { instances, failures: failures.map((f) => `DescribeContainerInstances ${f.arn}: ${f.reason}`) };
    },
    instanceInCluster: async (cluster, id, o) => {
      const arns = await ecs.listArns(cluster, `ec2InstanceId == ${id}`, o);
      if (arns.length === 0) return undefined;
      return (await ecs.describe(cluster, arns, o)).instances.find((ci) => ci.ec2InstanceId === id);
    },
    addresses: (ids, o) => (ids.length === 0 ? Promise.resolve([]) : ec2.byInstanceIds(ids, o)),
    heldIps: (ips, o) => (ips.length === 0 ? Promise.resolve(new Set<string>()) : enis.heldIps(ips, o)),
    tagInstance: (id, tags, o) => instances.tag(id, tags, o),
    groupTargets: (arn, o) => elbv2.health(arn, o),
    register: (arn, targets, o) => elbv2.register(arn, targets, o),
    deregister: (arn, targets, o) => elbv2.deregister(arn, targets, o),
  };
}
