import type { Service, Task } from '@aws-sdk/client-ecs';
import { toEcsService, toEcsTask } from '../../../shared/drain/ecs-shapes';
import { toDrainTask, toServiceInfo } from '../../../shared/drain/targets';

/** A DescribeTasks task as the SDK answers it, with fields the drain never reads. */
const SDK_TASK: Task = {
  taskArn: 'arn:aws:ecs:eu-west-1:1:task/web/abc',
  clusterArn: 'arn:aws:ecs:eu-west-1:1:cluster/web',
  containerInstanceArn: 'arn:aws:ecs:eu-west-1:1:container-instance/web/1',
  group: 'service:api',
  taskDefinitionArn: 'arn:aws:ecs:eu-west-1:1:task-definition/api:3',
  startedBy: 'ecs-svc/1',
  overrides: { containerOverrides: [{ name: 'api', command: ['run'] }] },
  lastStatus: 'RUNNING',
  desiredStatus: 'RUNNING',
  cpu: '256',
  memory: '512',
  createdAt: new Date('2026-11-23T10:00:00Z'),
  tags: [{ key: 'ecs-steady:agent', value: 'false' }],
  containers: [
    {
      name: 'api',
      image: 'api:3',
      networkBindings: [{ containerPort: 8080, hostPort: 32768, protocol: 'tcp', bindIP: '0.0.0.0' }],
      networkInterfaces: [{ attachmentId: 'eni-att', privateIpv4Address: '10.0.1.7' }],
    },
  ],
  attachments: [
    { id: 'a1', type: 'ElasticNetworkInterface', status: 'ATTACHED', details: [{ name: 'privateIPv4Address', value: '10.0.1.7' }] },
  ],
};

const SDK_SERVICE: Service = {
  serviceName: 'api',
  serviceArn: 'arn:aws:ecs:eu-west-1:1:service/web/api',
  runningCount: 2,
  desiredCount: 2,
  schedulingStrategy: 'REPLICA',
  deployments: [{ id: 'd1', status: 'PRIMARY' }],
  loadBalancers: [{ targetGroupArn: 'arn:tg/b', containerName: 'api', containerPort: 8080 }],
};

describe('the drain keeps its own shape of ECS tasks and services', () => {
  it('keeps every field the drain decides on and nothing else', () => {
    expect(toEcsTask(SDK_TASK)).toStrictEqual({
      taskArn: SDK_TASK.taskArn,
      containerInstanceArn: SDK_TASK.containerInstanceArn,
      group: 'service:api',
      taskDefinitionArn: SDK_TASK.taskDefinitionArn,
      startedBy: 'ecs-svc/1',
      overrides: SDK_TASK.overrides,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      tags: [{ key: 'ecs-steady:agent', value: 'false' }],
      containers: [
        {
          name: 'api',
          networkBindings: [{ containerPort: 8080, hostPort: 32768 }],
          networkInterfaces: [{ privateIpv4Address: '10.0.1.7' }],
        },
      ],
      attachments: [{ type: 'ElasticNetworkInterface', details: [{ name: 'privateIPv4Address', value: '10.0.1.7' }] }],
    });
    expect(toEcsService(SDK_SERVICE)).toStrictEqual({
      serviceName: 'api',
      serviceArn: SDK_SERVICE.serviceArn,
      runningCount: 2,
      schedulingStrategy: 'REPLICA',
      loadBalancers: [{ targetGroupArn: 'arn:tg/b', containerName: 'api', containerPort: 8080 }],
    });
  });

  it('leaves out what ECS left out (a task not yet placed has no containers, bindings or ENI)', () => {
    expect(toEcsTask({ taskArn: 't/1', lastStatus: 'PROVISIONING' })).toStrictEqual({ taskArn: 't/1', lastStatus: 'PROVISIONING' });
    expect(toEcsService({ serviceName: 'batch' })).toStrictEqual({ serviceName: 'batch' });
  });

  it('decides the same from the projection as from the SDK object', () => {
    const info = toServiceInfo(toEcsService(SDK_SERVICE));
    expect(info).toEqual(toServiceInfo(SDK_SERVICE));
    expect(toDrainTask(toEcsTask(SDK_TASK), info, 'i-1')).toEqual(toDrainTask(SDK_TASK, info, 'i-1'));
    expect(toDrainTask(toEcsTask(SDK_TASK), info, 'i-1').targets).toEqual([{ targetGroupArn: 'arn:tg/b', id: '10.0.1.7', port: 8080 }]);
  });
});
