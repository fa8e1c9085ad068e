import { isAgentTask } from '../retire/agents';
import { readMark, type RetiringMark } from '../retire/mark';
import { DO_NOT_DISRUPT_TAG, LAST_SCALE_OUT_TAG } from '../tags';
import type { Service, Task } from '@aws-sdk/client-ecs';
import type { CallOptions, ItemFailure } from '../aws/call';
import type { ContainerInstanceCapacity, TaskShape } from '../aws/ecs-capacity';
import { arrivalAfter } from './headroom-windows';
import { deploymentOf, serviceOf } from './snapshot-services';
import type { BackendView } from './ports';
import { inFlightOf, time, type ClusterRead } from './cluster-read';
import type { CapacityInstance, CapacitySnapshot, CapacityTask, InstanceShape, Resources } from './types';

/**
 * The scale-in candidates whose tasks are read per tick (ListTasks per instance): the emptiest
 * by ECS's own task counts. Reading every task of a 1,000-instance cluster each minute would
 * cost calls a Spot wave needs; the emptiest are where a safe scale-in is found.
 */
export const CANDIDATES_READ = 5;
/** EC2 DescribeInstanceTypes gives physical memory; ECS registers less (the OS and agent keep some). Counted conservatively. */
const REGISTERED_MEMORY_SHARE = 0.93;

/** The reads a capacity snapshot makes, each bounded by CallOptions; adapters satisfy them. */
export interface CapacityReadPorts {
  /** Every container instance ARN; `onPage` sees each page as it arrives (ListContainerInstances pages follow one another). */
  listInstanceArns(cluster: string, o?: CallOptions, onPage?: (arns: string[]) => void): Promise<string[]>;
  describeInstances(
    cluster: string,
    arns: readonly string[],
    o?: CallOptions,
  ): Promise<{ instances: ContainerInstanceCapacity[]; failures: ItemFailure[] }>;
  listServices(cluster: string, o?: CallOptions): Promise<string[]>;
  describeServices(cluster: string, names: readonly string[], o?: CallOptions): Promise<{ services: Service[]; failures: ItemFailure[] }>;
  listTasksOn(cluster: string, containerInstanceArn: string, o?: CallOptions): Promise<string[]>;
  describeTasks(cluster: string, taskArns: readonly string[], o?: CallOptions): Promise<{ tasks: Task[]; failures: ItemFailure[] }>;
  taskSizes(taskDefinitionArns: readonly string[], o?: CallOptions): Promise<Map<string, TaskShape>>;
  protectedTasks(cluster: string, taskArns: readonly string[], o?: CallOptions): Promise<Set<string>>;
  /** vCPU and memory (MiB) of instance types no registered instance shows yet (EC2 DescribeInstanceTypes). */
  instanceTypes?(types: readonly string[], o?: CallOptions): Promise<Map<string, { vcpus: number; memoryMiB: number }>>;
}

export { inFlightOf, time, type ClusterRead } from './cluster-read';

function taskOf(t: Task, protectedArns: ReadonlySet<string>, agentFamilies: readonly string[]): CapacityTask {
  const service = t.group?.startsWith('service:') ? t.group.slice('service:'.length) : undefined;
  return {
    taskArn: t.taskArn ?? '',
    kind: service ? 'service' : 'standalone',
    ...(service ? { serviceName: service } : {}),
    ...(isAgentTask(t, agentFamilies) ? { agent: true } : {}),
    protected: protectedArns.has(t.taskArn ?? ''),
    cpu: Number(t.cpu ?? 0) || 0,
    memory: Number(t.memory ?? 0) || 0,
  };
}

/** Tasks on these container instances (ListTasks per instance, then DescribeTasks), keyed by container instance ARN. */
/** Tasks per container instance ARN; an instance whose listed tasks did not all describe is in `incomplete`. */
async function tasksOn(
  ports: CapacityReadPorts,
  cluster: string,
  arns: readonly string[],
  o?: CallOptions,
): Promise<Map<string, Task[]> & { incomplete: Set<string> }> {
  const lists = await Promise.all(arns.map((arn) => ports.listTasksOn(cluster, arn, o)));
  const all = lists.flat();
  const described = all.length > 0 ? (await ports.describeTasks(cluster, all, o)).tasks : [];
  const out = Object.assign(new Map<string, Task[]>(arns.map((a) => [a, []])), { incomplete: new Set<string>() });
  for (const t of described) out.get(t.containerInstanceArn ?? '')?.push(t);
  // An instance whose listed tasks did not all describe is not known: it must not look emptier (or safer) than it is.
  arns.forEach((a, k) => {
    if ((out.get(a)?.length ?? 0) < lists[k]!.length) out.incomplete.add(a);
  });
  return out;
}

