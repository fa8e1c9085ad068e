import { reservedBy, type EcsCapacityAdapter } from '../aws/ecs-capacity';
import type { Log } from '../lambda/observability';
import type { EventRequest } from './cluster-tick';
import type { TaskShortfall } from './messages';

/**
 * A burst of RunTask results for one cluster as one re-plan: the tasks more capacity answers,
 * sized (only once the cluster is known to be ours) from each task definition with its overrides
 * and grouped by family and size. Results capacity does not answer are logged and left out;
 * none left ⇒ no re-plan at all.
 */
export function runTaskRequest(
  ecs: Pick<EcsCapacityAdapter, 'definition'>,
  shortfalls: readonly TaskShortfall[],
  log: Log,
): EventRequest | undefined {
  const ignored = shortfalls.filter((s) => !s.addCapacity).map((s) => `${s.taskDefinition}: ${s.reason}`);
  if (ignored.length > 0) log.info('runTask results that more capacity does not answer', { ignored });
  // The same result delivered twice in one batch (SNS delivers at least once) is one shortfall.
  const seen = new Set<string>();
  const wanted = shortfalls.filter((s) => {
    // Only the same result is a duplicate: distinct failures with the same fields are distinct demand.
    const key =
      s.resultId !== undefined ? `id:${s.resultId}` : JSON.stringify([s.cluster, s.taskDefinition, s.count, s.at, s.overrides ?? null]);
    if (!s.addCapacity || s.count <= 0 || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (wanted.length === 0) return undefined;
  return {
    trigger: 'runTaskFailure',
    scaleOutOnly: true,
    triggeredAt: Math.min(...wanted.map((s) => s.at)),
    demand: async (o) => {
      const extra = new Map<string, { source: string; count: number; cpu: number; memory: number }>();
      for (const s of wanted) {
        // A launcher that gives the size itself (hako) has no task definition to describe.
        const family = s.size ? s.taskDefinition : undefined;
        const def = s.size ? undefined : await ecs.definition(s.taskDefinition, o);
        const size = s.size ?? reservedBy(def!, s.overrides);
        if (size.cpu <= 0 && size.memory <= 0) continue; // reserves nothing: no room to make
        const name = family ?? def!.family;
        const key = `${name}|${size.cpu}|${size.memory}`;
        const x = extra.get(key) ?? { source: `run-task:${name}`, count: 0, ...size };
        x.count += s.count;
        extra.set(key, x);
      }
      return [...extra.values()];
    },
  };
}
