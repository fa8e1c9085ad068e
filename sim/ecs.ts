import type {
  ContainerInstance,
  DescribeClustersCommandInput,
  DescribeContainerInstancesCommandInput,
  ListClustersCommandInput,
  ListContainerInstancesCommandInput,
  RegisterTaskDefinitionCommandInput,
  Resource,
  TaskDefinition,
  UpdateContainerInstancesStateCommandInput,
} from '@aws-sdk/client-ecs';
import type { OperationTable, SimService, SimulatedAccount } from './account';
import {
  checkMax,
  clusterNotFound,
  ecsPage,
  invalidParameter,
  type ContainerInstanceRecord,
  type ContainerInstanceStatus,
  type TaskRecord,
} from './ecs-common';
import { EcsDraining } from './ecs-draining';
import { EcsServices, type CreateServiceOptions } from './ecs-services';
import { TaskDefinitionStore } from './ecs-task-definitions';
import { EcsTasks, type StartTaskOptions } from './ecs-tasks';
import { ECS_DESCRIBE_CONTAINER_INSTANCES, ECS_UPDATE_CONTAINER_INSTANCES_STATE } from './limits';
import { hexId, shortName } from './util';

interface ClusterRecord {
  name: string;
  arn: string;
}

/** The cluster query language, only in the form the drain uses: `ec2InstanceId == i-…`. */
const EC2_ID_FILTER = /^\s*ec2InstanceId\s*==\s*([A-Za-z0-9-]+)\s*$/;
const LISTABLE_STATUSES = new Set(['ACTIVE', 'DRAINING', 'REGISTERING', 'DEREGISTERING', 'REGISTRATION_FAILED']);
/** Ports the ECS agent reserves on every instance (SSH, Docker, the agent itself). */
const RESERVED_PORTS = ['22', '2375', '2376', '51678', '51679'];

/**
 * ECS on EC2: clusters and container instances here; task definitions, tasks and services
 * (with a simplified scheduler) in their own modules.
 */
export class SimEcs implements SimService {
  /** The service scheduler replaces stopped service tasks where there is room. */
  replaceStoppedServiceTasks = true;
  /** StopTask → STOPPED after this long (simulated). */
  stopDelayMs = 1_000;
  /** A task placed by the scheduler is PENDING this long before RUNNING. */
  placementDelayMs = 5_000;
  /** ECS replaces and then stops a DRAINING instance's service tasks, as on AWS (sim/ecs-draining.ts). Off: only callers act. */
  drainingReplacesServiceTasks = true;

  readonly taskDefinitions: TaskDefinitionStore;
  readonly tasks: EcsTasks;
  readonly services: EcsServices;
  readonly draining: EcsDraining;
  private readonly clusters = new Map<string, ClusterRecord>();
  private readonly instances = new Map<string, ContainerInstanceRecord>();

  constructor(readonly account: SimulatedAccount) {
    this.taskDefinitions = new TaskDefinitionStore(account);
    this.tasks = new EcsTasks(account, this);
    this.services = new EcsServices(account, this);
    this.draining = new EcsDraining(account, this);
  }

