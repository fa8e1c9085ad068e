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
import { reconcileDaemon } from './ecs-daemon';
import { taskSize } from './ecs-task-definitions';
import { ECS_DESCRIBE_SERVICES, ECS_LIST_SERVICES_DEFAULT_PAGE } from './limits';
import { hexId, shortName, uuid } from './util';

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

  constructor(
    private readonly account: SimulatedAccount,
    private readonly ecs: SimEcs,
  ) {}

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
        if (input.desiredCount !== undefined) this.setDesiredCount(cluster, svc.name, input.desiredCount);
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
      deploymentId: `ecs-svc/${BigInt(`0x${hexId(this.account, 15)}`)
        .toString()
        .padStart(19, '0')
        .slice(0, 19)}`,
      events: [],
      unplaced: 0,
    };
    this.services.set(`${cluster}/${options.name}`, record);
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
  placeOne(s: ServiceRecord): TaskRecord | undefined {
    const host = this.pickHost(s);
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
    for (const s of this.services.values())
      if (s.cluster === cluster && (s.unplaced > 0 || s.schedulingStrategy === 'DAEMON')) this.reconcile(cluster, s.name);
  }

  private pickHost(s: ServiceRecord): ContainerInstanceRecord | undefined {
    const need = taskSize(this.ecs.taskDefinitions.resolve(s.taskDefinitionArn));
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
    return this.ecs
      .containerInstancesOf(s.cluster)
      .filter((ci) => ci.status === 'ACTIVE' && ci.agentConnected && this.account.ec2.instance(ci.ec2InstanceId)?.state === 'running')
      .map((ci) => ({ ci, f: free(ci) }))
      .filter(({ f }) => f.cpu >= need.cpu && f.memory >= need.memory)
      .sort((a, b) => a.f.mine - b.f.mine || b.f.memory - a.f.memory)[0]?.ci;
  }

  private event(s: ServiceRecord, message: string): void {
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
      deployments: [
        {
          id: s.deploymentId,
          status: 'PRIMARY',
          taskDefinition: s.taskDefinitionArn,
          ...counts,
          failedTasks: 0,
          launchType: 'EC2',
          rolloutState: 'COMPLETED',
          createdAt: new Date(s.createdAt),
          updatedAt: new Date(s.createdAt),
        },
      ],
      events: s.events.map((e) => ({ id: e.id, createdAt: new Date(e.createdAt), message: e.message })),
      createdAt: new Date(s.createdAt),
      deploymentConfiguration: { maximumPercent: s.maximumPercent, minimumHealthyPercent: s.minimumHealthyPercent },
    };
  }
}
