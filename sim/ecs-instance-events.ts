import type { SimulatedAccount } from './account';
import { eventTime, uuid } from './util';

/**
 * The EventBridge event ECS sends when a container instance changes (`aws.ecs` / `ECS Container
 * Instance State Change`), built from the simulated account's own record of the instance, in the
 * shape https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_container_instance_events.html
 * documents: `detail` is like the ContainerInstance DescribeContainerInstances answers, plus
 * `clusterArn` and `updatedAt`; `resources` holds the container instance ARN; the envelope's
 * `version` is "0" and `detail.version` counts the resource's changes. ECS sends one when the
 * agent connects or disconnects ("several times per hour as a part of its normal operation").
 * The simulator does not emit these on its own: a scenario builds one at the moment it wants
 * and hands it to the function, as EventBridge would.
 */
export function containerInstanceStateChangeEvent(account: SimulatedAccount, ec2InstanceId: string, version = 2) {
  const ci = account.ecs.containerInstanceRecord(ec2InstanceId);
  if (!ci) throw new Error(`no container instance for ${ec2InstanceId}`);
  const now = new Date(account.clock.now());
  const ec2 = account.ec2.instance(ec2InstanceId);
  const integer = (name: string, integerValue: number) => ({ name, type: 'INTEGER', integerValue, doubleValue: 0, longValue: 0 });
  return {
    version: '0',
    id: uuid(account),
    'detail-type': 'ECS Container Instance State Change',
    source: 'aws.ecs',
    account: account.accountId,
    time: eventTime(now.getTime()),
    region: account.region,
    resources: [ci.arn],
    detail: {
      agentConnected: ci.agentConnected,
      attributes: [
        { name: 'ecs.instance-type', value: ec2?.instanceType },
        { name: 'ecs.availability-zone', value: ec2?.az },
      ],
      clusterArn: account.arn('ecs', `cluster/${ci.cluster}`),
      containerInstanceArn: ci.arn,
      ec2InstanceId: ci.ec2InstanceId,
      registeredResources: [integer('CPU', ci.cpu), integer('MEMORY', ci.memory)],
      remainingResources: [integer('CPU', ci.cpu), integer('MEMORY', ci.memory)],
      status: ci.status,
      version,
      versionInfo: { agentHash: 'sim', agentVersion: '1.89.0', dockerVersion: 'DockerVersion: 25.0.8' },
      updatedAt: now.toISOString(),
    },
  };
}