  operations(): OperationTable {
    return {
      ...this.taskDefinitions.operations(),
      ...this.tasks.operations(),
      ...this.services.operations(),
      ListClusters: (input: ListClustersCommandInput) => {
        const { items, nextToken } = ecsPage(
          [...this.clusters.values()].map((c) => c.arn),
          input,
        );
        return { clusterArns: items, nextToken };
      },
      DescribeClusters: (input: DescribeClustersCommandInput) => {
        const refs = input.clusters && input.clusters.length > 0 ? input.clusters : ['default'];
        const clusters = [];
        const failures = [];
        for (const ref of refs) {
          const c = this.clusters.get(shortName(ref));
          if (!c) {
            failures.push({ arn: ref.startsWith('arn:') ? ref : this.account.arn('ecs', `cluster/${ref}`), reason: 'MISSING' });
            continue;
          }
          const live = this.tasks.all().filter((t) => t.cluster === c.name && t.lastStatus !== 'STOPPED');
          clusters.push({
            clusterArn: c.arn,
            clusterName: c.name,
            status: 'ACTIVE',
            registeredContainerInstancesCount: this.containerInstancesOf(c.name).filter((ci) => ci.status !== 'INACTIVE').length,
            runningTasksCount: live.filter((t) => t.lastStatus === 'RUNNING').length,
            pendingTasksCount: live.filter((t) => t.lastStatus === 'PENDING').length,
            activeServicesCount: this.services.all().filter((s) => s.cluster === c.name).length,
          });
        }
        return { clusters, failures };
      },
      ListContainerInstances: (input: ListContainerInstancesCommandInput) => {
        const cluster = this.cluster(input.cluster).name;
        // INACTIVE (deregistered) instances cannot be listed at all: the status enum has no such value.
        if (input.status !== undefined && !LISTABLE_STATUSES.has(input.status)) {
          throw invalidParameter(`Invalid container instance status '${input.status}'.`);
        }
        let ec2InstanceId: string | undefined;
        if (input.filter !== undefined && input.filter.trim() !== '') {
          const m = EC2_ID_FILTER.exec(input.filter);
          if (!m) throw invalidParameter(`The simulated account supports only the filter 'ec2InstanceId == <id>', got '${input.filter}'.`);
          ec2InstanceId = m[1];
        }
        const arns = this.containerInstancesOf(cluster)
          .filter((ci) => (input.status ? ci.status === input.status : ci.status !== 'INACTIVE'))
          .filter((ci) => ec2InstanceId === undefined || ci.ec2InstanceId === ec2InstanceId)
          .map((ci) => ci.arn);
        const { items, nextToken } = ecsPage(arns, input);
        return { containerInstanceArns: items, nextToken };
      },
      DescribeContainerInstances: (input: DescribeContainerInstancesCommandInput) => {
        const cluster = this.cluster(input.cluster).name;
        checkMax(ECS_DESCRIBE_CONTAINER_INSTANCES, input.containerInstances);
        return this.describe(cluster, input.containerInstances ?? []);
      },
      UpdateContainerInstancesState: (input: UpdateContainerInstancesStateCommandInput) => {
        const cluster = this.cluster(input.cluster).name;
        const refs = input.containerInstances ?? [];
        checkMax(ECS_UPDATE_CONTAINER_INSTANCES_STATE, refs);
        const status = input.status as ContainerInstanceStatus | undefined;
        if (status !== 'ACTIVE' && status !== 'DRAINING') throw invalidParameter('Container instance status must be ACTIVE or DRAINING.');
        for (const ci of refs.map((ref) => this.containerInstance(cluster, ref))) if (ci && ci.status !== 'INACTIVE') ci.status = status;
        if (status === 'ACTIVE') this.services.placeStarved(cluster);
        else this.draining.step(cluster);
        // INACTIVE (deregistered) instances are reported as MISSING, like unknown ones.
        return this.describe(cluster, refs, (ci) => ci.status !== 'INACTIVE');
      },
    };
  }

  // ---- seeding --------------------------------------------------------------------------

  /** Create a cluster (idempotent, like CreateCluster); answers its ARN. */
  createCluster(name: string): string {
    let c = this.clusters.get(name);
    if (!c) {
      c = { name, arn: this.account.arn('ecs', `cluster/${name}`) };
      this.clusters.set(name, c);
    }
    return c.arn;
  }

  /** The ECS agent on a running EC2 instance registers it (ACTIVE, agent connected). */
  registerContainerInstance(options: { cluster: string; ec2InstanceId: string; cpu: number; memory: number }): string {
    const cluster = this.cluster(options.cluster).name;
    if (this.account.ec2.instance(options.ec2InstanceId)?.state !== 'running') {
      throw new Error(`registerContainerInstance: ${options.ec2InstanceId} is not a running EC2 instance`);
    }
    const existing = this.containerInstancesOf(cluster).find(
      (ci) => ci.ec2InstanceId === options.ec2InstanceId && ci.status !== 'INACTIVE',
    );
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
    this.services.placeStarved(cluster);
    this.draining.step(cluster);
    return arn;
  }

  /** Same input as RegisterTaskDefinition; answers the registered revision. */
  registerTaskDefinition(input: RegisterTaskDefinitionCommandInput): TaskDefinition {
    return this.taskDefinitions.register(input);
  }

  createService(options: CreateServiceOptions): string {
    return this.services.create(options);
  }

  /** A task RUNNING at once (bridge: dynamic host ports; awsvpc: an ENI); service targets `healthy`. */
  startTask(options: StartTaskOptions): string {
    return this.tasks.start(options).arn;
  }

