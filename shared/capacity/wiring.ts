import type { AwsClients } from '../aws/clients';
import { InstanceTypesAdapter } from '../aws/ec2-instance-types';
import { LaunchFailuresAdapter } from '../aws/launch-failures';
import { EcsCapacityAdapter } from '../aws/ecs-capacity';
import { ContainerInstancesAdapter } from '../aws/ecs-container-instances';
import { ServicesAdapter } from '../aws/ecs-services';
import { TasksAdapter } from '../aws/ecs-tasks';
import type { Clock } from '../lambda/clock';
import type { Log } from '../lambda/observability';
import { backendDirectory } from './backends';
import type { CapacityReadPorts } from './snapshot';
import type { TickDeps } from './tick';

export type CapacityClients = Pick<AwsClients, 'ecs' | 'autoscaling' | 'ec2'>;

/** Adapters live as long as the clients (the container): task-definition and instance-type sizes stay cached across invocations. */
const cache = new WeakMap<object, { reads: CapacityReadPorts; ecs: EcsCapacityAdapter }>();

function adapters(clients: CapacityClients) {
  let r = cache.get(clients.ecs);
  if (!r) {
    const ecs = new EcsCapacityAdapter(clients.ecs);
    const instances = new ContainerInstancesAdapter(clients.ecs);
    const services = new ServicesAdapter(clients.ecs);
    const tasks = new TasksAdapter(clients.ecs);
    const types = new InstanceTypesAdapter(clients.ec2);
    const reads: CapacityReadPorts = {
      listInstanceArns: (c, o, onPage) => instances.listArns(c, undefined, o, onPage),
      describeInstances: (c, arns, o) => ecs.describeInstances(c, arns, o),
      listServices: (c, o) => ecs.listServices(c, o),
      describeServices: (c, names, o) => services.describe(c, names, o),
      listTasksOn: (c, arn, o) => tasks.listRunningOn(c, arn, o),
      describeTasks: (c, arns, o) => tasks.describe(c, arns, o),
      taskSizes: (arns, o) => ecs.taskSizes(arns, o),
      protectedTasks: (c, arns, o) => ecs.protectedTasks(c, arns, o),
      instanceTypes: (t, o) => types.sizes(t, o),
    };
    cache.set(clients.ecs, (r = { reads, ecs }));
  }
  return r;
}

/** What one capacity run needs, built on the function's clients (scale-out only: capacityWriter adds retire, shared/retire/wiring.ts). */
export function capacityDeps(clients: CapacityClients, clock: Clock, log: Log): TickDeps & { ecs: EcsCapacityAdapter } {
  const { reads, ecs } = adapters(clients);
  const containerInstances = new ContainerInstancesAdapter(clients.ecs);
  const failures = new LaunchFailuresAdapter(clients.autoscaling, clients.ec2);
  return {
    directory: backendDirectory(clients),
    reads,
    setInstanceStatus: async (cluster, arn, status, o) => {
      const failed = await containerInstances.setStatus(cluster, [arn], status, o);
      if (failed.length > 0) throw new Error(`UpdateContainerInstancesState ${status} failed: ${failed.map((f) => f.reason).join('; ')}`);
    },
    launchFailures: (ref, since, o) =>
      ref.kind === 'asg'
        ? failures.asg(ref.id, since, o)
        : ref.kind === 'ec2Fleet'
          ? failures.ec2Fleet(ref.id, since, o)
          : failures.spotFleet(ref.id, since, o),
    clock,
    log,
    ecs,
  };
}
