import type {
  DescribeClustersCommandInput,
  ListClustersCommandInput,
  RegisterTaskDefinitionCommandInput,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { OperationTable, SimService, SimulatedAccount } from './account';
import { clusterNotFound, ecsPage, type ContainerInstanceRecord, type TaskRecord } from './ecs-common';
import { EcsAttributes } from './ecs-attributes';
import { EcsContainerInstances } from './ecs-container-instances';
import { EcsDraining } from './ecs-draining';
import { EcsServices, type CreateServiceOptions } from './ecs-services';
import { TaskDefinitionStore } from './ecs-task-definitions';
import { EcsTagsAndProtection } from './ecs-tags-protection';
import { EcsTasks, type StartTaskOptions } from './ecs-tasks';
import { shortName } from './util';

interface ClusterRecord {
  name: string;
  arn: string;
}

/**
 * ECS on EC2: clusters here; container instances, task definitions, tasks and services (with a
 * simplified scheduler) in their own modules.
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
  readonly containerInstances: EcsContainerInstances;
  readonly tagsAndProtection: EcsTagsAndProtection;
  readonly attributes: EcsAttributes;
  private readonly clusters = new Map<string, ClusterRecord>();

  constructor(readonly account: SimulatedAccount) {
    this.taskDefinitions = new TaskDefinitionStore(account);
    this.tasks = new EcsTasks(account, this);
    this.services = new EcsServices(account, this);
    this.draining = new EcsDraining(account, this);
    this.containerInstances = new EcsContainerInstances(account, this);
    this.tagsAndProtection = new EcsTagsAndProtection(account, this);
    this.attributes = new EcsAttributes(this);
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
      ...this.containerInstances.operations(),
      ...this.tagsAndProtection.operations(),
      ...this.attributes.operations(),
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
    return this.containerInstances.register(options);
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
    this.containerInstances.setAgentConnected(ec2InstanceId, connected);
  }

  /** The EC2 instance was terminated: its container instance goes INACTIVE, its tasks are killed. */
  instanceGone(ec2InstanceId: string, stopCode: string): void {
    this.tasks.killOn(ec2InstanceId, stopCode);
    this.containerInstances.instanceGone(ec2InstanceId);
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
    return this.containerInstances.latestOf(ec2InstanceId);
  }

  // ---- internals shared with tasks and services ---------------------------------------------

  /** The cluster named (or ARN'd) by `ref` — `default` when absent — or ClusterNotFoundException. */
  cluster(ref: string | undefined): ClusterRecord {
    const c = this.clusters.get(shortName(ref ?? 'default'));
    if (!c) throw clusterNotFound();
    return c;
  }

  containerInstancesOf(cluster: string): ContainerInstanceRecord[] {
    return this.containerInstances.of(cluster);
  }

  containerInstance(cluster: string, ref: string): ContainerInstanceRecord | undefined {
    return this.containerInstances.get(cluster, ref);
  }

  containerInstanceByArn(arn: string): ContainerInstanceRecord | undefined {
    return this.containerInstances.byArn(arn);
  }

  /** Registered minus what every task not yet STOPPED reserves. */
  remaining(ci: ContainerInstanceRecord): { cpu: number; memory: number } {
    return this.containerInstances.remaining(ci);
  }
}
