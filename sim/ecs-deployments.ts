import type { Deployment } from '@aws-sdk/client-ecs';
import type { SimulatedAccount } from './account';
import type { SimEcs } from './ecs';
import { onTargetHealthChanges, type ServiceRecord, type TaskRecord } from './ecs-common';
import { hexId } from './util';

/** An ECS deployment id as DescribeServices shows it (`ecs-svc/` and 19 digits); ECS puts it in its tasks' startedBy. */
export function newDeploymentId(account: SimulatedAccount): string {
  return `ecs-svc/${BigInt(`0x${hexId(account, 15)}`)
    .toString()
    .padStart(19, '0')
    .slice(0, 19)}`;
}

/**
 * Rolling deployments (the ECS deployment controller), from the DeploymentConfiguration reference
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html)
 * and the rolling update guide
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html):
 * - UpdateService with a new task definition (or forceNewDeployment) makes a new PRIMARY
 *   deployment, rolloutState IN_PROGRESS; the one before becomes ACTIVE while its tasks run;
 * - maximumPercent is "an upper limit on the number of your service's tasks that are allowed in
 *   the RUNNING or PENDING state during a deployment, as a percentage of the desiredCount
 *   (rounded down)": new tasks start while the total stays within it;
 * - minimumHealthyPercent is the lower limit of tasks that must stay RUNNING (rounded up): an old
 *   task is stopped only while the healthy ones stay at or above it. A task is healthy when
 *   RUNNING and every load-balancer target it has is healthy;
 * - new tasks that find no room stay unplaced (the service event) and the deployment stays
 *   IN_PROGRESS until room arrives; once desiredCount new tasks run and no old one is left the
 *   rollout is COMPLETED and the ACTIVE deployments leave the list.
 * Simplifications: no circuit breaker, no 40-second grace before a task without health checks
 * counts as healthy, and old tasks stop at once (ECS deregisters their targets itself, as StopTask does).
 */
export class EcsDeployments {
  private listening = false;
  private readonly stepping = new Set<ServiceRecord>();
  private readonly again = new Set<ServiceRecord>();

  constructor(
    private readonly account: SimulatedAccount,
    private readonly ecs: SimEcs,
  ) {}

  inProgress(s: ServiceRecord): boolean {
    return s.rollout?.state === 'IN_PROGRESS';
  }

  /** A new PRIMARY deployment of `taskDefinitionArn`; the current one becomes ACTIVE. */
  start(s: ServiceRecord, taskDefinitionArn: string): void {
    const now = this.account.clock.now();
    const previous = { id: s.deploymentId, taskDefinitionArn: s.taskDefinitionArn, createdAt: s.rollout?.createdAt ?? s.createdAt };
    s.rollout = { state: 'IN_PROGRESS', createdAt: now, updatedAt: now, active: [previous, ...(s.rollout?.active ?? [])] };
    s.taskDefinitionArn = taskDefinitionArn;
    s.deploymentId = newDeploymentId(this.account);
    s.unplaced = 0;
    this.listen();
    this.step(s);
  }

  /**
   * One pass of the rollout: surplus new tasks stop (desiredCount lowered meanwhile), new tasks
   * start within maximumPercent, old ones stop within minimumHealthyPercent, new ones start again
   * in the room that freed; COMPLETED once only new tasks run, all of them RUNNING. Re-entrant
   * calls (a stop re-evaluates the service) run once more after this pass instead of inside it.
   */
  step(s: ServiceRecord): void {
    if (!this.inProgress(s)) return;
    if (this.stepping.has(s)) {
      this.again.add(s);
      return;
    }
    this.stepping.add(s);
    try {
      do {
        this.again.delete(s);
        this.pass(s);
      } while (this.again.has(s) && this.inProgress(s));
    } finally {
      this.stepping.delete(s);
    }
  }