/**
 * Every container instance, described page by page as ListContainerInstances answers (100 a page,
 * one after another by token): each page's DescribeContainerInstances runs while the next page is
 * listed, so 5,000 instances cost the 50 list pages plus one describe, not 50 + 50 in sequence.
 * Both calls share ECS's cluster-resource read rate, which one list and one describe at a time stay within.
 */
async function describeAllInstances(ports: CapacityReadPorts, cluster: string, o?: CallOptions) {
  const describing: Array<ReturnType<CapacityReadPorts['describeInstances']>> = [];
  const listed = ports.listInstanceArns(cluster, o, (page) => {
    if (page.length === 0) return;
    const d = ports.describeInstances(cluster, page, o);
    d.catch(() => undefined); // a describe failing while the list goes on is awaited (and thrown) below, never left unhandled
    describing.push(d);
  });
  const arns = await listed.catch(async (err: unknown) => {
    await Promise.allSettled(describing);
    throw err;
  });
  const parts = describing.length > 0 ? await Promise.all(describing) : [await ports.describeInstances(cluster, arns, o)];
  return { instances: parts.flatMap((p) => p.instances), failures: parts.flatMap((p) => p.failures) };
}

/** Sizes per instance type the backend launches: a registered instance of that type (exact), else EC2's figures. */
async function shapesOf(ports: CapacityReadPorts, backend: BackendView, seen: readonly ContainerInstanceCapacity[], o?: CallOptions) {
  const known = new Map<string, Resources>();
  for (const ci of seen) if (ci.instanceType && !known.has(ci.instanceType)) known.set(ci.instanceType, ci.registered);
  const unknown = backend.shapes.map((s) => s.instanceType).filter((t) => !known.has(t));
  if (unknown.length > 0 && ports.instanceTypes) {
    for (const [type, x] of await ports.instanceTypes(unknown, o))
      known.set(type, { cpu: x.vcpus * 1024, memory: Math.floor(x.memoryMiB * REGISTERED_MEMORY_SHARE) });
  }
  const shapes: InstanceShape[] = [];
  const missing: string[] = [];
  for (const s of backend.shapes) {
    const size = known.get(s.instanceType);
    if (size) shapes.push({ instanceType: s.instanceType, weight: s.weight, ...size });
    else missing.push(s.instanceType);
  }
  return { shapes, missing };
}

/**
 * One cluster as the planner sees it, read once: container instances (with tags), services,
 * the tasks of DRAINING instances (their service tasks need room elsewhere), the sizes of
 * services that need room, the backend's view. ACTIVE instances' tasks are not read here
 * (`tasksUnread`); readCandidates reads the few the scale-in could pick. Capacity in flight =
 * desired units − units of the backend's instances registered in ECS, asked for at the
 * backend's last-scale-out tag.
 */
