import type { BackendFacts, ClusterFacts, InstanceFacts, PreflightSettings, ServiceFacts } from '../../../shared/fleet/preflight/types';

export const SETTINGS: PreflightSettings = {
  stackPrefix: 'ecs-steady-test',
  hookNames: ['ecs-steady-drain'],
  spotNoticeSeconds: 120,
  safetyMarginSeconds: 15,
  agentStopTimeoutSeconds: 30,
  lastGroupStopSeconds: 30,
  agentFamilies: [],
  functions: ['spotInterruption'],
  deadLetterQueues: ['dead-letter', 'asg-drain-dead-letter'],
};

export const M5_LARGE = { cpu: 2048, memory: 7680 };

export function instance(id: string, over: Partial<InstanceFacts> = {}): InstanceFacts {
  return { ec2InstanceId: id, instanceType: 'm5.large', spot: true, registered: M5_LARGE, remaining: M5_LARGE, ...over };
}

export function service(name: string, over: Partial<ServiceFacts> = {}): ServiceFacts {
  return {
    name,
    desired: 2,
    schedulingStrategy: 'REPLICA',
    deploymentController: 'ECS',
    minimumHealthyPercent: 100,
    maximumPercent: 200,
    targetGroups: [],
    ...over,
  };
}

export function cluster(name: string, over: Partial<ClusterFacts> = {}): ClusterFacts {
  return { name, instances: [instance(`i-${name}`)], services: [], ...over };
}

export const tagged = (cluster: string, over: Partial<BackendFacts> = {}): BackendFacts => ({
  kind: 'asg',
  id: `${cluster}-asg`,
  clusterTag: cluster,
  ...over,
});
