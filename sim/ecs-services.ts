import {
  ServiceNotFoundException,
  type DescribeServicesCommandInput,
  type ListServicesCommandInput,
  type Service,
  type UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';
import type { OperationTable, SimulatedAccount } from './account';
import type { SimEcs } from './ecs';
import {
  checkMax,
  ecsPage,
  invalidParameter,
  type ContainerInstanceRecord,
  type ServiceLoadBalancer,
  type ServiceRecord,
  type TaskRecord,
} from './ecs-common';
import { placeableHosts, reconcileDaemon } from './ecs-daemon';
import { fixedHostPorts, taskSize } from './ecs-task-definitions';
import { EcsDeployments, newDeploymentId } from './ecs-deployments';
import { ECS_DESCRIBE_SERVICES, ECS_LIST_SERVICES_DEFAULT_PAGE } from './limits';
import { shortName, uuid } from './util';

export interface CreateServiceOptions {
  cluster: string;
  name: string;
  taskDefinition: string;
  desiredCount: number;
  loadBalancers?: ServiceLoadBalancer[];
  /**
   * Defaults as ECS's for a REPLICA service: 100 and 200.
   * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html
   */
  minimumHealthyPercent?: number;
  maximumPercent?: number;
  /** DAEMON: one task per ACTIVE instance, desiredCount set by the scheduler (sim/ecs-daemon.ts). */
  schedulingStrategy?: 'REPLICA' | 'DAEMON';
}

/**
 * ECS services and a deliberately small scheduler: when a service has fewer tasks running
 * or pending than desired, place replacements on ACTIVE, agent-connected instances with
 * room (spread: fewest tasks of the service first, then most free memory). PENDING for
 * `placementDelayMs`, then RUNNING with its targets registered. No room ⇒ counted as
 * unplaced and retried when capacity frees up or arrives.
 */
export class EcsServices {
  private readonly services = new Map<string, ServiceRecord>();
  readonly deployments: EcsDeployments;

  constructor(
    private readonly account: SimulatedAccount,
    private readonly ecs: SimEcs,
  ) {
    this.deployments = new EcsDeployments(account, ecs);
  }

  operations(): OperationTable {
    return {
      DescribeServices: (input: DescribeServicesCommandInput) => {
        const cluster = this.ecs.cluster(input.cluster).name;
        checkMax(ECS_DESCRIBE_SERVICES, input.services);
        const services: Service[] = [];
        const failures: Array<{ arn: string; reason: string }> = [];
        for (const ref of input.services ?? []) {
          const s = this.services.get(`${cluster}/${shortName(ref)}`);
          if (s) services.push(this.toService(s));
          else
            failures.push({ arn: ref.startsWith('arn:') ? ref : this.account.arn('ecs', `service/${cluster}/${ref}`), reason: 'MISSING' });
        }
        return { services, failures };
      },
      UpdateService: (input: UpdateServiceCommandInput) => {
        const cluster = this.ecs.cluster(input.cluster).name;
        const svc = this.require(cluster, input.service ?? '');
        // Resolved first: an unknown task definition changes nothing (ECS's ClientException).
        const def = input.taskDefinition !== undefined ? this.ecs.taskDefinitions.resolve(input.taskDefinition) : undefined;
        const config = input.deploymentConfiguration;
        if (config?.minimumHealthyPercent !== undefined) svc.minimumHealthyPercent = config.minimumHealthyPercent;
        if (config?.maximumPercent !== undefined) svc.maximumPercent = config.maximumPercent;
        if (input.desiredCount !== undefined) this.setDesiredCount(cluster, svc.name, input.desiredCount);
        if ((def && def.taskDefinitionArn !== svc.taskDefinitionArn) || input.forceNewDeployment)
          this.startDeployment(svc, def?.taskDefinitionArn ?? svc.taskDefinitionArn);
        return { service: this.toService(svc) };
      },
      ListServices: (input: ListServicesCommandInput) => {
        const cluster = this.ecs.cluster(input.cluster).name;
        const arns = [...this.services.values()].filter((s) => s.cluster === cluster).map((s) => s.arn);
        const { items, nextToken } = ecsPage(arns, input, ECS_LIST_SERVICES_DEFAULT_PAGE);
        return { serviceArns: items, nextToken };
      },
    };
  }

  /** A service record only: it places no tasks by itself (seed them with startTask). */
  create(options: CreateServiceOptions): string {
    const cluster = this.ecs.cluster(options.cluster).name;
    const def = this.ecs.taskDefinitions.resolve(options.taskDefinition);
    for (const lb of options.loadBalancers ?? []) this.account.elbv2.targetGroup(lb.targetGroupArn); // must exist
    const record: ServiceRecord = {
      name: options.name,
      arn: this.account.arn('ecs', `service/${cluster}/${options.name}`),
      cluster,
      taskDefinitionArn: def.taskDefinitionArn!,
      desiredCount: options.desiredCount,
      minimumHealthyPercent: options.minimumHealthyPercent ?? 100,
      maximumPercent: options.maximumPercent ?? 200,
      loadBalancers: options.loadBalancers ?? [],
      createdAt: this.account.clock.now(),
      deploymentId: newDeploymentId(this.account),
      events: [],
      unplaced: 0,
      ...(options.schedulingStrategy === 'DAEMON'
        ? { schedulingStrategy: 'DAEMON' as const, desiredCount: 0, minimumHealthyPercent: 0, maximumPercent: 100 }
        : {}),
    };
    this.services.set(`${cluster}/${options.name}`, record);
    if (record.schedulingStrategy === 'DAEMON') this.reconcile(cluster, record.name);
    return record.arn;
  }

  get(cluster: string, name: string): ServiceRecord | undefined {
    return this.services.get(`${cluster}/${shortName(name)}`);
  }

  require(cluster: string, name: string): ServiceRecord {
    const s = this.get(cluster, name);
    if (!s) throw new ServiceNotFoundException({ message: 'Service not found.', $metadata: { httpStatusCode: 400 } });
    return s;
  }

  counts(s: ServiceRecord): { running: number; pending: number } {
    const mine = this.ecs.tasks.all().filter((t) => t.cluster === s.cluster && t.serviceName === s.name && t.desiredStatus === 'RUNNING');
    return {
      running: mine.filter((t) => t.lastStatus === 'RUNNING').length,
      pending: mine.filter((t) => t.lastStatus === 'PENDING').length,
    };
  }

  all(): ServiceRecord[] {
    return [...this.services.values()];
  }

  /** Bring one service back up to its desired count where there is room. */
  reconcile(cluster: string, name: string): void {
    if (!this.ecs.replaceStoppedServiceTasks) return;
    const s = this.get(cluster, name);
    if (!s) return;
    if (s.schedulingStrategy === 'DAEMON') return reconcileDaemon(this.account, this.ecs, s);
    if (this.deployments.inProgress(s)) return this.deployments.step(s);
    const { running, pending } = this.counts(s);
    let missing = s.desiredCount - running - pending;
    while (missing > 0 && this.placeOne(s)) missing -= 1;
    const before = s.unplaced;
    s.unplaced = Math.max(0, missing);
    if (s.unplaced > 0 && s.unplaced !== before) {
      this.event(s, `(service ${s.name}) was unable to place a task because no container instance met all of its requirements.`);
    }
  }

  /**
   * Place one task of the service on the best host with room: PENDING now, RUNNING (targets
   * registered) `placementDelayMs` later. Answers undefined when no instance has room.
   */
  placeOne(s: ServiceRecord, host = this.pickHost(s)): TaskRecord | undefined {
    if (!host) return undefined;
    const t = this.ecs.tasks.start({
      cluster: s.cluster,
      containerInstanceArn: host.arn,
      taskDefinition: s.taskDefinitionArn,
      serviceName: s.name,
      pending: true,
    });
    this.account.at(this.account.clock.now() + this.ecs.placementDelayMs, () => {
      this.ecs.tasks.promote(t);
      this.ecs.draining.stepSoon(s.cluster);
      // A new task RUNNING may be what a rollout waits for (a daemon's, or one with no target to turn healthy).
      if (this.deployments.inProgress(s)) this.reconcile(s.cluster, s.name);
    });
    return t;
  }

  /**
   * A new desired count (UpdateService desiredCount; Application Auto Scaling does the same).
   * More: the scheduler places what fits, the rest is unplaced (with ECS's service event) until
   * room arrives. Fewer: it stops the surplus, from the instances running the most tasks of the
   * service first (the spread it placed them with), newest first, as ServiceSchedulerInitiated.
   */
  setDesiredCount(cluster: string, name: string, desired: number): void {
    const svc = this.require(cluster, name);
    if (!Number.isInteger(desired) || desired < 0) throw invalidParameter('desiredCount must be a non-negative integer.');
    svc.desiredCount = desired;
    // Mid-rollout the deployment keeps the counts within its bounds (surplus new tasks first, then old ones).
    if (this.deployments.inProgress(svc) || svc.schedulingStrategy === 'DAEMON') return this.reconcile(cluster, svc.name);
    const mine = this.ecs.tasks.all().filter((t) => t.cluster === cluster && t.serviceName === svc.name && t.desiredStatus === 'RUNNING');
    let surplus = mine.length - desired;
    if (surplus <= 0) {
      svc.unplaced = 0;
      this.reconcile(cluster, svc.name);
      return;
    }
    svc.unplaced = 0;
    const perHost = new Map<string, number>();
    for (const t of mine) perHost.set(t.containerInstanceArn, (perHost.get(t.containerInstanceArn) ?? 0) + 1);
    const order = [...mine].sort(
      (a, b) => (perHost.get(b.containerInstanceArn) ?? 0) - (perHost.get(a.containerInstanceArn) ?? 0) || b.createdAt - a.createdAt,
    );
    for (const t of order) {
      if (surplus-- <= 0) break;
      perHost.set(t.containerInstanceArn, (perHost.get(t.containerInstanceArn) ?? 1) - 1);
      this.ecs.tasks.stop(t, {
        by: 'ecs',
        reason: `Scaling activity initiated by (deployment ${svc.deploymentId})`,
        stopCode: 'ServiceSchedulerInitiated',
      });
    }
    this.ecs.services.placeStarved(cluster);
  }

  /** Capacity freed up or arrived: try again for every service of the cluster that is short. */
  placeStarved(cluster: string): void {
    // Daemon services first: ECS places their tasks before replica tasks (sim/ecs-daemon.ts).
    const mine = [...this.services.values()].filter((s) => s.cluster === cluster);
    for (const s of mine) if (s.schedulingStrategy === 'DAEMON') this.reconcile(cluster, s.name);
    for (const s of mine) if (s.schedulingStrategy !== 'DAEMON' && s.unplaced > 0) this.reconcile(cluster, s.name);
  }

  /** UpdateService with a new task definition or forceNewDeployment: a new PRIMARY deployment (sim/ecs-deployments.ts). */
  private startDeployment(s: ServiceRecord, taskDefinitionArn: string): void {
    if (s.schedulingStrategy !== 'DAEMON') return this.deployments.start(s, taskDefinitionArn);
    const now = this.account.clock.now();
    const previous = { id: s.deploymentId, taskDefinitionArn: s.taskDefinitionArn, createdAt: s.rollout?.createdAt ?? s.createdAt };
    s.rollout = { state: 'IN_PROGRESS', createdAt: now, updatedAt: now, active: [previous] };
    s.taskDefinitionArn = taskDefinitionArn;
    s.deploymentId = newDeploymentId(this.account);
    this.reconcile(s.cluster, s.name);
  }

  private pickHost(s: ServiceRecord): ContainerInstanceRecord | undefined {
    // One pass over the tasks: what each instance has left, and how many of this service it runs.
    const used = new Map<string, { cpu: number; memory: number; mine: number }>();
    for (const t of this.ecs.tasks.all()) {
      if (t.lastStatus === 'STOPPED') continue;
      const u = used.get(t.containerInstanceArn) ?? { cpu: 0, memory: 0, mine: 0 };
      u.cpu += t.cpu;
      u.memory += t.memory;
      if (t.serviceName === s.name && t.desiredStatus === 'RUNNING') u.mine += 1;
      used.set(t.containerInstanceArn, u);
    }
    const free = (ci: ContainerInstanceRecord) => {
      const u = used.get(ci.arn);
      return { cpu: ci.cpu - (u?.cpu ?? 0), memory: ci.memory - (u?.memory ?? 0), mine: u?.mine ?? 0 };
    };
    // Room and fixed host ports (a port another task holds rules the instance out).
    const def = this.ecs.taskDefinitions.resolve(s.taskDefinitionArn);
    const need = taskSize(def);
    const ports = fixedHostPorts(def);
    return placeableHosts(this.account, this.ecs, s.cluster)
      .map((ci) => ({ ci, f: free(ci) }))
      .filter(({ ci, f }) => f.cpu >= need.cpu && f.memory >= need.memory && ports.every((p) => !ci.usedPorts.has(p)))
      .sort((a, b) => a.f.mine - b.f.mine || b.f.memory - a.f.memory)[0]?.ci;
  }

  /** A service event, newest first (DescribeServices keeps the last 100). */
  event(s: ServiceRecord, message: string): void {
    s.events.unshift({ id: uuid(this.account), createdAt: this.account.clock.now(), message });
    s.events.length = Math.min(s.events.length, 100);
  }

  private toService(s: ServiceRecord): Service {
    const { running, pending } = this.counts(s);
    const counts = { desiredCount: s.desiredCount, runningCount: running, pendingCount: pending };
    return {
      serviceName: s.name,
      serviceArn: s.arn,
      clusterArn: this.ecs.cluster(s.cluster).arn,
      status: 'ACTIVE',
      ...counts,
      taskDefinition: s.taskDefinitionArn,
      launchType: 'EC2',
      schedulingStrategy: s.schedulingStrategy ?? 'REPLICA',
      loadBalancers: s.loadBalancers.map((lb) => ({ ...lb })),
      deployments: this.deployments.describe(s),
      events: s.events.map((e) => ({ id: e.id, createdAt: new Date(e.createdAt), message: e.message })),
      createdAt: new Date(s.createdAt),
      deploymentConfiguration: { maximumPercent: s.maximumPercent, minimumHealthyPercent: s.minimumHealthyPercent },
    };
  }
}
