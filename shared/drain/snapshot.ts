import { errorMessage } from '../lambda/errors';
import type { ContainerInstanceRef } from '../aws/ecs-container-instances';
import type { TargetState } from '../aws/elbv2-targets';
import type { DrainAdapters } from './ports';
import { serviceNameOf, serviceNamesOf, toDrainTask } from './targets';
import type { DrainSnapshot, TaskTarget } from './types';

export interface LoadedSnapshot {
  snapshot: DrainSnapshot;
  /** Tasks ECS still counts on the instance (running or pending), whatever their desired status. */
  runningOrPending: number;
  /** What could not be read this time (a target group, a service): reported; the next look retries. */
  warnings: string[];
}

/**
 * Read the instance, its tasks, their services and the health of their targets. A failure
 * on one target group leaves its states unknown (the planner then re-deregisters and waits)
 * instead of failing the drain; a failure to read the instance or its tasks propagates.
 */
export async function loadDrainSnapshot(a: DrainAdapters, ref: ContainerInstanceRef): Promise<LoadedSnapshot> {
  const warnings: string[] = [];
  const current = await a.ecs.describeContainerInstance(ref.cluster, ref.containerInstanceArn);
  if (!current) {
    // Deregistered (e.g. the instance is already gone): nothing is left to drain.
    return {
      snapshot: { ...ref, status: 'INACTIVE', tasks: [], targetStates: new Map() },
      runningOrPending: 0,
      warnings: ['container instance no longer registered'],
    };
  }
  const { tasks, failures } = await a.ecs.tasksOn(ref.cluster, ref.containerInstanceArn);
  for (const f of failures) warnings.push(`describe task ${f.arn}: ${f.reason}`);

  const names = serviceNamesOf(tasks);
  const services = names.length ? await a.ecs.describeServices(ref.cluster, names) : { services: [], failures: [] };
  for (const f of services.failures) warnings.push(`describe service ${f.arn}: ${f.reason}`);
  const byName = new Map(services.services.map((s) => [s.serviceName ?? '', s]));

  const drainTasks = tasks.map((t) => {
    const name = serviceNameOf(t);
    return toDrainTask(t, name ? byName.get(name) : undefined, ref.ec2InstanceId);
  });
  for (const t of drainTasks) for (const u of t.unresolved ?? []) warnings.push(`targets of ${t.taskArn}: ${u}`);

  const byGroup = new Map<string, TaskTarget[]>();
  for (const t of drainTasks) {
    if (t.desiredStatus !== 'RUNNING') continue;
    for (const target of t.targets) byGroup.set(target.targetGroupArn, [...(byGroup.get(target.targetGroupArn) ?? []), target]);
  }
  const targetStates = new Map<string, Map<string, TargetState>>();
  await Promise.all(
    [...byGroup].map(async ([tg, targets]) => {
      try {
        targetStates.set(tg, await a.elbv2.targetStates(tg, targets));
      } catch (err) {
        warnings.push(`target health of ${tg}: ${errorMessage(err)}`);
      }
    }),
  );

  return {
    snapshot: { ...ref, status: current.status, tasks: drainTasks, targetStates },
    runningOrPending: current.runningTasksCount + current.pendingTasksCount,
    warnings,
  };
}
