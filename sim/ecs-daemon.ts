import type { SimulatedAccount } from './account';
import type { SimEcs } from './ecs';
import type { ServiceRecord, TaskRecord } from './ecs-common';
import type { CreateServiceOptions } from './ecs-services';
import { taskSize } from './ecs-task-definitions';

/*
 * DAEMON services. "The daemon scheduling strategy deploys exactly one task on each active
 * container instance that meets all of the task placement constraints that you specify in your
 * cluster. When using this strategy, there is no need to specify a desired number of tasks"
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service-options.html).
 * Modelled: no placement constraints, so one task on every ACTIVE, agent-connected instance
 * whose EC2 instance runs; desiredCount follows the number of such instances; an instance
 * registering gets its daemon task. On a DRAINING instance a daemon task is not replaced
 * elsewhere (it belongs to that instance) and ECS stops it only once every other task there
 * has stopped: daemon tasks go last, as the operators' write-ups this project follows report
 * it (the stored ECS documentation does not say when, so this is an assumption of the model).
 */

/** A DAEMON service (DescribeServices shows schedulingStrategy DAEMON), one task per instance: seeded RUNNING, or placed as the scheduler does. */
export function createDaemonService(ecs: SimEcs, options: Omit<CreateServiceOptions, 'desiredCount'>, seed = true): string {
  const arn = ecs.services.create({ ...options, desiredCount: 0, minimumHealthyPercent: 0, maximumPercent: 100 });
  const s = ecs.services.require(options.cluster, options.name);
  s.schedulingStrategy = 'DAEMON';
  reconcileDaemon(ecs.account, ecs, s, !seed);
  return arn;
}

/** One task on every eligible instance that has none (PENDING, RUNNING after the placement delay); no room ⇒ unplaced. */
export function reconcileDaemon(account: SimulatedAccount, ecs: SimEcs, s: ServiceRecord, pending = true): void {
  const eligible = ecs
    .containerInstancesOf(s.cluster)
    .filter((ci) => ci.status === 'ACTIVE' && ci.agentConnected && account.ec2.instance(ci.ec2InstanceId)?.state === 'running');
  s.desiredCount = eligible.length;
  if (!ecs.replaceStoppedServiceTasks) return;
  const size = taskSize(ecs.taskDefinitions.resolve(s.taskDefinitionArn));
  const hasOne = new Set(
    ecs.tasks
      .all()
      .filter((t) => t.cluster === s.cluster && t.serviceName === s.name && t.desiredStatus === 'RUNNING')
      .map((t) => t.containerInstanceArn),
  );
  let unplaced = 0;
  for (const ci of eligible) {
    if (hasOne.has(ci.arn)) continue;
    const free = ecs.remaining(ci);
    if (free.cpu < size.cpu || free.memory < size.memory) {
      unplaced += 1;
      continue;
    }
    const t = ecs.tasks.start({
      cluster: s.cluster,
      containerInstanceArn: ci.arn,
      taskDefinition: s.taskDefinitionArn,
      serviceName: s.name,
      pending,
    });
    if (pending) account.at(account.clock.now() + ecs.placementDelayMs, () => ecs.tasks.promote(t));
  }
  s.unplaced = unplaced;
}

/** A DRAINING instance's daemon task: stopped by ECS once nothing else on the instance is still running. */
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