export async function readCluster(
  ports: CapacityReadPorts,
  cluster: string,
  backend: BackendView,
  now: number,
  o?: CallOptions,
  /** Instances our drain record (on the backends) names: a DRAINING one with our mark is ours only then. */
  ours: ReadonlySet<string> = new Set(),
  /** Services a headroom window holds room for: their task size is read like that of a service needing room. */
  windowServices: ReadonlySet<string> = new Set(),
): Promise<ClusterRead & { warnings: string[] }> {
  const warnings: string[] = [];
  // Services are read beside the instances (their pages and describes never wait for the instance pages).
  const [described, { services }] = await Promise.all([
    describeAllInstances(ports, cluster, o),
    ports.listServices(cluster, o).then((arns) => ports.describeServices(cluster, arns, o)),
  ]);
  const live = described.instances.filter((ci) => ci.status === 'ACTIVE' || ci.status === 'DRAINING');
  const draining = live.filter((ci) => ci.status === 'DRAINING');
  const drainingTasks = await tasksOn(
    ports,
    cluster,
    draining.map((ci) => ci.containerInstanceArn),
    o,
  );
  const scaleInMarkedAt = new Map<string, number>();
  const legacyScaleInTag = new Set<string>();
  const rebalanceMarks = new Map<string, RetiringMark>();
  const ownInstances = new Map(backend.instances.map((b) => [b.ec2InstanceId, b]));
  const instances: CapacityInstance[] = live.map((ci) => {
    const mark = readMark(ci.attributes ?? {}, ci.tags);
    const marked = mark?.reason === 'scale-in' ? mark.at : undefined;
    if (marked !== undefined) scaleInMarkedAt.set(ci.ec2InstanceId, marked);
    if (marked !== undefined && mark?.from === 'legacy-scale-in-tag') legacyScaleInTag.add(ci.ec2InstanceId);
    if (mark?.reason === 'rebalance') rebalanceMarks.set(ci.ec2InstanceId, mark);
    const own = ownInstances.get(ci.ec2InstanceId);
    // A DRAINING instance's service tasks are demand; whether its standalone tasks are agents does not matter here.
    const tasks = ci.status === 'DRAINING' ? (drainingTasks.get(ci.containerInstanceArn) ?? []).map((t) => taskOf(t, new Set(), [])) : [];
    return {
      containerInstanceArn: ci.containerInstanceArn,
      ec2InstanceId: ci.ec2InstanceId,
      availabilityZone: ci.availabilityZone,
      instanceType: ci.instanceType,
      status: ci.status as 'ACTIVE' | 'DRAINING',
      agentConnected: ci.agentConnected,
      registered: ci.registered,
      remaining: ci.remaining,
      tasks,
      doNotDisrupt: ci.tags[DO_NOT_DISRUPT_TAG]?.toLowerCase() === 'true',
      ...(ci.usedPorts?.length ? { usedPorts: ci.usedPorts } : {}),
      ...(own?.protectedFromScaleIn ? { protectedFromScaleIn: true } : {}),
      // Ours only while the backend's own instance list holds it (read this tick, not a tag).
      ...(own ? {} : { notOwned: true }),
      ...(ci.status === 'ACTIVE' ? { tasksUnread: true } : {}),
      ...(mark?.reason === 'rebalance' && mark.from === 'mark' ? { rebalancing: true as const } : {}),
      // Drained by us only with retire's own mark (an attribute: ecs:PutAttributes, not tagging rights) and our record;
      // the last release's scale-in tag alone is anyone's to write, so it never makes a DRAINING instance ours to remove.
      ...(ci.status === 'DRAINING' && marked !== undefined && mark?.from === 'mark' && ours.has(ci.ec2InstanceId)
        ? { drainedForScaleIn: true }
        : {}),
      ...(ci.status === 'DRAINING' && ci.runningTasksCount + ci.pendingTasksCount > tasks.length
        ? { tasksStopping: ci.runningTasksCount + ci.pendingTasksCount - tasks.length }
        : {}),
    };
  });
  // Sizes only for services that need room now (missing tasks, or tasks on DRAINING instances).
  const onDraining = new Set(instances.flatMap((i) => i.tasks.map((t) => t.serviceName ?? '')));
  const taskDefinitionOf = new Map(services.map((v) => [v.serviceName ?? '', v.taskDefinition ?? '']));
  // …and DAEMON services (their share comes off every shape), services deploying (their surge needs room) and those windows hold room for.
  const needSize = services.filter(
    (v) =>
      (v.desiredCount ?? 0) > (v.runningCount ?? 0) + (v.pendingCount ?? 0) ||
      onDraining.has(v.serviceName ?? '') ||
      v.schedulingStrategy === 'DAEMON' ||
      deploymentOf(v, now) !== undefined ||
      windowServices.has(v.serviceName ?? ''),
  );
  const [sizes, shapes] = await Promise.all([
    ports.taskSizes(
      needSize.map((v) => v.taskDefinition ?? ''),
      o,
    ),
    shapesOf(ports, backend, described.instances, o),
  ]);
  if (shapes.missing.length > 0) warnings.push(`sizes unknown for instance types ${shapes.missing.join(', ')}: not launched by the plan`);
  const registeredIds = new Set(live.map((ci) => ci.ec2InstanceId));
  const coming = inFlightOf(backend, registeredIds, now);
  const lastScaleOutAt = time(backend.ref.tags[LAST_SCALE_OUT_TAG]);
  // Measured only once nothing asked is still in flight (the whole batch has arrived).
  const ownRegistered = live.filter((ci) => ownInstances.has(ci.ec2InstanceId)).map((ci) => ci.registeredAt);
  const arrivalMs = coming ? undefined : arrivalAfter(ownRegistered, lastScaleOutAt);
  return {
    snapshot: {
      cluster,
      instances,
      services: services.map((v) => serviceOf(v, sizes.get(v.taskDefinition ?? ''), now)),
      backend: { counts: backend.counts, shapes: shapes.shapes },
      inFlight: coming ? [coming] : [],
      recent: { ...(lastScaleOutAt !== undefined ? { lastScaleOutAt } : {}), ...(arrivalMs !== undefined ? { arrivalMs } : {}) },
    },
    containerInstanceArnOf: new Map(live.map((ci) => [ci.ec2InstanceId, ci.containerInstanceArn])),
    taskCountOf: new Map(live.map((ci) => [ci.ec2InstanceId, ci.runningTasksCount + ci.pendingTasksCount])),
    scaleInMarkedAt,
    legacyScaleInTag,
    rebalanceMarks,
    leaving: new Set(backend.instances.filter((b) => b.state === 'leaving').map((b) => b.ec2InstanceId)),
    taskDefinitionOf,
    unregistered: backend.instances.filter((b) => b.state !== 'leaving' && !registeredIds.has(b.ec2InstanceId)).map((b) => b.ec2InstanceId),
    warnings,
  };
}