  /** DescribeServices' `deployments`: the PRIMARY with its rollout, then each ACTIVE one with the tasks it still has. */
  describe(s: ServiceRecord): Deployment[] {
    const live = this.live(s);
    const counts = (id: string) => {
      const mine = live.filter((t) => t.startedBy === id);
      return {
        runningCount: mine.filter((t) => t.lastStatus === 'RUNNING').length,
        pendingCount: mine.filter((t) => t.lastStatus === 'PENDING').length,
      };
    };
    const r = s.rollout;
    const primary: Deployment = {
      id: s.deploymentId,
      status: 'PRIMARY',
      taskDefinition: s.taskDefinitionArn,
      desiredCount: s.desiredCount,
      ...(r
        ? counts(s.deploymentId)
        : {
            runningCount: live.filter((t) => t.lastStatus === 'RUNNING').length,
            pendingCount: live.filter((t) => t.lastStatus === 'PENDING').length,
          }),
      failedTasks: 0,
      launchType: 'EC2',
      rolloutState: r?.state ?? 'COMPLETED',
      rolloutStateReason:
        r?.state === 'IN_PROGRESS' ? 'ECS deployment ' + s.deploymentId + ' in progress.' : `ECS deployment ${s.deploymentId} completed.`,
      createdAt: new Date(r?.createdAt ?? s.createdAt),
      updatedAt: new Date(r?.updatedAt ?? s.createdAt),
    };
    const active = (r?.active ?? []).map((a): Deployment => ({
      id: a.id,
      status: 'ACTIVE',
      taskDefinition: a.taskDefinitionArn,
      desiredCount: live.filter((t) => t.startedBy === a.id).length,
      ...counts(a.id),
      failedTasks: 0,
      launchType: 'EC2',
      createdAt: new Date(a.createdAt),
      updatedAt: new Date(r!.updatedAt),
    }));
    return [primary, ...active];
  }

  private live(s: ServiceRecord): TaskRecord[] {
    return this.ecs.tasks.all().filter((t) => t.cluster === s.cluster && t.serviceName === s.name && t.desiredStatus === 'RUNNING');
  }

  private pass(s: ServiceRecord): void {
    const isNew = (t: TaskRecord) => t.startedBy === s.deploymentId;
    const maxTotal = Math.floor((s.desiredCount * s.maximumPercent) / 100);
    const minHealthy = Math.ceil((s.desiredCount * s.minimumHealthyPercent) / 100);
    const surplus = this.live(s)
      .filter(isNew)
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, Math.max(0, this.live(s).filter(isNew).length - s.desiredCount));
    for (const t of surplus) this.stop(t, s.deploymentId);
    this.startNew(s, isNew, maxTotal);
    this.stopOld(s, isNew, minHealthy);
    const unplaced = this.startNew(s, isNew, maxTotal);
    if (unplaced > 0 && unplaced !== s.unplaced)
      this.ecs.services.event(
        s,
        `(service ${s.name}) was unable to place a task because no container instance met all of its requirements.`,
      );
    s.unplaced = unplaced;
    const live = this.live(s);
    if (live.every(isNew) && live.length === s.desiredCount && live.every((t) => t.lastStatus === 'RUNNING')) {
      s.rollout = { ...s.rollout!, state: 'COMPLETED', updatedAt: this.account.clock.now(), active: [] };
      this.ecs.services.event(s, `(service ${s.name}) has reached a steady state.`);
    }
  }

  /** New tasks up to desiredCount while every task of the service stays within maximumPercent; answers how many found no room. */
  private startNew(s: ServiceRecord, isNew: (t: TaskRecord) => boolean, maxTotal: number): number {
    const live = this.live(s);
    let wanted = Math.min(s.desiredCount - live.filter(isNew).length, maxTotal - live.length);
    while (wanted > 0 && this.ecs.services.placeOne(s)) wanted -= 1;
    return Math.max(0, wanted);
  }

  /** Old tasks, unhealthy ones first, then oldest first, while the healthy ones stay at or above minimumHealthyPercent. */
  private stopOld(s: ServiceRecord, isNew: (t: TaskRecord) => boolean, minHealthy: number): void {
    const live = this.live(s);
    const healthy = new Map(live.map((t) => [t, this.healthy(t)] as const));
    let count = live.filter((t) => healthy.get(t)).length;
    const old = live.filter((t) => !isNew(t)).sort((a, b) => Number(healthy.get(a)) - Number(healthy.get(b)) || a.createdAt - b.createdAt);
    for (const t of old) {
      if (healthy.get(t) && count - 1 < minHealthy) break;
      if (healthy.get(t)) count -= 1;
      this.stop(t, t.startedBy ?? s.deploymentId);
    }
  }

  private stop(t: TaskRecord, deploymentId: string): void {
    this.ecs.tasks.stop(t, {
      by: 'ecs',
      reason: `Scaling activity initiated by (deployment ${deploymentId})`,
      stopCode: 'ServiceSchedulerInitiated',
    });
  }

  private healthy(t: TaskRecord): boolean {
    if (t.lastStatus !== 'RUNNING' || t.desiredStatus !== 'RUNNING' || t.drainRetiringAt !== undefined) return false;
    return t.targets.every((target) => this.account.elbv2.targetState(target.targetGroupArn, target) === 'healthy');
  }

  /** A target turning healthy may be what a rollout waits for; ECS reacts once to many changes at one instant. */
  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    onTargetHealthChanges(this.account, () => {
      for (const s of this.ecs.services.all()) this.step(s);
    });
  }
}
