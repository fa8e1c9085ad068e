import type { DescribeTasksCommandInput, ListTasksCommandInput, StopTaskCommandInput, Task } from '@aws-sdk/client-ecs';
import type { OperationTable, SimulatedAccount } from './account';
import type { SimEcs } from './ecs';
import { checkMax, ecsPage, invalidParameter, type StoppedBy, type TaskRecord } from './ecs-common';
import { fixedHostPorts, taskSize } from './ecs-task-definitions';
import { ECS_DESCRIBE_TASKS } from './limits';
import { hexId, shortName } from './util';

export interface StartTaskOptions {
  cluster: string;
  containerInstanceArn: string;
  taskDefinition: string;
  serviceName?: string;
  group?: string;
  startedBy?: string;
  overrides?: unknown;
  /** Task tags (RunTask/StartTask `tags`); DescribeTasks shows them with include TAGS. */
  tags?: Record<string, string>;
}

/** The first port of the dynamic host port range on Linux ECS instances. */
const DYNAMIC_PORT_START = 32768;

/** ECS tasks on EC2: start (seeding and scheduler), StopTask, ListTasks, DescribeTasks, and host loss. */
export class EcsTasks {
  private readonly tasks = new Map<string, TaskRecord>();

  constructor(
    private readonly account: SimulatedAccount,
    private readonly ecs: SimEcs,
  ) {}

  operations(): OperationTable {
    return {
      ListTasks: (input: ListTasksCommandInput) => {
        const cluster = this.ecs.cluster(input.cluster).name;
        if (input.serviceName !== undefined) this.ecs.services.require(cluster, input.serviceName);
        const desired = input.desiredStatus ?? 'RUNNING';
        const ci = input.containerInstance;
        const arns = this.all()
          .filter((t) => t.cluster === cluster && t.desiredStatus === desired)
          .filter((t) => !ci || t.containerInstanceArn === ci || shortName(t.containerInstanceArn) === ci)
          .filter((t) => !input.serviceName || t.serviceName === shortName(input.serviceName))
          .filter((t) => !input.family || t.family === input.family)
          .filter((t) => !input.startedBy || t.startedBy === input.startedBy)
          .map((t) => t.arn);
        const { items, nextToken } = ecsPage(arns, input);
        return { taskArns: items, nextToken };
      },
      DescribeTasks: (input: DescribeTasksCommandInput) => {
        const cluster = this.ecs.cluster(input.cluster).name;
        checkMax(ECS_DESCRIBE_TASKS, input.tasks);
        const tasks: Task[] = [];
        const failures: Array<{ arn: string; reason: string }> = [];
        for (const ref of input.tasks ?? []) {
          const t = this.find(cluster, ref);
          // "If TAGS is specified, the tags are included in the response." (DescribeTasks, include)
          if (t) tasks.push({ ...this.toTask(t), ...(input.include?.includes('TAGS') ? { tags: tagList(t.tags) } : {}) });
          else failures.push({ arn: ref, reason: 'MISSING' });
        }
        return { tasks, failures };
      },
      StopTask: (input: StopTaskCommandInput) => {
        const cluster = this.ecs.cluster(input.cluster).name;
        const t = this.find(cluster, input.task ?? '');
        if (!t) throw invalidParameter('The referenced task was not found.');
        this.stop(t, { by: 'api', reason: input.reason ?? 'Task stopped by user', stopCode: 'UserInitiated' });
        return { task: this.toTask(t) };
      },
    };
  }