  /** Connect or disconnect the ECS agent of an instance (agentHealth scenarios). */
  setAgentConnected(ec2InstanceId: string, connected: boolean): void {
    for (const ci of this.instances.values())
      if (ci.ec2InstanceId === ec2InstanceId && ci.status !== 'INACTIVE') ci.agentConnected = connected;
  }

  /** The EC2 instance was terminated: its container instance goes INACTIVE, its tasks are killed. */
  instanceGone(ec2InstanceId: string, stopCode: string): void {
    this.tasks.killOn(ec2InstanceId, stopCode);
    for (const ci of this.instances.values()) {
      if (ci.ec2InstanceId !== ec2InstanceId) continue;
      ci.status = 'INACTIVE';
      ci.agentConnected = false;
    }
  }

  // ---- observing ------------------------------------------------------------------------

  task(arn: string): TaskRecord | undefined {
    const t = this.tasks.get(arn);
    return t && structuredClone(t);
  }

  tasksOn(ec2InstanceId: string): TaskRecord[] {
    return this.tasks
      .all()
      .filter((t) => t.ec2InstanceId === ec2InstanceId)
      .map((t) => structuredClone(t));
  }

  /** Tasks that were still running when their instance was terminated. */
  killedByTermination(): TaskRecord[] {
    return this.tasks
      .all()
      .filter((t) => t.killedByTermination)
      .map((t) => structuredClone(t));
  }

  /** How many tasks of the service the scheduler could not place for lack of room. */
  unplaced(serviceName: string, cluster?: string): number {
    return this.services
      .all()
      .filter((s) => s.name === serviceName && (!cluster || s.cluster === shortName(cluster)))
      .reduce((n, s) => n + s.unplaced, 0);
  }

  containerInstanceRecord(ec2InstanceId: string): ContainerInstanceRecord | undefined {
    const all = [...this.instances.values()].filter((ci) => ci.ec2InstanceId === ec2InstanceId);
    return all.find((ci) => ci.status !== 'INACTIVE') ?? all[all.length - 1];
  }

  // ---- internals shared with tasks and services ---------------------------------------------

  /** The cluster named (or ARN'd) by `ref` — `default` when absent — or ClusterNotFoundException. */
  cluster(ref: string | undefined): ClusterRecord {
    const c = this.clusters.get(shortName(ref ?? 'default'));
    if (!c) throw clusterNotFound();
    return c;
  }

  containerInstancesOf(cluster: string): ContainerInstanceRecord[] {
    return [...this.instances.values()].filter((ci) => ci.cluster === cluster);
  }

  containerInstance(cluster: string, ref: string): ContainerInstanceRecord | undefined {
    const ci = ref.startsWith('arn:')
      ? this.instances.get(ref)
      : this.instances.get(this.account.arn('ecs', `container-instance/${cluster}/${ref}`));
    return ci?.cluster === cluster ? ci : undefined;
  }

  containerInstanceByArn(arn: string): ContainerInstanceRecord | undefined {
    return this.instances.get(arn);
  }

  /** Registered minus what every task not yet STOPPED reserves. */
  remaining(ci: ContainerInstanceRecord): { cpu: number; memory: number } {
    const live = this.tasks.all().filter((t) => t.containerInstanceArn === ci.arn && t.lastStatus !== 'STOPPED');
    return { cpu: ci.cpu - live.reduce((s, t) => s + t.cpu, 0), memory: ci.memory - live.reduce((s, t) => s + t.memory, 0) };
  }

  private describe(cluster: string, refs: readonly string[], usable: (ci: ContainerInstanceRecord) => boolean = () => true) {
    const containerInstances: ContainerInstance[] = [];
    const failures: Array<{ arn: string; reason: string }> = [];
    for (const ref of refs) {
      const ci = this.containerInstance(cluster, ref);
      if (ci && usable(ci)) containerInstances.push(this.toContainerInstance(ci));
      else failures.push({ arn: ref, reason: 'MISSING' });
    }
    return { containerInstances, failures };
  }

  private toContainerInstance(ci: ContainerInstanceRecord): ContainerInstance {
    const free = this.remaining(ci);
    const tasks = this.tasks.all().filter((t) => t.containerInstanceArn === ci.arn);
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
      ],
      registeredAt: new Date(ci.registeredAt),
      attachments: [],
      tags: [],
    };
  }
}
