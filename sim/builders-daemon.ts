import type { SimulatedAccount } from './account';
import { container } from './builders-common';
import { createDaemonService } from './ecs-daemon';

/** What a cluster runs on every instance besides its work: a DAEMON log router, per-instance agents. */

/** A fluent-bit log router as a DAEMON service `log-router` (128 CPU / 256 MiB), one task on every ACTIVE instance, RUNNING now. */
export function addLogRouterDaemon(account: SimulatedAccount, cluster: string, name = 'log-router'): string {
  const def = account.ecs.registerTaskDefinition({
    family: name,
    networkMode: 'bridge',
    containerDefinitions: [container(name, 'fluent-bit', 128, 256)],
  });
  createDaemonService(account.ecs, { cluster, name, taskDefinition: def.taskDefinitionArn! });
  return name;
}

/**
 * A per-instance agent started with StartTask on each of `instances` (as a boot script does:
 * group `family:<family>`, startedBy `ecs-agent-boot`), optionally tagged. Answers the task ARNs.
 */
export function startAgents(
  account: SimulatedAccount,
  cluster: string,
  instances: ReadonlyArray<{ containerInstanceArn: string }>,
  o: { family?: string; tags?: Record<string, string>; cpu?: number; memory?: number } = {},
): string[] {
  const family = o.family ?? 'dd-agent';
  const def = account.ecs.registerTaskDefinition({
    family,
    networkMode: 'bridge',
    containerDefinitions: [container(family, 'datadog-agent', o.cpu ?? 128, o.memory ?? 256)],
  });
  return instances.map((i) =>
    account.ecs.startTask({
      cluster,
      containerInstanceArn: i.containerInstanceArn,
      taskDefinition: def.taskDefinitionArn!,
      group: `family:${family}`,
      startedBy: 'ecs-agent-boot',
      ...(o.tags ? { tags: o.tags } : {}),
    }),
  );
}
