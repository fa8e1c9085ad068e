import type { DrainPorts } from '../../shared/drain/ports';
import type { Clock } from '../../shared/lambda/clock';

/** How close together two askers must be to share an answer: the same batch's two lookups start within milliseconds. */
const SHARE_MS = 1_000;

/**
 * A batch's notices are looked up twice at the same moment: by their drain and by the re-mark of
 * rebalance drains (./rebalance.ts). The same filtered ListContainerInstances, and the same
 * DescribeContainerInstances, asked within SHARE_MS go out once: the second asker takes the first's
 * answer, once (a failed answer is never shared, so each retry goes to ECS), and a wave still costs
 * one lookup (docs/drain.md, "Waves"). Anything asked later or otherwise goes to ECS as before.
 */
export function sharedLookups(ports: DrainPorts, clock: Clock): DrainPorts {
  const pending = new Map<string, { at: number; answer: Promise<unknown> }>();
  const once = <T>(key: string, call: () => Promise<T>): Promise<T> => {
    const now = clock.now();
    const hit = pending.get(key);
    pending.delete(key);
    if (hit && now - hit.at < SHARE_MS) return hit.answer as Promise<T>;
    const answer = call();
    const entry = { at: now, answer };
    pending.set(key, entry);
    answer.catch(() => {
      if (pending.get(key) === entry) pending.delete(key);
    });
    return answer;
  };
  const ci = ports.containerInstances;
  return {
    ...ports,
    containerInstances: {
      listClusters: (o) => ci.listClusters(o),
      setDraining: (cluster, arns, o) => ci.setDraining(cluster, arns, o),
      listArns: (cluster, filter, o, onPage, status, pace) =>
        filter === undefined || onPage || status || pace
          ? ci.listArns(cluster, filter, o, onPage, status, pace)
          : once(`list ${cluster} ${filter}`, () => ci.listArns(cluster, filter, o)),
      describe: (cluster, arns, o) => once(`describe ${cluster} ${arns.join(' ')}`, () => ci.describe(cluster, arns, o)),
    },
  };
}
