import type { Service, Task } from '@aws-sdk/client-ecs';
import type { EcsService, EcsTask } from './types';

/*
 * The drain's ports hand tasks and services on as the drain's own types (types.ts): the SDK's
 * objects stop here, so no planner sees an SDK shape and a field the drain does not read never
 * travels with the state. Kept apart from ports.ts so that a file importing the ports' types
 * (the report's totals) does not import the SDK.
 */

/** What the drain keeps of a DescribeTasks task: the fields it decides on (types.ts), nothing else of the SDK's object. */
export function toEcsTask(t: Task): EcsTask {
  return defined({
    taskArn: t.taskArn,
    containerInstanceArn: t.containerInstanceArn,
    group: t.group,
    taskDefinitionArn: t.taskDefinitionArn,
    startedBy: t.startedBy,
    overrides: t.overrides,
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    tags: t.tags?.map((g) => defined({ key: g.key, value: g.value })),
    containers: t.containers?.map((c) =>
      defined({
        name: c.name,
        networkBindings: c.networkBindings?.map((b) => defined({ containerPort: b.containerPort, hostPort: b.hostPort })),
        networkInterfaces: c.networkInterfaces?.map((n) => defined({ privateIpv4Address: n.privateIpv4Address })),
      }),
    ),
    attachments: t.attachments?.map((a) =>
      defined({ type: a.type, details: a.details?.map((d) => defined({ name: d.name, value: d.value })) }),
    ),
  });
}

/** What the drain keeps of a DescribeServices service. */
export function toEcsService(s: Service): EcsService {
  return defined({
    serviceName: s.serviceName,
    serviceArn: s.serviceArn,
    runningCount: s.runningCount,
    schedulingStrategy: s.schedulingStrategy,
    loadBalancers: s.loadBalancers?.map((lb) =>
      defined({ targetGroupArn: lb.targetGroupArn, containerName: lb.containerName, containerPort: lb.containerPort }),
    ),
  });
}

/** The object without its absent fields: ECS leaves most of them out, and so does what the drain keeps. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