  /**
   * Put a task on a container instance. Seeding starts it RUNNING (targets `healthy` at
   * once); the scheduler starts it PENDING (`pending: true`) and promotes it later.
   */
  start(options: StartTaskOptions & { pending?: boolean }): TaskRecord {
    const cluster = this.ecs.cluster(options.cluster).name;
    const ci = this.ecs.containerInstance(cluster, options.containerInstanceArn);
    if (!ci || ci.status === 'INACTIVE')
      throw new Error(`startTask: no usable container instance ${options.containerInstanceArn} in ${cluster}`);
    const def = this.ecs.taskDefinitions.resolve(options.taskDefinition);
    const size = taskSize(def);
    const free = this.ecs.remaining(ci);
    if (free.cpu < size.cpu || free.memory < size.memory) {
      throw new Error(
        `startTask: ${ci.ec2InstanceId} has ${free.cpu} CPU / ${free.memory} MiB left, ${def.family} needs ${size.cpu} / ${size.memory}`,
      );
    }
    const taken = fixedHostPorts(def).filter((p) => ci.usedPorts.has(p));
    if (taken.length > 0)
      throw new Error(`startTask: ${ci.ec2InstanceId} already uses host port ${taken.join(', ')}, which ${def.family} needs`);
    const service = options.serviceName ? this.ecs.services.require(cluster, options.serviceName) : undefined;
    const networkMode = def.networkMode ?? 'bridge';
    const host = this.account.ec2.instance(ci.ec2InstanceId);
    const now = this.account.clock.now();
    const id = hexId(this.account, 32);
    const record: TaskRecord = {
      arn: this.account.arn('ecs', `task/${cluster}/${id}`),
      cluster,
      containerInstanceArn: ci.arn,
      ec2InstanceId: ci.ec2InstanceId,
      taskDefinitionArn: def.taskDefinitionArn!,
      family: def.family!,
      networkMode,
      group: service ? `service:${service.name}` : (options.group ?? `family:${def.family}`),
      serviceName: service?.name,
      startedBy: options.startedBy ?? service?.deploymentId,
      overrides: options.overrides,
      ...(options.tags ? { tags: { ...options.tags } } : {}),
      lastStatus: options.pending ? 'PENDING' : 'RUNNING',
      desiredStatus: 'RUNNING',
      cpu: size.cpu,
      memory: size.memory,
      createdAt: now,
      ...(options.pending ? {} : { startedAt: now }),
      containers: (def.containerDefinitions ?? []).map((c) => ({
        name: c.name ?? '',
        bindings:
          networkMode === 'awsvpc' || networkMode === 'none'
            ? []
            : (c.portMappings ?? []).map((p) => ({
                containerPort: p.containerPort ?? 0,
                hostPort: networkMode === 'host' ? (p.containerPort ?? 0) : p.hostPort ? p.hostPort : this.dynamicPort(ci.usedPorts),
              })),
      })),
      ...(networkMode === 'awsvpc'
        ? {
            eni: { id: `eni-0${hexId(this.account, 16)}`, privateIp: this.account.ec2.allocatePrivateIp(), subnetId: host?.subnetId ?? '' },
          }
        : {}),
      targets: [],
    };
    for (const c of record.containers) for (const b of c.bindings) ci.usedPorts.add(b.hostPort);
    this.tasks.set(record.arn, record);
    if (!options.pending) this.registerTargets(record, true);
    return record;
  }

  /** PENDING → RUNNING (scheduler); targets go `initial`, then `healthy`. */
  promote(t: TaskRecord): void {
    if (t.lastStatus !== 'PENDING' || t.desiredStatus !== 'RUNNING') return;
    t.lastStatus = 'RUNNING';
    t.startedAt = this.account.clock.now();
    this.registerTargets(t, false);
  }

  /**
   * Ask a task to stop (idempotent). ECS deregisters a service task's targets itself, then
   * the task is STOPPED `stopDelayMs` later and its resources are free again.
   */
  stop(t: TaskRecord, why: { by: StoppedBy; reason: string; stopCode: string }): void {
    if (t.desiredStatus === 'STOPPED') return;
    const now = this.account.clock.now();
    t.desiredStatus = 'STOPPED';
    t.stopRequestedAt = now;
    t.stoppingAt = now;
    t.stoppedReason = why.reason;
    t.stopCode = why.stopCode;
    t.stoppedBy = why.by;
    for (const target of t.targets) this.account.elbv2.deregisterTarget(target.targetGroupArn, target, 'ecs');
    this.account.at(now + this.ecs.stopDelayMs, () => this.finish(t, now + this.ecs.stopDelayMs));
    if (t.serviceName) this.ecs.services.reconcile(t.cluster, t.serviceName);
  }

  /** The host went away: whatever has not stopped is killed now, its targets leave their groups. */
  killOn(ec2InstanceId: string, stopCode: string): void {
    const killed = this.all().filter((t) => t.ec2InstanceId === ec2InstanceId && t.lastStatus !== 'STOPPED');
    const now = this.account.clock.now();
    for (const t of killed) {
      t.killedByTermination = true;
      if (t.desiredStatus !== 'STOPPED') {
        t.desiredStatus = 'STOPPED';
        t.stopRequestedAt = now;
        t.stoppingAt = now;
        t.stoppedBy = 'termination';
        t.stopCode = stopCode;
        t.stoppedReason = `Host EC2 (instance ${ec2InstanceId}) terminated.`;
      }
      for (const target of t.targets) this.account.elbv2.removeTarget(target.targetGroupArn, target, 'termination');
      this.finish(t, now);
    }
    for (const service of new Set(killed.map((t) => `${t.cluster}\u0000${t.serviceName ?? ''}`))) {
      const [cluster, name] = service.split('\u0000') as [string, string];
      if (name) this.ecs.services.reconcile(cluster, name);
    }
  }

