import type {
  ContainerInstance,
  DescribeContainerInstancesCommandInput,
  ListContainerInstancesCommandInput,
  Resource,
  UpdateContainerInstancesStateCommandInput,
} from '@aws-sdk/client-ecs';
import type { OperationTable, SimulatedAccount } from './account';
import type { SimEcs } from './ecs';
import { checkMax, ecsPage, invalidParameter, type ContainerInstanceRecord, type ContainerInstanceStatus } from './ecs-common';
import { ECS_DESCRIBE_CONTAINER_INSTANCES, ECS_UPDATE_CONTAINER_INSTANCES_STATE } from './limits';
import { hexId } from './util';

/** The cluster query language, only in the form the drain uses: `ec2InstanceId == i-…`. */
const EC2_ID_FILTER = /^\s*ec2InstanceId\s*==\s*([A-Za-z0-9-]+)\s*$/;
/** The cluster query language's `in` operator on ec2InstanceId (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-query-language.html). */
const EC2_ID_IN_FILTER = /^\s*ec2InstanceId\s+in\s*\[([A-Za-z0-9-,\s]*)\]\s*$/;
/** "The expression can have a maximum length of 2000 characters" (documented for placement constraint expressions; assumed for list filters). */
const FILTER_MAX_LENGTH = 2000;
const LISTABLE_STATUSES = new Set(['ACTIVE', 'DRAINING', 'REGISTERING', 'DEREGISTERING', 'REGISTRATION_FAILED']);
/** Ports the ECS agent reserves on every instance (SSH, Docker, the agent itself). */
const RESERVED_PORTS = ['22', '2375', '2376', '51678', '51679'];

/**
 * ECS container instances: registration by the agent, ListContainerInstances,
 * DescribeContainerInstances, UpdateContainerInstancesState (ACTIVE / DRAINING), the agent's
 * connection, and what is left on each instance once its tasks are placed.
 */
export class EcsContainerInstances {
  private readonly instances = new Map<string, ContainerInstanceRecord>();

  constructor(
    private readonly account: SimulatedAccount,
    private readonly ecs: SimEcs,
  ) {}

  operations(): OperationTable {
    return {
      ListContainerInstances: (input: ListContainerInstancesCommandInput) => {
        const cluster = this.ecs.cluster(input.cluster).name;
        // INACTIVE (deregistered) instances cannot be listed at all: the status enum has no such value.
        if (input.status !== undefined && !LISTABLE_STATUSES.has(input.status)) {
          throw invalidParameter(`Invalid container instance status '${input.status}'.`);
        }
        let ec2InstanceIds: Set<string> | undefined;
        if (input.filter !== undefined && input.filter.trim() !== '') {
          if (input.filter.length > FILTER_MAX_LENGTH)
            throw invalidParameter(`filter can have a maximum length of ${FILTER_MAX_LENGTH} characters.`);
          const one = EC2_ID_FILTER.exec(input.filter);
          const many = EC2_ID_IN_FILTER.exec(input.filter);
          if (!one && !many)
            throw invalidParameter(
              `The simulated account supports only the filters 'ec2InstanceId == <id>' and 'ec2InstanceId in [<id>, …]', got '${input.filter}'.`,
            );
          ec2InstanceIds = new Set(
            one
              ? [one[1]!]
              : many![1]!
                  .split(',')
                  .map((x) => x.trim())
                  .filter(Boolean),
          );
        }
        const arns = this.of(cluster)
          .filter((ci) => (input.status ? ci.status === input.status : ci.status !== 'INACTIVE'))
          .filter((ci) => ec2InstanceIds === undefined || ec2InstanceIds.has(ci.ec2InstanceId))
          .map((ci) => ci.arn);
        const { items, nextToken } = ecsPage(arns, input);
        return { containerInstanceArns: items, nextToken };
      },
      DescribeContainerInstances: (input: DescribeContainerInstancesCommandInput) => {
        const cluster = this.ecs.cluster(input.cluster).name;
        checkMax(ECS_DESCRIBE_CONTAINER_INSTANCES, input.containerInstances);
        return this.describe(cluster, input.containerInstances ?? [], () => true, input.include?.includes('TAGS') === true);
      },
      UpdateContainerInstancesState: (input: UpdateContainerInstancesStateCommandInput) => {
        const cluster = this.ecs.cluster(input.cluster).name;
        const refs = input.containerInstances ?? [];
        checkMax(ECS_UPDATE_CONTAINER_INSTANCES_STATE, refs);
        const status = input.status as ContainerInstanceStatus | undefined;
        if (status !== 'ACTIVE' && status !== 'DRAINING') throw invalidParameter('Container instance status must be ACTIVE or DRAINING.');
        for (const ci of refs.map((ref) => this.get(cluster, ref))) if (ci && ci.status !== 'INACTIVE') ci.status = status;
        if (status === 'ACTIVE') this.ecs.services.placeStarved(cluster);
        else this.ecs.draining.step(cluster);
        // INACTIVE (deregistered) instances are reported as MISSING, like unknown ones.
        return this.describe(cluster, refs, (ci) => ci.status !== 'INACTIVE');
      },
    };
  }

