import type { SimulatedAccount } from './account';
import type { SimEcs } from './ecs';
import type { ContainerInstanceRecord, ServiceRecord, TaskRecord } from './ecs-common';
import type { CreateServiceOptions } from './ecs-services';
import { fixedHostPorts, taskSize } from './ecs-task-definitions';

/**
 * The DAEMON scheduling strategy, from
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service-options.html: "exactly
 * one task on each active container instance that meets all of the task placement constraints";
 * no desired count is given (the scheduler sets it to the instances that qualify). ECS reserves
 * the instance's CPU and memory for daemon tasks and places them before replica tasks: the
 * scheduler here re-evaluates daemon services first whenever room frees up or an instance
 * registers (EcsServices.placeStarved). A new task definition replaces the daemon's task
 * instance by instance (the daemon defaults: minimumHealthyPercent 0, maximumPercent 100).
 * DRAINING instances get no new daemon task; the one there is left to the drain.
 */

/** ACTIVE, agent connected, on a running EC2 instance: where ECS places tasks. */
export function placeableHosts(account: SimulatedAccount, ecs: SimEcs, cluster: string): ContainerInstanceRecord[] {
  return ecs
    .containerInstancesOf(cluster)
    .filter((ci) => ci.status === 'ACTIVE' && ci.agentConnected && account.ec2.instance(ci.ec2InstanceId)?.state === 'running');
}

/** Room and host ports for one task of `taskDefinitionArn` on `ci`. */
export function hostFits(ecs: SimEcs, ci: ContainerInstanceRecord, taskDefinitionArn: string): boolean {
  const def = ecs.taskDefinitions.resolve(taskDefinitionArn);
  const need = taskSize(def);
  const free = ecs.remaining(ci);
  return free.cpu >= need.cpu && free.memory >= need.memory && fixedHostPorts(def).every((p) => !ci.usedPorts.has(p));
}

/**
 * Bring a DAEMON service to one task per placeable instance: desiredCount = those instances; an
 * instance running an older deployment's task has it stopped (its replacement follows once it has
 * stopped and freed its room and ports); one without a task gets one where it fits, else it is
 * counted unplaced (retried when room frees up).
 */
export function reconcileDaemon(account: SimulatedAccount, ecs: SimEcs, s: ServiceRecord): void {
  const hosts = placeableHosts(account, ecs, s.cluster);
  s.desiredCount = hosts.length;
  const tasks = ecs.tasks.all().filter((t) => t.cluster === s.cluster && t.serviceName === s.name && t.lastStatus !== 'STOPPED');
  let unplaced = 0;
  for (const ci of hosts) {
    const here = tasks.filter((t) => t.containerInstanceArn === ci.arn);
    for (const old of here.filter((t) => t.desiredStatus === 'RUNNING' && t.startedBy !== s.deploymentId))
      ecs.tasks.stop(old, {
        by: 'ecs',
        reason: `Scaling activity initiated by (deployment ${s.deploymentId})`,
        stopCode: 'ServiceSchedulerInitiated',
      });
    if (here.length > 0) continue; // one task per instance: a stopping one still holds its room and ports
    if (hostFits(ecs, ci, s.taskDefinitionArn)) ecs.services.placeOne(s, ci);
    else unplaced += 1;
  }
  s.unplaced = unplaced;
  const live = ecs.tasks.all().filter((t) => t.cluster === s.cluster && t.serviceName === s.name && t.desiredStatus === 'RUNNING');
  if (
    s.rollout?.state === 'IN_PROGRESS' &&
    live.length === hosts.length &&
    live.every((t) => t.startedBy === s.deploymentId && t.lastStatus === 'RUNNING')
  )
    s.rollout = { ...s.rollout, state: 'COMPLETED', updatedAt: account.clock.now(), active: [] };
}

/**
 * A DAEMON service for builders: with `seed`, one task RUNNING now on every placeable instance
 * where it fits (as if placed long ago, whatever the scheduler knobs); else placed as the scheduler does.
 */
export function createDaemonService(
  ecs: SimEcs,
  options: Omit<CreateServiceOptions, 'desiredCount' | 'schedulingStrategy'>,
  seed = true,
): string {
  const arn = ecs.services.create({ ...options, desiredCount: 0, schedulingStrategy: 'DAEMON' });
  if (!seed) return arn;
  const s = ecs.services.require(options.cluster, options.name);
  const hosts = placeableHosts(ecs.account, ecs, s.cluster);
  s.desiredCount = hosts.length;
  for (const ci of hosts) {
    const here = ecs.tasks
      .all()
      .filter((t) => t.serviceName === s.name && t.containerInstanceArn === ci.arn && t.desiredStatus === 'RUNNING');
    for (const t of here) ecs.tasks.promote(t);
    if (here.length === 0 && hostFits(ecs, ci, s.taskDefinitionArn))
      ecs.tasks.start({
        cluster: s.cluster,
        containerInstanceArn: ci.arn,
        taskDefinition: s.taskDefinitionArn,
        serviceName: s.name,
        startedBy: s.deploymentId,
      });
  }
  return arn;
}

/**
 * A DRAINING instance's daemon task: stopped by ECS once nothing else on the instance is still
 * running. The stored ECS documentation does not say when ECS stops a daemon task on a draining
 * instance; "last" follows the operators' write-ups this project learns from (an assumption of the model).
 */
export function stepDaemonDraining(ecs: SimEcs, s: ServiceRecord, draining: ReadonlySet<string>, tasks: readonly TaskRecord[]): void {
  for (const t of tasks) {
    if (t.desiredStatus !== 'RUNNING' || !draining.has(t.containerInstanceArn)) continue;
    const others = ecs.tasks
      .all()
      .some((o) => o.containerInstanceArn === t.containerInstanceArn && o.serviceName !== s.name && o.lastStatus !== 'STOPPED');
    if (!others)
      ecs.tasks.stop(t, { by: 'ecs', reason: `Service ${s.name}: container instance is DRAINING`, stopCode: 'ServiceSchedulerInitiated' });
  }
}