  get(arn: string): TaskRecord | undefined {
    return this.tasks.get(arn);
  }

  all(): TaskRecord[] {
    return [...this.tasks.values()];
  }

  /** A task of `cluster` by ARN or id. */
  find(cluster: string, ref: string): TaskRecord | undefined {
    const t = ref.startsWith('arn:') ? this.tasks.get(ref) : this.tasks.get(this.account.arn('ecs', `task/${cluster}/${ref}`));
    return t?.cluster === cluster ? t : undefined;
  }

  toTask(t: TaskRecord): Task {
    const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));
    const ec2 = this.account.ec2.instance(t.ec2InstanceId);
    return {
      taskArn: t.arn,
      clusterArn: this.ecs.cluster(t.cluster).arn,
      containerInstanceArn: t.containerInstanceArn,
      taskDefinitionArn: t.taskDefinitionArn,
      group: t.group,
      startedBy: t.startedBy,
      overrides: (t.overrides as Task['overrides']) ?? { containerOverrides: [], inferenceAcceleratorOverrides: [] },
      lastStatus: t.lastStatus,
      desiredStatus: t.desiredStatus,
      cpu: String(t.cpu),
      memory: String(t.memory),
      createdAt: date(t.createdAt),
      startedAt: date(t.startedAt),
      stoppingAt: date(t.stoppingAt),
      stoppedAt: date(t.stoppedAt),
      stoppedReason: t.stoppedReason,
      stopCode: t.stopCode as Task['stopCode'],
      launchType: 'EC2',
      availabilityZone: ec2?.az,
      connectivity: 'CONNECTED',
      healthStatus: 'UNKNOWN',
      version: t.lastStatus === 'STOPPED' ? 3 : t.lastStatus === 'RUNNING' ? 2 : 1,
      containers: t.containers.map((c) => ({
        containerArn: this.account.arn('ecs', `container/${t.cluster}/${shortName(t.arn)}/${c.name}`),
        taskArn: t.arn,
        name: c.name,
        lastStatus: t.lastStatus,
        networkBindings: c.bindings.map((b) => ({
          bindIP: '0.0.0.0',
          containerPort: b.containerPort,
          hostPort: b.hostPort,
          protocol: 'tcp',
        })),
        networkInterfaces: t.eni ? [{ attachmentId: `${shortName(t.arn)}-eni`, privateIpv4Address: t.eni.privateIp }] : [],
      })),
      attachments: t.eni
        ? [
            {
              id: `${shortName(t.arn)}-eni`,
              type: 'ElasticNetworkInterface',
              status: t.lastStatus === 'STOPPED' ? 'DELETED' : 'ATTACHED',
              details: [
                { name: 'subnetId', value: t.eni.subnetId },
                { name: 'networkInterfaceId', value: t.eni.id },
                { name: 'privateIPv4Address', value: t.eni.privateIp },
              ],
            },
          ]
        : [],
    };
  }

  private finish(t: TaskRecord, at: number): void {
    if (t.lastStatus === 'STOPPED') return;
    t.lastStatus = 'STOPPED';
    t.stoppedAt = at;
    const ci = this.ecs.containerInstanceByArn(t.containerInstanceArn);
    for (const c of t.containers) for (const b of c.bindings) ci?.usedPorts.delete(b.hostPort);
    this.ecs.services.placeStarved(t.cluster);
    this.ecs.draining.stepSoon(t.cluster);
  }

  private registerTargets(t: TaskRecord, healthy: boolean): void {
    if (!t.serviceName) return;
    const service = this.ecs.services.require(t.cluster, t.serviceName);
    for (const lb of service.loadBalancers) {
      const tg = this.account.elbv2.targetGroup(lb.targetGroupArn);
      const binding = t.containers.find((c) => c.name === lb.containerName)?.bindings.find((b) => b.containerPort === lb.containerPort);
      const target =
        tg.targetType === 'ip'
          ? t.eni && { id: t.eni.privateIp, port: lb.containerPort }
          : binding && { id: t.ec2InstanceId, port: binding.hostPort };
      if (!target) throw new Error(`${t.family}: no ${tg.targetType} target for ${lb.containerName}:${lb.containerPort}`);
      this.account.elbv2.registerTarget(lb.targetGroupArn, target, { by: 'ecs', healthy });
      t.targets.push({ targetGroupArn: lb.targetGroupArn, ...target });
    }
  }

  private dynamicPort(used: Set<number>): number {
    let port = DYNAMIC_PORT_START;
    while (used.has(port)) port += 1;
    used.add(port);
    return port;
  }
}

const tagList = (tags: Record<string, string> | undefined) => Object.entries(tags ?? {}).map(([key, value]) => ({ key, value }));
