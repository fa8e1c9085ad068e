import type { SimulatedAccount } from '../../sim/account';
import type { DrainConfig } from '../../shared/drain/config';

export const DRAIN_DEFAULTS: DrainConfig = {
  clusters: [],
  dryRun: false,
  safetyMarginMs: 15_000,
  pollMs: 5_000,
  maxWaitMs: 90_000,
};

/**
 * For each task: every load-balancer target it had was deregistered through the API
 * (by us, not by ECS or the reclaim), and no later than the task was asked to stop.
 * Returns the violations, one line each (empty = the invariant holds).
 */
export function deregisteredBeforeStopped(account: SimulatedAccount, taskArns: readonly string[]): string[] {
  const problems: string[] = [];
  for (const arn of taskArns) {
    const task = account.ecs.task(arn);
    if (!task) {
      problems.push(`${arn}: unknown task`);
      continue;
    }
    for (const t of task.targets) {
      const history = account.elbv2.targetHistory(t.targetGroupArn).filter((h) => h.id === t.id && h.port === t.port && h.registeredAt <= (task.startedAt ?? task.createdAt));
      const record = history[history.length - 1];
      if (!record) problems.push(`${arn}: no target record for ${t.id}:${t.port}`);
      else if (record.deregisterRequestedAt === undefined) problems.push(`${arn}: ${t.id}:${t.port} never deregistered`);
      else if (record.deregisteredBy !== 'api') problems.push(`${arn}: ${t.id}:${t.port} deregistered by ${record.deregisteredBy}`);
      else if (task.stopRequestedAt === undefined || record.deregisterRequestedAt > task.stopRequestedAt)
        problems.push(`${arn}: stopped at ${task.stopRequestedAt} before ${t.id}:${t.port} was deregistered at ${record.deregisterRequestedAt}`);
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
