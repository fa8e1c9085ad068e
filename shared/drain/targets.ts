import type { DrainTask, EcsService, EcsTask, ServiceInfo, TaskTarget } from './types';

const SERVICE_GROUP = /^service:(.+)$/;

/** The service a task belongs to, from its group (`service:NAME`); undefined for standalone tasks. */
export function serviceNameOf(task: Pick<EcsTask, 'group'>): string | undefined {
  return SERVICE_GROUP.exec(task.group ?? '')?.[1];
}

/** What the drain keeps of a service (Classic Load Balancers have no target group and are not drained here). */
export function toServiceInfo(service: EcsService): ServiceInfo {
  const loadBalancers = (service.loadBalancers ?? [])
    .filter((lb) => lb.targetGroupArn)
    .map((lb) => ({
      targetGroupArn: lb.targetGroupArn!,
      ...(lb.containerName ? { containerName: lb.containerName } : {}),
      ...(lb.containerPort !== undefined ? { containerPort: lb.containerPort } : {}),
    }));
  return {
    name: service.serviceName ?? '',
    runningCount: service.runningCount ?? 0,
    ...(service.schedulingStrategy === 'DAEMON' ? { daemon: true } : {}),
    targetGroupArns: [...new Set(loadBalancers.map((lb) => lb.targetGroupArn))],
    loadBalancers,
  };
}

/**
 * Turn an ECS task into what the drain needs: its kind and every load-balancer target its
 * service (once described) gives it. awsvpc: the task ENI's private IP + the container port.
 * Bridge/host: the instance id + the host port bound to the container port; when the
 * binding is missing or stale, the target is left unresolved here and the watch of the
 * (instance-type) group finds every target whose Id is the instance.
 */
export function toDrainTask(task: EcsTask, service: ServiceInfo | undefined, ec2InstanceId: string): DrainTask {
  const serviceName = serviceNameOf(task);
  const eniIp = eniAddress(task);
  const targets: TaskTarget[] = [];
  const unresolved: NonNullable<DrainTask['unresolved']> = [];
  for (const lb of service?.loadBalancers ?? []) {
    if (eniIp) {
      if (lb.containerPort === undefined) unresolved.push({ targetGroupArn: lb.targetGroupArn, reason: 'no container port' });
      else targets.push({ targetGroupArn: lb.targetGroupArn, id: eniIp, port: lb.containerPort });
      continue;
    }
    const container = task.containers?.find((c) => c.name === lb.containerName);
    const binding = container?.networkBindings?.find((b) => b.containerPort === lb.containerPort);
    if (binding?.hostPort === undefined) {
      unresolved.push({ targetGroupArn: lb.targetGroupArn, reason: `no host port bound for ${lb.containerName}:${lb.containerPort}` });
      continue;
    }
    targets.push({ targetGroupArn: lb.targetGroupArn, id: ec2InstanceId, port: binding.hostPort });
  }
  return {
    taskArn: task.taskArn ?? '',
    kind: serviceName ? 'service' : 'standalone',
    ...(serviceName ? { serviceName } : {}),
    ...(task.group ? { group: task.group } : {}),
    ...(task.taskDefinitionArn ? { taskDefinitionArn: task.taskDefinitionArn } : {}),
    ...(task.startedBy ? { startedBy: task.startedBy } : {}),
    ...(task.overrides ? { overrides: task.overrides } : {}),
    lastStatus: task.lastStatus ?? 'UNKNOWN',
    desiredStatus: task.desiredStatus ?? 'UNKNOWN',
    targetType: eniIp ? 'ip' : 'instance',
    targets,
    ...(unresolved.length ? { unresolved } : {}),
  };
}

/** The private IPv4 address of an awsvpc task's ENI, if it has one. */
export function eniAddress(task: EcsTask): string | undefined {
  for (const attachment of task.attachments ?? []) {
    if (attachment.type !== 'ElasticNetworkInterface') continue;
    const ip = attachment.details?.find((d) => d.name === 'privateIPv4Address')?.value;
    if (ip) return ip;
  }
  return task.containers?.flatMap((c) => c.networkInterfaces ?? []).find((n) => n.privateIpv4Address)?.privateIpv4Address;
}
