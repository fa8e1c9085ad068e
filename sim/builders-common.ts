import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { SimulatedAccount } from './account';

/** What every ready-made cluster is built from: instance sizes, instances joined to a cluster, containers. */

/** m5.large as ECS registers it: 2 vCPU, ~7.5 GiB left after the OS and agent. */
export const M5_LARGE = { instanceType: 'm5.large', cpu: 2048, memory: 7680 } as const;
/** m5.xlarge: 4 vCPU, 16 GiB (the memory ECS registers after the OS and agent is assumed, ~15.2 GiB). */
export const M5_XLARGE = { instanceType: 'm5.xlarge', cpu: 4096, memory: 15_580 } as const;
/** m5.4xlarge: room for the large-cluster benchmark's 50 tasks on one instance. */
export const M5_4XLARGE = { instanceType: 'm5.4xlarge', cpu: 16384, memory: 63488 } as const;

export interface BuiltInstance {
  instanceId: string;
  privateIp: string;
  containerInstanceArn: string;
}

/** fluentd (as the design's log pipeline expects) with a tag naming family and container. */
export function container(family: string, name: string, cpu: number, memory: number, ports: number[] = []): ContainerDefinition {
  return {
    name,
    image: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${family}:1.0.0`,
    cpu,
    memory,
    essential: true,
    portMappings: ports.map((containerPort) => ({ containerPort, protocol: 'tcp' })),
    logConfiguration: { logDriver: 'fluentd', options: { 'fluentd-address': 'localhost:24224', tag: `${family}.${name}` } },
  };
}

export function joinInstances(
  account: SimulatedAccount,
  cluster: string,
  n: number,
  size: { instanceType: string; cpu: number; memory: number },
  extra: { lifecycle: 'spot' | 'on-demand'; asgName?: string },
): BuiltInstance[] {
  return Array.from({ length: n }, () => {
    const { instanceId, privateIp } = account.ec2.launchInstance({
      lifecycle: extra.lifecycle,
      instanceType: size.instanceType,
      asgName: extra.asgName,
    });
    const containerInstanceArn = account.ecs.registerContainerInstance({
      cluster,
      ec2InstanceId: instanceId,
      cpu: size.cpu,
      memory: size.memory,
    });
    return { instanceId, privateIp, containerInstanceArn };
  });
}
