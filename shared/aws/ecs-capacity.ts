import {
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  GetTaskProtectionCommand,
  paginateListServices,
  type ContainerInstance,
  type ECSClient,
  type Resource,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { mapLimit } from '../lambda/concurrency';
import { collect, sendOptions, type CallOptions, type ItemFailure } from './call';
import { chunk, DESCRIBE_CONTAINER_INSTANCES_MAX, ECS_LIST_PAGE_MAX, TASK_PROTECTION_MAX } from './limits';

/** A container instance as capacity planning reads it (DescribeContainerInstances with TAGS). */
export interface ContainerInstanceCapacity {
  containerInstanceArn: string;
  ec2InstanceId: string;
  status: string;
  agentConnected: boolean;
  instanceType: string;
  availabilityZone: string;
  registered: { cpu: number; memory: number };
  remaining: { cpu: number; memory: number };
  runningTasksCount: number;
  pendingTasksCount: number;
  /** Host ports held on it (remainingResources PORTS: the agent's reserved ones and those tasks hold). */
  usedPorts?: number[];
  tags: Record<string, string>;
  /** Custom attributes (PutAttributes), which DescribeContainerInstances always returns; ECS's own `ecs.*` ones are left out. */
  attributes?: Record<string, string>;
  /** When the instance registered with ECS (epoch ms; DescribeContainerInstances' registeredAt). */
  registeredAt?: number;
}

/** A task definition's sizes: task level when set, and per container. */
export interface TaskDefinitionSizes {
  family: string;
  cpu?: number;
  memory?: number;
  containers: Array<{ name: string; cpu?: number; memory?: number; memoryReservation?: number }>;
}

/** DescribeTaskDefinition calls in flight at once when sizes are first read. */
const DESCRIBE_TASK_DEFINITION_CONCURRENCY = 8;

const resource = (rs: Resource[] | undefined, name: string) => rs?.find((r) => r.name === name)?.integerValue ?? 0;
const ports = (rs: Resource[] | undefined) =>
  (rs?.find((r) => r.name === 'PORTS')?.stringSetValue ?? []).map(Number).filter((p) => Number.isInteger(p) && p > 0);

/** What one task of a definition reserves, and the host ports it holds fixed. */
export type TaskShape = { cpu: number; memory: number; hostPorts?: number[] };

/**
 * Host ports a task of this definition holds fixed on its instance, so that a second one cannot
 * go there: bridge mode's non-zero hostPort, host mode's port (hostPort, which is left blank or
 * equals containerPort). awsvpc tasks hold ports on their own ENI; hostPort 0 or none in bridge
 * mode is a dynamic port. https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html
 */
export function hostPortsOf(td: TaskDefinition): number[] {
  const mode = td.networkMode ?? 'bridge';
  if (mode !== 'bridge' && mode !== 'host') return [];
  return (td.containerDefinitions ?? [])
    .flatMap((c) => (c.portMappings ?? []).map((p) => (mode === 'host' ? p.hostPort || p.containerPort || 0 : (p.hostPort ?? 0))))
    .filter((p) => p > 0);
}
const attribute = (ci: ContainerInstance, name: string) => ci.attributes?.find((a) => a.name === name)?.value ?? '';

/** A task definition's sizes as ECS reserves them: task level when set, and per container. */
export function sizesOf(td: TaskDefinition, ref = ''): TaskDefinitionSizes {
  return {
    ...(td.cpu ? { cpu: Number(td.cpu) } : {}),
    ...(td.memory ? { memory: Number(td.memory) } : {}),
    family: td.family ?? ref,
    containers: (td.containerDefinitions ?? []).map((c) => ({
      name: c.name ?? '',
      ...(c.cpu !== undefined ? { cpu: c.cpu } : {}),
      ...(c.memory !== undefined ? { memory: c.memory } : {}),
      ...(c.memoryReservation !== undefined ? { memoryReservation: c.memoryReservation } : {}),
    })),
  };
}

/** RunTask's overrides, as far as what a task reserves goes. */
export interface SizeOverrides {
  cpu?: string | undefined;
  memory?: string | undefined;
  containerOverrides?: Array<{
    name: string;
    cpu?: number | undefined;
    memory?: number | undefined;
    memoryReservation?: number | undefined;
  }>;
}

/**
 * What one task reserves on an EC2 instance (ECS's rule, written once): the task-level size when
 * set (an override's first), else the sum over containers of `cpu` and of `memoryReservation ??
 * memory` — the scheduler reserves the soft limit when one is given; a container without `cpu`
 * reserves none. A container override replaces that container's figures.
 */
export function reservedBy(
  def: Pick<TaskDefinitionSizes, 'cpu' | 'memory' | 'containers'>,
  o?: SizeOverrides,
): { cpu: number; memory: number } {
  const containers = def.containers.map((c) => {
    const x = o?.containerOverrides?.find((y) => y.name === c.name);
    return {
      ...c,
      ...(x?.cpu !== undefined ? { cpu: x.cpu } : {}),
      ...(x?.memory !== undefined ? { memory: x.memory } : {}),
      ...(x?.memoryReservation !== undefined ? { memoryReservation: x.memoryReservation } : {}),
    };
  });
  const cpu = o?.cpu !== undefined ? Number(o.cpu) : (def.cpu ?? containers.reduce((n, c) => n + (c.cpu ?? 0), 0));
  const memory =
    o?.memory !== undefined ? Number(o.memory) : (def.memory ?? containers.reduce((n, c) => n + (c.memoryReservation ?? c.memory ?? 0), 0));
  return { cpu: Number.isFinite(cpu) ? cpu : 0, memory: Number.isFinite(memory) ? memory : 0 };
}

/** What one task of this task definition reserves (no overrides). */
export const reservationOf = (td: TaskDefinition) => reservedBy(sizesOf(td));

/** ECS reads and tags that capacity planning needs beyond the drain's adapters. */
export class EcsCapacityAdapter {
  /** Task definition revisions are immutable: their sizes are cached for the container's life. */
  private readonly sizes = new Map<string, TaskShape>();
  private readonly definitions = new Map<string, TaskDefinitionSizes>();

  constructor(private readonly ecs: ECSClient) {}

  /** DescribeContainerInstances (100 per call, in parallel) with TAGS; per-item failures come back. */
  async describeInstances(
    cluster: string,
    arns: readonly string[],
    o?: CallOptions,
  ): Promise<{ instances: ContainerInstanceCapacity[]; failures: ItemFailure[] }> {
    const parts = await Promise.all(
      chunk(arns, DESCRIBE_CONTAINER_INSTANCES_MAX).map((part) =>
        this.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: part, include: ['TAGS'] }), sendOptions(o)),
      ),
    );
    return {
      instances: parts.flatMap((p) =>
        (p.containerInstances ?? [])
          .filter((ci) => ci.containerInstanceArn && ci.ec2InstanceId)
          .map((ci) => ({
            containerInstanceArn: ci.containerInstanceArn!,
            ec2InstanceId: ci.ec2InstanceId!,
            status: ci.status ?? 'UNKNOWN',
            agentConnected: ci.agentConnected ?? false,
            instanceType: attribute(ci, 'ecs.instance-type'),
            availabilityZone: attribute(ci, 'ecs.availability-zone'),
            registered: { cpu: resource(ci.registeredResources, 'CPU'), memory: resource(ci.registeredResources, 'MEMORY') },
            remaining: { cpu: resource(ci.remainingResources, 'CPU'), memory: resource(ci.remainingResources, 'MEMORY') },
            runningTasksCount: ci.runningTasksCount ?? 0,
            pendingTasksCount: ci.pendingTasksCount ?? 0,
            usedPorts: ports(ci.remainingResources),
            tags: Object.fromEntries((ci.tags ?? []).filter((t) => t.key).map((t) => [t.key!, t.value ?? ''])),
            attributes: customAttributes(ci),
            ...(ci.registeredAt ? { registeredAt: ci.registeredAt.getTime() } : {}),
          })),
      ),
      failures: parts.flatMap((p) => (p.failures ?? []).map((f) => ({ arn: f.arn ?? '?', reason: f.reason ?? f.detail ?? 'unknown' }))),
    };
  }

  /** Every service ARN of a cluster (100 per page). */
  async listServices(cluster: string, o?: CallOptions): Promise<string[]> {
    return collect(
      paginateListServices({ client: this.ecs }, { cluster, maxResults: ECS_LIST_PAGE_MAX }, sendOptions(o)),
      (page) => page.serviceArns,
    );
  }

  /** What one task of each task definition reserves (and its fixed host ports); each revision described once per container. */
  async taskSizes(taskDefinitionArns: readonly string[], o?: CallOptions): Promise<Map<string, TaskShape>> {
    const missing = [...new Set(taskDefinitionArns)].filter((a) => a && !this.sizes.has(a));
    // A cold start may need hundreds: a few at a time, inside ECS's task-definition read rate (a burst of 50, 20 a second).
    await mapLimit(missing, DESCRIBE_TASK_DEFINITION_CONCURRENCY, async (arn) => {
      const out = await this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }), sendOptions(o));
      if (!out.taskDefinition) return;
      const hostPorts = hostPortsOf(out.taskDefinition);
      this.sizes.set(arn, { ...reservationOf(out.taskDefinition), ...(hostPorts.length > 0 ? { hostPorts } : {}) });
    });
    return new Map(taskDefinitionArns.filter((a) => this.sizes.has(a)).map((a) => [a, this.sizes.get(a)!]));
  }

  /**
   * A task definition's sizes, container by container (RunTask overrides apply per container).
   * Cached when the reference pins a revision (`family:3` or a full ARN); a bare family means
   * its latest revision, which can change, so it is described each time.
   */
  async definition(ref: string, o?: CallOptions): Promise<TaskDefinitionSizes> {
    const cached = this.definitions.get(ref);
    if (cached) return cached;
    const out = await this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref }), sendOptions(o));
    const sizes = sizesOf(out.taskDefinition ?? {}, ref);
    if (/:\d+$/.test(ref)) this.definitions.set(ref, sizes);
    return sizes;
  }

  /** Task ARNs with scale-in protection on (10 per call); a task ECS could not answer for counts as protected. */
  async protectedTasks(cluster: string, taskArns: readonly string[], o?: CallOptions): Promise<Set<string>> {
    const parts = await Promise.all(
      chunk(taskArns, TASK_PROTECTION_MAX).map((part) =>
        this.ecs.send(new GetTaskProtectionCommand({ cluster, tasks: part }), sendOptions(o)),
      ),
    );
    // Fail safe: a task ECS could not answer for (other than a standalone one, TASK_NOT_VALID) counts as protected.
    const unknown = parts.flatMap((p) => (p.failures ?? []).filter((f) => f.arn && f.reason !== 'TASK_NOT_VALID').map((f) => f.arn!));
    return new Set([
      ...parts.flatMap((p) => (p.protectedTasks ?? []).filter((t) => t.protectionEnabled && t.taskArn).map((t) => t.taskArn!)),
      ...unknown,
    ]);
  }
}

/** The custom attributes of a container instance (ECS's own start with `ecs.`). */
function customAttributes(ci: ContainerInstance): Record<string, string> {
  return Object.fromEntries(
    (ci.attributes ?? []).filter((a) => a.name && !a.name.startsWith('ecs.') && a.value !== undefined).map((a) => [a.name!, a.value!]),
  );
}
