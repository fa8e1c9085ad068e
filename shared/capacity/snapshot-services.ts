import type { Service } from '@aws-sdk/client-ecs';
import type { TaskShape } from '../aws/ecs-capacity';
import type { CapacityService } from './types';

/** ECS's default maximumPercent for a REPLICA service (DeploymentConfiguration, API reference). */
const DEFAULT_MAX_PERCENT = 200;

/**
 * The rolling deployment under way, if any: the PRIMARY's rolloutState is IN_PROGRESS, or (a
 * service whose deployments show no rolloutState) older deployments are still listed.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html
 */
export function deploymentOf(v: Service, now: number): CapacityService['deployment'] {
  const primary = v.deployments?.find((d) => d.status === 'PRIMARY');
  if (!primary) return undefined;
  const rolling = primary.rolloutState ? primary.rolloutState === 'IN_PROGRESS' : (v.deployments?.length ?? 0) > 1;
  if (!rolling) return undefined;
  const desired = v.desiredCount ?? 0;
  return {
    startedAt: primary.createdAt?.getTime() ?? now,
    maxTasks: Math.floor((desired * (v.deploymentConfiguration?.maximumPercent ?? DEFAULT_MAX_PERCENT)) / 100),
    newMissing: Math.max(0, desired - (primary.runningCount ?? 0) - (primary.pendingCount ?? 0)),
  };
}

/** A service as the planner sees it: counts, one task's size and fixed host ports, DAEMON, the deployment under way. */
export function serviceOf(v: Service, size: TaskShape | undefined, now: number): CapacityService {
  const deployment = deploymentOf(v, now);
  return {
    name: v.serviceName ?? '',
    desired: v.desiredCount ?? 0,
    running: v.runningCount ?? 0,
    pending: v.pendingCount ?? 0,
    task: { cpu: size?.cpu ?? 0, memory: size?.memory ?? 0 },
    ...(size?.hostPorts?.length ? { hostPorts: size.hostPorts } : {}),
    ...(v.schedulingStrategy === 'DAEMON' ? { daemon: true } : {}),
    ...(deployment ? { deployment } : {}),
  };
}
