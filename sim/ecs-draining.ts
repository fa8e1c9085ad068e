import type { SimulatedAccount } from './account';
import type { SimEcs } from './ecs';
import { onTargetHealthChanges, type ServiceRecord, type TaskRecord } from './ecs-common';
import { stepDaemonDraining } from './ecs-daemon';

/**
 * What ECS itself does when a container instance is DRAINING (knob
 * `SimEcs.drainingReplacesServiceTasks`, on by default as on AWS), from
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-instance-draining.html:
 * - service tasks on the instance that are PENDING are stopped at once;
 * - RUNNING ones are replaced "according to the service's deployment configuration
 *   parameters, minimumHealthyPercent and maximumPercent": replacements start elsewhere while
 *   the service's running tasks stay within maximumPercent of desiredCount, and an old task is
 *   stopped only while the healthy tasks stay at or above minimumHealthyPercent. A task is
 *   healthy when RUNNING and, for a service behind a load balancer, when its targets are
 *   healthy; a task whose targets someone else deregistered is not healthy, so ECS may take it;
 * - an old task behind a load balancer has its targets deregistered first and is stopped
 *   when they have finished draining (the target group's deregistration delay).
 * Standalone tasks are left alone. No room for a replacement ⇒ the old task stays until room
 * arrives. The model re-evaluates whenever something it waits on changes: the instance goes
 * DRAINING, a replacement runs or turns healthy, a task stops, capacity registers.
 * Simplification: the old task stays `RUNNING` (ECS shows DEACTIVATING) until it is stopped.
 */
export class EcsDraining {
  private listening = false;
  private readonly soon = new Set<string>();

  constructor(
    private readonly account: SimulatedAccount,
    private readonly ecs: SimEcs,
  ) {}

  /**
   * Re-evaluate `cluster` once, at this same moment, after everything else that happens at it:
   * a wave stops thousands of tasks in one instant and ECS reacts to all of them at once.
   */
  stepSoon(cluster: string): void {
    if (!this.ecs.drainingReplacesServiceTasks || this.soon.has(cluster)) return;
    this.soon.add(cluster);
    this.account.at(this.account.clock.now(), () => {
      this.soon.delete(cluster);
      this.step(cluster);
    });
  }

  /** Re-evaluate every service of `cluster` that has tasks on a DRAINING instance. */
  step(cluster: string): void {
    if (!this.ecs.drainingReplacesServiceTasks) return;
    const draining = new Set(
      this.ecs
        .containerInstancesOf(cluster)
        .filter((ci) => ci.status === 'DRAINING')
        .map((ci) => ci.arn),
    );
    if (draining.size === 0) return;
    this.listen();
    // One pass over the tasks for all services (a wave re-evaluates on every health change).
    const byService = new Map<string, TaskRecord[]>();
    for (const t of this.ecs.tasks.all()) {
      if (t.cluster !== cluster || !t.serviceName) continue;
      const list = byService.get(t.serviceName);
      if (list) list.push(t);
      else byService.set(t.serviceName, [t]);
    }
    // A daemon's task is not replaced elsewhere (it belongs to its instance): stepService hands it to stepDaemonDraining.
    for (const s of this.ecs.services.all()) if (s.cluster === cluster) this.stepService(s, draining, byService.get(s.name) ?? []);
  }

  private stepService(s: ServiceRecord, draining: Set<string>, tasks: TaskRecord[]): void {
    let mine = tasks;
    const live = () => mine.filter((t) => t.desiredStatus === 'RUNNING');
    const onDraining = (t: TaskRecord) => draining.has(t.containerInstanceArn);
    if (!live().some(onDraining)) return;
    if (s.schedulingStrategy === 'DAEMON') return stepDaemonDraining(this.ecs, s, draining, tasks);

    for (const t of live().filter((x) => onDraining(x) && x.lastStatus === 'PENDING')) {
      this.ecs.tasks.stop(t, { by: 'ecs', reason: this.reason(s), stopCode: 'ServiceSchedulerInitiated' });
    }

    const maxRunning = Math.floor((s.desiredCount * s.maximumPercent) / 100);
    const elsewhere = live().filter((t) => !onDraining(t)).length;
    let placed = 0;
    for (let n = Math.min(s.desiredCount - elsewhere, maxRunning - live().length); n > 0; n -= 1) {
      if (!this.ecs.services.placeOne(s)) break;
      placed += 1;
    }
    if (placed > 0) mine = this.ecs.tasks.all().filter((t) => t.cluster === s.cluster && t.serviceName === s.name);

    const minHealthy = Math.ceil((s.desiredCount * s.minimumHealthyPercent) / 100);
    // Each task's health once per pass (a wave's pass sees thousands of tasks).
    const live1 = live();
    const isHealthy = new Map(live1.map((t) => [t, this.healthy(t)] as const));
    let healthy = live1.filter((t) => isHealthy.get(t)).length;
    const leaving = live1.filter((t) => onDraining(t) && t.lastStatus === 'RUNNING' && t.drainRetiringAt === undefined);
    // Unhealthy ones first: taking them costs no healthy task.
    leaving.sort((a, b) => Number(isHealthy.get(a)) - Number(isHealthy.get(b)));
    for (const old of leaving) {
      const wasHealthy = isHealthy.get(old)!;
      if (wasHealthy && healthy - 1 < minHealthy) break;
      this.retire(old, s);
      if (wasHealthy) healthy -= 1;
    }
  }

  /** RUNNING, not being taken away, and every target it has is healthy. */
  private healthy(t: TaskRecord): boolean {
    if (t.lastStatus !== 'RUNNING' || t.desiredStatus !== 'RUNNING' || t.drainRetiringAt !== undefined) return false;
    return t.targets.every((target) => this.account.elbv2.targetState(target.targetGroupArn, target) === 'healthy');
  }

  /** Deregister the task's targets, then stop it once they have left their groups. */
  private retire(old: TaskRecord, s: ServiceRecord): void {
    const now = this.account.clock.now();
    old.drainRetiringAt = now;
    for (const target of old.targets) this.account.elbv2.deregisterTarget(target.targetGroupArn, target, 'ecs');
    const until = Math.max(now, ...old.targets.map((target) => this.account.elbv2.drainEndsAt(target.targetGroupArn, target) ?? now));
    const stop = () => this.ecs.tasks.stop(old, { by: 'ecs', reason: this.reason(s), stopCode: 'ServiceSchedulerInitiated' });
    if (until <= now) stop();
    else this.account.at(until, stop);
  }

  private reason(s: ServiceRecord): string {
    return `Service ${s.name}: container instance is DRAINING`;
  }

  /** A target turning healthy may be what a service is waiting for. */
  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    onTargetHealthChanges(this.account, () => {
      for (const cluster of new Set(this.ecs.services.all().map((s) => s.cluster))) this.step(cluster);
    });
  }
}
