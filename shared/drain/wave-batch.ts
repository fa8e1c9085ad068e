import type { CallOptions, ItemFailure } from '../aws/call';
import { chunk } from '../aws/limits';
import type { Clock } from '../lambda/clock';
import { Coalescer } from '../lambda/coalesce';

type Described<T> = { items: T[]; failures: ItemFailure[] };

/**
 * A describe-like call per cluster: what every drain asks at one moment is sent once per item
 * (chunks of `max`, sent together), and each asker gets back its own items and failures.
 * `gather` is awaited before the batch closes: asks that come meanwhile join it.
 */
export function byItems<T>(
  clock: Clock,
  max: number,
  idOf: (item: T) => string,
  send: (cluster: string, part: string[], o: CallOptions) => Promise<Described<T>>,
  matches: (item: T, asked: string) => boolean = (item, asked) => idOf(item) === asked,
  gather?: () => Promise<void>,
) {
  const c = new Coalescer<readonly string[], Described<T>>(
    clock,
    async (cluster, lists, signal) => {
      const parts = await Promise.all(chunk([...new Set(lists.flat())], max).map((part) => send(cluster, part, { signal })));
      const items = parts.flatMap((p) => p.items);
      const failures = parts.flatMap((p) => p.failures);
      return lists.map((asked) => ({
        items: items.filter((i) => asked.some((a) => matches(i, a))),
        failures: failures.filter((f) => asked.some((a) => f.arn === a || f.arn.endsWith(`/${a}`))),
      }));
    },
    gather,
  );
  return (cluster: string, asked: readonly string[], o?: CallOptions) => c.ask(cluster, asked, o?.signal);
}
