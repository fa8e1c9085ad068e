import type { SimulatedAccount } from '../../sim/account';
import type { AsgDrainConfig, DrainConfig } from '../../shared/drain/config';

export const DRAIN_DEFAULTS: DrainConfig & { replaceOnNotice: boolean } = {
  replaceOnNotice: true,
  clusters: [],
  dryRun: false,
  safetyMarginMs: 15_000,
  pollMs: 5_000,
  maxWaitMs: 90_000,
  keepServing: true,
  expiredToleranceMs: 0,
};

/** The ASG drain's settings as serverless.yml's defaults give them (hook `ecs-steady-drain`). */
export const ASG_DEFAULTS: Omit<AsgDrainConfig, keyof DrainConfig | 'drainQueueName'> = {
  stepMs: 240_000,
  defaultHeartbeatSeconds: 300,
  hookNames: ['ecs-steady-drain'],
  drainMaxMs: 3_600_000,
  deadlineResult: 'CONTINUE',
};

/**
 * For each task: every load-balancer target it had was deregistered through the API
 * (by us, not by ECS or the reclaim), and no later than the task was asked to stop.
 * Returns the violations, one line each (empty = the invariant holds).
 */
export function deregisteredBeforeStopped(
  account: SimulatedAccount,
  taskArns: readonly string[],
  /** 'api': by us (the default); 'api-or-ecs': ECS's own draining may have done it first (never the reclaim). */
  by: 'api' | 'api-or-ecs' = 'api',
): string[] {
  const problems: string[] = [];
  for (const arn of taskArns) {
    const task = account.ecs.task(arn);
    if (!task) {
      problems.push(`${arn}: unknown task`);
      continue;
    }
    for (const t of task.targets) {
      const history = account.elbv2
        .targetHistory(t.targetGroupArn)
        .filter((h) => h.id === t.id && h.port === t.port && h.registeredAt <= (task.startedAt ?? task.createdAt));
      const record = history[history.length - 1];
      if (!record) problems.push(`${arn}: no target record for ${t.id}:${t.port}`);
      else if (record.deregisterRequestedAt === undefined) problems.push(`${arn}: ${t.id}:${t.port} never deregistered`);
      else if (!(record.deregisteredBy === 'api' || (by === 'api-or-ecs' && record.deregisteredBy === 'ecs')))
        problems.push(`${arn}: ${t.id}:${t.port} deregistered by ${record.deregisteredBy}`);
      else if (task.stopRequestedAt === undefined || record.deregisterRequestedAt > task.stopRequestedAt)
        problems.push(
          `${arn}: stopped at ${task.stopRequestedAt} before ${t.id}:${t.port} was deregistered at ${record.deregisterRequestedAt}`,
        );
    }
  }
  return problems;
}

/** Tasks of the list still running (or never asked to stop) at `at`. */
export function runningAt(account: SimulatedAccount, taskArns: readonly string[], at: number): string[] {
  return taskArns.filter((arn) => {
    const t = account.ecs.task(arn);
    return !t || t.stoppedAt === undefined || t.stoppedAt > at;
  });
}

/**
 * Seconds in [from, to) during which the target group had no healthy target, from the
 * simulator's own target history (a target serves from `healthyAt` until its
 * deregistration was asked for or it left the group). Sampled every 100 ms.
 */
export function secondsWithoutHealthy(account: SimulatedAccount, targetGroupArn: string, from: number, to: number): number {
  const history = account.elbv2.targetHistory(targetGroupArn);
  let without = 0;
  for (let t = from; t < to; t += 100) {
    const serving = history.some(
      (h) => h.healthyAt !== undefined && h.healthyAt <= t && t < (h.deregisterRequestedAt ?? h.drainedAt ?? Infinity),
    );
    if (!serving) without += 100;
  }
  return without / 1000;
}

/** Every task asked to stop: its targets had finished draining by then (none killed while registered). */
export function stoppedBeforeTargetsDrained(account: SimulatedAccount, targetGroupArn: string): string[] {
  const problems: string[] = [];
  const history = account.elbv2.targetHistory(targetGroupArn);
  for (const t of account.ecs.tasks.all().filter((x) => x.stopRequestedAt !== undefined && x.targets.length > 0)) {
    for (const target of t.targets) {
      const rec = history
        .filter((h) => h.id === target.id && h.port === target.port && h.registeredAt <= (t.startedAt ?? t.createdAt))
        .pop();
      if (rec?.drainedAt === undefined || rec.drainedAt > t.stopRequestedAt!)
        problems.push(`${t.arn} stopped at ${t.stopRequestedAt} while ${target.id}:${target.port} drained at ${rec?.drainedAt}`);
    }
  }
  return problems;
}
