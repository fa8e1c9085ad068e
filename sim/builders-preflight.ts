import type { SimulatedAccount } from './account';
import { container, joinInstances, M5_LARGE } from './builders-common';
import { CLUSTER_TAG } from './builders-capacity';

export interface PreflightDemoOptions {
  /** Queues the deployed stack has (the caller leaves out the ones that should be missing). */
  queues: string[];
  /** Alarms the deployed stack has. */
  alarms: string[];
}

/**
 * Two Spot clusters for preflight:
 * - `clean`: a Spot Fleet tagged for it, 3 instances, `shop` (3 tasks, 30 s deregistration delay,
 *   default deployment percents) behind an ALB — nothing to report but the ALB's idle timeout;
 * - `risky`, one instance of each problem: `api` behind an ALB (deregistration delay 60 s + a
 *   container stopTimeout of 60 s = 120 s, more than the 105 s a Spot drain has); `singleton`
 *   (100 / 100, blocked) behind an NLB TCP listener; `worker` (50 / 100, runs short); instances so
 *   full that the largest Spot instance's tasks fit nowhere else; two ASGs tagged for it (one with a
 *   terminating hook under another name, one with none); a Spot Fleet launching one of its
 *   instances without any tag.
 */
export function buildPreflightDemo(account: SimulatedAccount, opts: PreflightDemoOptions) {
  for (const q of opts.queues) account.sqs.createQueue(q);
  for (const a of opts.alarms) account.cloudwatch.putAlarm({ name: a, namespace: 'AWS/Lambda', metricName: 'Errors' });

  // clean
  account.ecs.createCluster('clean');
  const clean = joinInstances(account, 'clean', 3, M5_LARGE, { lifecycle: 'spot' });
  const cleanFleet = account.ec2.createSpotFleet({
    targetCapacity: 3,
    instanceIds: clean.map((i) => i.instanceId),
    tags: { [CLUSTER_TAG]: 'clean' },
  });
  const cleanAlb = account.elbv2.createLoadBalancer('clean-alb');
  const shopTg = account.elbv2.createTargetGroup({
    name: 'shop',
    targetType: 'instance',
    port: 80,
    deregistrationDelaySeconds: 30,
    loadBalancerArns: [cleanAlb],
  });
  const shop = account.ecs.registerTaskDefinition({ family: 'shop', containerDefinitions: [container('shop', 'shop', 512, 1024, [80])] });
  account.ecs.createService({
    cluster: 'clean',
    name: 'shop',
    taskDefinition: shop.taskDefinitionArn!,
    desiredCount: 3,
    loadBalancers: [{ targetGroupArn: shopTg, containerName: 'shop', containerPort: 80 }],
  });
  for (const i of clean)
    account.ecs.startTask({
      cluster: 'clean',
      containerInstanceArn: i.containerInstanceArn,
      taskDefinition: shop.taskDefinitionArn!,
      serviceName: 'shop',
    });

  // risky
  account.ecs.createCluster('risky');
  const asgInstances = joinInstances(account, 'risky', 2, M5_LARGE, { lifecycle: 'spot', asgName: 'risky-asg' });
  const tag = [{ key: CLUSTER_TAG, value: 'risky' }];
  account.autoscaling.createGroup({
    name: 'risky-asg',
    min: 0,
    max: 4,
    desired: 2,
    instanceIds: asgInstances.map((i) => i.instanceId),
    lifecycleHooks: [{ name: 'drain-hook', transition: 'autoscaling:EC2_INSTANCE_TERMINATING' }],
    tags: tag,
  });
  account.autoscaling.createGroup({ name: 'risky-extra', min: 0, max: 4, desired: 0, instanceIds: [], tags: tag });
  const [stray] = joinInstances(account, 'risky', 1, M5_LARGE, { lifecycle: 'spot' });
  const strayFleet = account.ec2.createSpotFleet({ targetCapacity: 1, instanceIds: [stray!.instanceId] });

  const alb = account.elbv2.createLoadBalancer('risky-alb');
  const nlb = account.elbv2.createLoadBalancer('risky-nlb', 'net');
  account.elbv2.balancers.createListener(nlb, { port: 9000 });
  const apiTg = account.elbv2.createTargetGroup({
    name: 'api',
    targetType: 'instance',
    port: 8080,
    deregistrationDelaySeconds: 60,
    loadBalancerArns: [alb],
  });
  const singletonTg = account.elbv2.createTargetGroup({
    name: 'singleton',
    targetType: 'instance',
    port: 9000,
    protocol: 'TCP',
    deregistrationDelaySeconds: 0,
    loadBalancerArns: [nlb],
  });
  const api = account.ecs.registerTaskDefinition({
    family: 'api',
    containerDefinitions: [{ ...container('api', 'api', 1024, 2048, [8080]), stopTimeout: 60 }],
  });
  const singleton = account.ecs.registerTaskDefinition({
    family: 'singleton',
    containerDefinitions: [container('singleton', 'singleton', 512, 1024, [9000])],
  });
  const worker = account.ecs.registerTaskDefinition({ family: 'worker', containerDefinitions: [container('worker', 'worker', 256, 512)] });
  const batch = account.ecs.registerTaskDefinition({ family: 'batch', containerDefinitions: [container('batch', 'batch', 1536, 1024)] });
  account.ecs.createService({
    cluster: 'risky',
    name: 'api',
    taskDefinition: api.taskDefinitionArn!,
    desiredCount: 2,
    loadBalancers: [{ targetGroupArn: apiTg, containerName: 'api', containerPort: 8080 }],
  });
  account.ecs.createService({
    cluster: 'risky',
    name: 'singleton',
    taskDefinition: singleton.taskDefinitionArn!,
    desiredCount: 2,
    minimumHealthyPercent: 100,
    maximumPercent: 100,
    loadBalancers: [{ targetGroupArn: singletonTg, containerName: 'singleton', containerPort: 9000 }],
  });
  account.ecs.createService({
    cluster: 'risky',
    name: 'worker',
    taskDefinition: worker.taskDefinitionArn!,
    desiredCount: 2,
    minimumHealthyPercent: 50,
    maximumPercent: 100,
  });
  for (const i of asgInstances) {
    for (const [def, serviceName] of [
      [api, 'api'],
      [singleton, 'singleton'],
      [worker, 'worker'],
    ] as const)
      account.ecs.startTask({
        cluster: 'risky',
        containerInstanceArn: i.containerInstanceArn,
        taskDefinition: def.taskDefinitionArn!,
        serviceName,
      });
  }
  account.ecs.startTask({
    cluster: 'risky',
    containerInstanceArn: stray!.containerInstanceArn,
    taskDefinition: batch.taskDefinitionArn!,
    startedBy: 'job-runner',
  });

  return {
    clean: { cluster: 'clean', spotFleetRequestId: cleanFleet, albArn: cleanAlb, instances: clean },
    risky: {
      cluster: 'risky',
      asgInstances,
      stray: stray!,
      strayFleet,
      albArn: alb,
      nlbArn: nlb,
      groups: ['risky-asg', 'risky-extra'],
      targetGroups: { api: apiTg, singleton: singletonTg },
    },
  };
}
