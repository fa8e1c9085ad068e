import type { BackendFacts, ClusterFacts, Finding, PreflightSettings, ServiceFacts } from './types';

/** A cluster is a Spot cluster when one of its instances is Spot or a Spot Fleet serves it. */
export function isSpotCluster(cluster: ClusterFacts, backends: readonly BackendFacts[]): boolean {
  return (
    cluster.instances.some((i) => i.spot) ||
    backends.some((b) => b.kind === 'spotFleet' && (b.clusterTag === cluster.name || b.fallbackFor === cluster.name))
  );
}

/** Seconds a Spot drain has for one target group: the notice less the drain's safety margin. */
export const drainBudgetSeconds = (s: Pick<PreflightSettings, 'spotNoticeSeconds' | 'safetyMarginSeconds'>) =>
  s.spotNoticeSeconds - s.safetyMarginSeconds;

/**
 * Seconds kept at the end of a Spot drain for the group stopped last (DAEMON-service tasks and
 * agents: log routers outlive the tasks they collect from, shared/drain/stop-order.ts), when the
 * cluster runs a DAEMON service or agents are configured; else 0.
 */
export function lastGroupSeconds(
  c: Pick<ClusterFacts, 'services'>,
  s: Pick<PreflightSettings, 'lastGroupStopSeconds' | 'agentFamilies'>,
): number {
  return c.services.some((x) => x.schedulingStrategy === 'DAEMON') || s.agentFamilies.length > 0 ? s.lastGroupStopSeconds : 0;
}

/**
 * On Spot clusters: each target group's deregistration delay plus the service's container stop
 * timeout must fit the notice less the safety margin (less the last group's stop timeout where
 * DAEMON tasks or agents are stopped last). The drain deregisters the targets, waits for them to
 * leave `draining` (up to the delay), then stops the tasks, which get their stop timeout before
 * SIGKILL; past the budget, the reclaim kills them mid-request. Error.
 */
export function checkStopTimeouts(clusters: readonly ClusterFacts[], backends: readonly BackendFacts[], s: PreflightSettings): Finding[] {
  const out: Finding[] = [];
  for (const c of clusters.filter((c) => isSpotCluster(c, backends))) {
    const last = lastGroupSeconds(c, s);
    const budget = drainBudgetSeconds(s) - last;
    const lastText = last > 0 ? ` - ${last} s kept for the DAEMON and agent tasks stopped last` : '';
    for (const svc of c.services) {
      const stop = svc.stopTimeoutSeconds ?? s.agentStopTimeoutSeconds;
      const stopText = svc.stopTimeoutSeconds === undefined ? `agent default ${stop} s (ECS_CONTAINER_STOP_TIMEOUT)` : `${stop} s`;
      for (const tg of svc.targetGroups) {
        const total = tg.deregistrationDelaySeconds + stop;
        if (total <= budget) continue;
        out.push({
          severity: 'error',
          check: 'stop-timeout',
          subject: `${c.name}/${svc.name}/${tg.name}`,
          detail:
            `deregistration delay ${tg.deregistrationDelaySeconds} s + container stop timeout ${stopText} = ${total} s, ` +
            `more than the ${budget} s a Spot drain has (${s.spotNoticeSeconds} s notice - ${s.safetyMarginSeconds} s safety margin${lastText})`,
          fix:
            budget - stop >= 0
              ? `set the target group's deregistration_delay.timeout_seconds to at most ${budget - stop} s, or shorten the container stopTimeout`
              : `shorten the container stopTimeout below ${budget} s and the deregistration delay with it`,
        });
      }
    }
  }
  return out;
}

/** ECS rounds maximumPercent down and minimumHealthyPercent up to whole tasks (DeploymentConfiguration). */
export function drainRoom(svc: Pick<ServiceFacts, 'desired' | 'minimumHealthyPercent' | 'maximumPercent'>) {
  const maxTasks = Math.floor((svc.desired * svc.maximumPercent) / 100);
  const minHealthy = Math.ceil((svc.desired * svc.minimumHealthyPercent) / 100);
  return { canStartFirst: maxTasks > svc.desired, canStopFirst: minHealthy < svc.desired, maxTasks, minHealthy };
}

/**
 * On Spot clusters: a DRAINING instance's service tasks are "stopped and replaced according to
 * the service's deployment configuration parameters, minimumHealthyPercent and maximumPercent"
 * (ECS developer guide, container instance draining). When maximumPercent leaves no room above
 * desired, ECS cannot start a replacement before it stops a task (warning: the service runs
 * short during every drain); when minimumHealthyPercent also forbids stopping one first, ECS can
 * do neither and the reclaim kills the tasks (error). REPLICA services with the ECS deployment
 * controller and desired > 0 only (daemons are not replaced elsewhere).
 */
export function checkDeployments(clusters: readonly ClusterFacts[], backends: readonly BackendFacts[]): Finding[] {
  const out: Finding[] = [];
  for (const c of clusters.filter((c) => isSpotCluster(c, backends))) {
    for (const svc of c.services) {
      if (svc.schedulingStrategy !== 'REPLICA' || svc.deploymentController !== 'ECS' || svc.desired <= 0) continue;
      const room = drainRoom(svc);
      if (room.canStartFirst) continue;
      const percents = `minimumHealthyPercent ${svc.minimumHealthyPercent}, maximumPercent ${svc.maximumPercent}, desired ${svc.desired}`;
      const surge = Math.ceil(((svc.desired + 1) * 100) / svc.desired);
      out.push(
        room.canStopFirst
          ? {
              severity: 'warning',
              check: 'deployment',
              subject: `${c.name}/${svc.name}`,
              detail: `${percents}: at most ${room.maxTasks} tasks may run, so ECS stops a task before its replacement starts on every drain (the service runs short)`,
              fix: `raise maximumPercent to at least ${Math.max(200, surge)} so replacements start before tasks stop`,
            }
          : {
              severity: 'error',
              check: 'deployment',
              subject: `${c.name}/${svc.name}`,
              detail: `${percents}: ECS can neither start a replacement first (at most ${room.maxTasks} tasks) nor stop a task first (at least ${room.minHealthy} healthy), so a drain cannot move the tasks before the reclaim kills them`,
              fix: `raise maximumPercent to at least ${Math.max(200, surge)} (or lower minimumHealthyPercent)`,
            },
      );
    }
  }
  return out;
}
