import type { Service, Task } from '@aws-sdk/client-ecs';
import type { DrainTask, TaskTarget } from './types';

const SERVICE_GROUP = /^service:(.+)$/;

/** The service a task belongs to, from its group (`service:NAME`); undefined for standalone tasks. */
export function serviceNameOf(task: Pick<Task, 'group'>): string | undefined {
  return SERVICE_GROUP.exec(task.group ?? '')?.[1];
}

/**
 * Turn an ECS task (and its service, when it has one) into what the drain needs: its kind
 * and every load-balancer target. Bridge/host mode: instance id + the host port bound to
 * the container port. awsvpc: the task ENI's private IP + the container port.
 */
export function toDrainTask(task: Task, service: Service | undefined, ec2InstanceId: string): DrainTask {
  const serviceName = serviceNameOf(task);
  const targets: TaskTarget[] = [];
  const unresolved: string[] = [];
  for (const lb of service?.loadBalancers ?? []) {
    if (!lb.targetGroupArn) continue; // Classic Load Balancers are not drained here
    const container = task.containers?.find((c) => c.name === lb.containerName);
    const eniIp = eniAddress(task);
    if (eniIp) {
      if (lb.containerPort === undefined) unresolved.push(`${lb.targetGroupArn}: no container port`);
      else targets.push({ targetGroupArn: lb.targetGroupArn, id: eniIp, port: lb.containerPort });
      continue;
    }
    const binding = container?.networkBindings?.find((b) => b.containerPort === lb.containerPort);
    if (binding?.hostPort === undefined) {
      unresolved.push(`${lb.targetGroupArn}: no host port bound for ${lb.containerName}:${lb.containerPort}`);
      continue;
    }
    targets.push({ targetGroupArn: lb.targetGroupArn, id: ec2InstanceId, port: binding.hostPort });
  }
  return {
    taskArn: task.taskArn ?? '',
    kind: serviceName ? 'service' : 'standalone',
    serviceName,
    group: task.group,
    taskDefinitionArn: task.taskDefinitionArn,
    startedBy: task.startedBy,
    overrides: task.overrides,
    lastStatus: task.lastStatus ?? 'UNKNOWN',
    desiredStatus: task.desiredStatus ?? 'UNKNOWN',
    targets,
    ...(unresolved.length ? { unresolved } : {}),
  };
}

/** The private IPv4 address of an awsvpc task's ENI, if it has one. */
export function eniAddress(task: Task): string | undefined {
  for (const attachment of task.attachments ?? []) {
    if (attachment.type !== 'ElasticNetworkInterface') continue;
    const ip = attachment.details?.find((d) => d.name === 'privateIPv4Address')?.value;
    if (ip) return ip;
  }
  return task.containers?.flatMap((c) => c.networkInterfaces ?? []).find((n) => n.privateIpv4Address)?.privateIpv4Address;
}

/** Service names the tasks belong to (to describe them once). */
export function serviceNamesOf(tasks: readonly Task[]): string[] {
  return [...new Set(tasks.map(serviceNameOf).filter((n): n is string => !!n))];
}
