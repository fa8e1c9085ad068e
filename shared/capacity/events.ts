import { errorMessage } from '../lambda/errors';
import type { Log } from '../lambda/observability';
import type { EcsCapacityAdapter } from '../aws/ecs-capacity';
import { taskSizeWith, type TaskShortfall } from './messages';
import type { EventRequest } from './tick';

/**
 * The demand of a burst of RunTask failures on one cluster, sized from each task definition
 * with its overrides, grouped by family and size (one decision for the burst). Shortfalls more
 * capacity cannot answer are left out and named in `ignored`.
 */
export async function runTaskDemand(
  ecs: Pick<EcsCapacityAdapter, 'definition'>,
  shortfalls: readonly TaskShortfall[],
  log: Log,
): Promise<{ request?: EventRequest; ignored: string[] }> {
  const ignored: string[] = [];
  const extra = new Map<string, { source: string; count: number; cpu: number; memory: number }>();
  let triggeredAt = Infinity;
  for (const s of shortfalls) {
    if (!s.addCapacity) {
      ignored.push(`${s.taskDefinition}: ${s.reason}`);
      continue;
    }
    const def = await ecs.definition(s.taskDefinition);
    const size = taskSizeWith(def, s.overrides);
    if (size.cpu <= 0 && size.memory <= 0) {
      ignored.push(`${s.taskDefinition}: reserves no CPU or memory`);
      continue;
    }
    const key = `${def.family}|${size.cpu}|${size.memory}`;
    const x = extra.get(key) ?? { source: `run-task:${def.family}`, count: 0, ...size };
    x.count += s.count;
    extra.set(key, x);
    triggeredAt = Math.min(triggeredAt, s.at);
  }
  if (ignored.length > 0) log.info('runTask results that more capacity does not answer', { ignored });
  if (extra.size === 0) return { ignored };
  return { request: { extra: [...extra.values()], triggeredAt, trigger: 'runTaskFailure' }, ignored };
}

/** The error of one cluster's sizing, for the batch response (its records are retried). */
export const sizingError = (err: unknown) => `could not size the failed tasks: ${errorMessage(err)}`;