  /** The ECS agent on a running EC2 instance registers it (ACTIVE, agent connected). */
  register(options: { cluster: string; ec2InstanceId: string; cpu: number; memory: number }): string {
    const cluster = this.ecs.cluster(options.cluster).name;
    if (this.account.ec2.instance(options.ec2InstanceId)?.state !== 'running') {
      throw new Error(`registerContainerInstance: ${options.ec2InstanceId} is not a running EC2 instance`);
    }
    const existing = this.of(cluster).find((ci) => ci.ec2InstanceId === options.ec2InstanceId && ci.status !== 'INACTIVE');
    if (existing) return existing.arn;
    const arn = this.account.arn('ecs', `container-instance/${cluster}/${hexId(this.account, 32)}`);
    this.instances.set(arn, {
      arn,
      cluster,
      ec2InstanceId: options.ec2InstanceId,
      status: 'ACTIVE',
      agentConnected: true,
      cpu: options.cpu,
      memory: options.memory,
      registeredAt: this.account.clock.now(),
      usedPorts: new Set(),
    });
    this.ecs.services.placeStarved(cluster);
    this.ecs.draining.step(cluster);
    return arn;
  }

  /** Connect or disconnect the ECS agent of an instance (agentHealth scenarios). */
  setAgentConnected(ec2InstanceId: string, connected: boolean): void {
    for (const ci of this.instances.values())
      if (ci.ec2InstanceId === ec2InstanceId && ci.status !== 'INACTIVE') ci.agentConnected = connected;
  }

  /** The EC2 instance was terminated: its container instance goes INACTIVE. */
  instanceGone(ec2InstanceId: string): void {
    for (const ci of this.instances.values()) {
      if (ci.ec2InstanceId !== ec2InstanceId) continue;
      ci.status = 'INACTIVE';
      ci.agentConnected = false;
    }
  }

  /** The instance's live container instance, or its last one. */
  latestOf(ec2InstanceId: string): ContainerInstanceRecord | undefined {
    const all = [...this.instances.values()].filter((ci) => ci.ec2InstanceId === ec2InstanceId);
    return all.find((ci) => ci.status !== 'INACTIVE') ?? all[all.length - 1];
  }

  of(cluster: string): ContainerInstanceRecord[] {
    return [...this.instances.values()].filter((ci) => ci.cluster === cluster);
  }

  get(cluster: string, ref: string): ContainerInstanceRecord | undefined {
    const ci = ref.startsWith('arn:')
      ? this.instances.get(ref)
      : this.instances.get(this.account.arn('ecs', `container-instance/${cluster}/${ref}`));
    return ci?.cluster === cluster ? ci : undefined;
  }

  byArn(arn: string): ContainerInstanceRecord | undefined {
    return this.instances.get(arn);
  }

  /** Registered minus what every task not yet STOPPED reserves. */
  remaining(ci: ContainerInstanceRecord): { cpu: number; memory: number } {
    const live = this.ecs.tasks.all().filter((t) => t.containerInstanceArn === ci.arn && t.lastStatus !== 'STOPPED');
    return { cpu: ci.cpu - live.reduce((s, t) => s + t.cpu, 0), memory: ci.memory - live.reduce((s, t) => s + t.memory, 0) };
  }

  private describe(cluster: string, refs: readonly string[], usable: (ci: ContainerInstanceRecord) => boolean = () => true, tags = false) {
    const containerInstances: ContainerInstance[] = [];
    const failures: Array<{ arn: string; reason: string }> = [];
    for (const ref of refs) {
      const ci = this.get(cluster, ref);
      if (ci && usable(ci)) containerInstances.push(this.toContainerInstance(ci, tags));
      else failures.push({ arn: ref, reason: 'MISSING' });
    }
    return { containerInstances, failures };
  }

  private toContainerInstance(ci: ContainerInstanceRecord, withTags: boolean): ContainerInstance {
    const free = this.remaining(ci);
    const tasks = this.ecs.tasks.all().filter((t) => t.containerInstanceArn === ci.arn);
    const ec2 = this.account.ec2.instance(ci.ec2InstanceId);
    const int = (name: string, integerValue: number): Resource => ({ name, type: 'INTEGER', integerValue, doubleValue: 0, longValue: 0 });
    const ports = (extra: string[]): Resource => ({ name: 'PORTS', type: 'STRINGSET', stringSetValue: [...RESERVED_PORTS, ...extra] });
    return {
      containerInstanceArn: ci.arn,
      ec2InstanceId: ci.ec2InstanceId,
      version: 1,
      versionInfo: { agentVersion: '1.89.0', agentHash: 'sim', dockerVersion: 'DockerVersion: 25.0.8' },
      status: ci.status,
      agentConnected: ci.agentConnected,
      registeredResources: [int('CPU', ci.cpu), int('MEMORY', ci.memory), ports([])],
      remainingResources: [int('CPU', free.cpu), int('MEMORY', free.memory), ports([...ci.usedPorts].map(String))],
      runningTasksCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
      pendingTasksCount: tasks.filter((t) => t.lastStatus === 'PENDING').length,
      attributes: [
        { name: 'ecs.instance-type', value: ec2?.instanceType },
        { name: 'ecs.availability-zone', value: ec2?.az },
        { name: 'ecs.os-type', value: 'linux' },
        // Custom attributes (PutAttributes) are returned beside ECS's own, always (no `include` needed).
        ...[...(ci.attributes ?? new Map<string, string>())].map(([name, value]) => ({ name, value })),
      ],
      registeredAt: new Date(ci.registeredAt),
      attachments: [],
      // "If TAGS is specified, the tags are included in the response. If this field is omitted, tags aren't included."
      ...(withTags ? { tags: [...(ci.tags ?? new Map<string, string>())].map(([key, value]) => ({ key, value })) } : {}),
    };
  }
}