/**
 * Read the tasks (and their scale-in protection) of the likeliest scale-in candidates: ACTIVE,
 * held by the cluster's backend, agent connected, no do-not-disrupt tag or instance protection, fewest tasks by ECS's counts.
 * Their services' sizes are read too (their tasks would need room elsewhere). Answers the
 * snapshot with those instances' tasks known; the others stay `tasksUnread`.
 */
export async function readCandidates(
  ports: CapacityReadPorts,
  read: ClusterRead,
  o?: CallOptions,
  limit = CANDIDATES_READ,
  /** Standalone tasks of these families (or tagged `ecs-steady:agent=true`) are agents, no bar to scale-in. */
  agentFamilies: readonly string[] = [],
): Promise<CapacitySnapshot> {
  const snap = read.snapshot;
  const count = (i: CapacityInstance) => read.taskCountOf.get(i.ec2InstanceId) ?? 0;
  const candidates = snap.instances
    .filter((i) => i.tasksUnread && i.status === 'ACTIVE' && i.agentConnected && !i.doNotDisrupt && !i.protectedFromScaleIn && !i.notOwned)
    .sort((a, b) => count(a) - count(b) || (a.ec2InstanceId < b.ec2InstanceId ? -1 : 1))
    .slice(0, limit);
  if (candidates.length === 0) return snap;
  const byArn = await tasksOn(
    ports,
    snap.cluster,
    candidates.map((i) => i.containerInstanceArn),
    o,
  );
  // Protection matters only where nothing else rules the instance out: not on one running a batch (non-agent standalone) task.
  const isService = (t: Task) => !!t.group?.startsWith('service:');
  const serviceTasks = [...byArn.values()]
    .filter((ts) => ts.every((t) => isService(t) || isAgentTask(t, agentFamilies)))
    .flat()
    .filter(isService);
  const protectedArns = await ports.protectedTasks(
    snap.cluster,
    serviceTasks.map((t) => t.taskArn ?? ''),
    o,
  );
  const names = new Set(serviceTasks.map((t) => t.group!.slice('service:'.length)));
  const sizes = await ports.taskSizes(
    [...names].map((n) => read.taskDefinitionOf.get(n) ?? ''),
    o,
  );
  const read1 = new Set(candidates.map((i) => i.ec2InstanceId));
  return {
    ...snap,
    services: snap.services.map((v) => {
      const size = names.has(v.name) ? sizes.get(read.taskDefinitionOf.get(v.name) ?? '') : undefined;
      return size
        ? { ...v, task: { cpu: size.cpu, memory: size.memory }, ...(size.hostPorts?.length ? { hostPorts: size.hostPorts } : {}) }
        : v;
    }),
    instances: snap.instances.map((i) => {
      if (!read1.has(i.ec2InstanceId) || byArn.incomplete.has(i.containerInstanceArn)) return i;
      const { tasksUnread: _unread, ...rest } = i;
      return { ...rest, tasks: (byArn.get(i.containerInstanceArn) ?? []).map((t) => taskOf(t, protectedArns, agentFamilies)) };
    }),
  };
}
