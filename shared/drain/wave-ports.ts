import type { CallOptions } from '../aws/call';
import type { ContainerInstanceRef } from '../aws/ecs-container-instances';
import {
  chunk,
  DESCRIBE_CONTAINER_INSTANCES_MAX,
  DESCRIBE_SERVICES_MAX,
  DESCRIBE_TASKS_MAX,
  UPDATE_CONTAINER_INSTANCES_STATE_MAX,
} from '../aws/limits';
import { setTimer, type Clock } from '../lambda/clock';
import { Coalescer } from '../lambda/coalesce';
import { lookupInstances, type LookupAnswer } from './lookup';
import { byItems } from './wave-batch';
import type { DrainPorts } from './ports';
import { waveTargets } from './wave-targets';
import {
  listWholeCluster,
  MIN_SHARE,
  reserveSlot,
  reshare,
  shareOf,
  WAVE_BUCKETS,
  waveShare,
  type PaceState,
  type WaveBucket,
} from './wave-plan';

/**
 * The ports of one wave: every drain of the invocation calls these, and what they ask at the
 * same moment goes to AWS as one call — one lookup for every victim, DescribeContainerInstances
 * and DescribeTasks 100 a call, DescribeServices 10 a call (each service once),
 * UpdateContainerInstancesState 10 a call, one DeregisterTargets per target group carrying
 * every victim's targets, one DescribeTargetHealth per group per poll. Every call is paced
 * against its bucket (wave-plan.ts), so a wave spends its rate on calls that succeed. The
 * contracts are DrainPorts' own: each drain sees answers about its own items only.
 */
export function wavePorts(base: DrainPorts, clock: Clock, clusters: readonly string[], stopsPending?: () => number): WavePorts {
  // Our account of each bucket, and the share it was kept at.
  const buckets = new Map<WaveBucket, { state: PaceState; share: number }>();
  // This wave's share of the account's buckets, from how many instances are DRAINING in its clusters (state, not messages).
  const ours = new Map<string, Set<string>>();
  let share = 1;
  let shareReadAt = -Infinity;
  let reading: Promise<void> | undefined;
  let closed = false;
  // A share read still paced or out when the wave ends is abandoned: nothing of the wave may wait on into a later invocation.
  const closing = new AbortController();
  let cancelRefresh = () => undefined as void;
  // The read that follows our own DRAINING: calls wait for it (one round trip) rather than go out at a share that counts no other batch yet.
  let settling: Promise<void> | undefined;
  const readShare = () => (reading = readShareNow());
  const readShareNow = async () => {
    shareReadAt = clock.now();
    try {
      const counts = await Promise.all(
        [...ours.keys()].map(async (cluster) => {
          // One slot per page (100 ARNs a page), each page asked for only once its slot comes.
          await slot('ecsRead', closing.signal, true);
          const o = { signal: closing.signal };
          return ci.listArns(cluster, undefined, o, undefined, 'DRAINING', () => slot('ecsRead', closing.signal, true));
        }),
      );
      const mine = [...ours.values()].reduce((n, set) => n + set.size, 0);
      share = waveShare(
        mine,
        counts.reduce((n, arns) => n + arns.length, 0),
      );
    } catch {
      // Unread after the SDK's retries: the read bucket is oversubscribed, most likely by a batch pacing at a share read
      // too high. Halve ours rather than keep it (kept, a share of 1 read before the others set DRAINING fed the throttling).
      share = Math.max(MIN_SHARE, share / 2);
    } finally {
      reading = undefined;
      // Read again on a timer too, not only when a call is made: a wave idle until its force time would otherwise pace its
      // stops (and time their lead) at a share read before the other batches had set their instances DRAINING.
      cancelRefresh();
      if (!closed) cancelRefresh = setTimer(clock, shareReadAt + SHARE_REFRESH_MS, refreshShare);
    }
  };
  const refreshShare = () => {
    if (!reading && ours.size > 0 && clock.now() >= shareReadAt + SHARE_REFRESH_MS) void readShare();
  };
  /** Wait for this call's slot in its bucket (the slot is reserved before the wait: calls keep their order). */
  const slot = async (bucket: WaveBucket, signal?: AbortSignal, shareRead = false): Promise<void> => {
    if (settling && !shareRead) await settling;
    refreshShare();
    const was = buckets.get(bucket);
    const spec = WAVE_BUCKETS[bucket];
    // A share that changed applies from the last reservation: the gap refills at the new part of the rate (reserveSlot), the lower
    // of the two when the share fell (what the old share's refill bought was shared with the batches the new one counts).
    const kept = was && (was.share === share ? was.state : reshare(was.state, spec, was.share, share));
    const r = reserveSlot(kept, shareOf(spec, share), clock.now());
    buckets.set(bucket, { state: r.state, share });
    if (r.sendAt > clock.now()) await clock.sleep(r.sendAt - clock.now(), signal);
  };
  const paced = async <T>(bucket: WaveBucket, o: CallOptions, call: () => Promise<T>): Promise<T> => {
    await slot(bucket, o.signal);
    return call();
  };
  const ci = base.containerInstances;

  const lookups = new Coalescer<string, LookupAnswer>(clock, async (_k, ids, signal) => {
    const counted = {
      containerInstances: {
        ...ci,
        listClusters: (o: CallOptions) => paced('ecsRead', o, () => ci.listClusters(o)),
        listArns: (c: string, f: string | undefined, o: CallOptions) => paced('ecsRead', o, () => ci.listArns(c, f, o)),
        describe: (c: string, arns: readonly string[], o: CallOptions) => describeInstances(c, arns, o),
      },
      tasks: { ...base.tasks, listRunningOn },
    };
    // Listed after DRAINING, not with the describe: every batch of the wave then sets DRAINING before the listings take the read bucket.
    const answers = await lookupInstances(counted, ids, clusters, { signal }, false);
    for (const a of answers.values())
      if (a.instance) ours.set(a.instance.cluster, (ours.get(a.instance.cluster) ?? new Set()).add(a.instance.containerInstanceArn));
    return ids.map((id) => answers.get(id)!);
  });

  // Tasks of many instances: one ListTasks each, or the whole cluster listed and described once when that is fewer calls.
  const clusterTasks = new Map<string, Promise<number | undefined>>();
  const countOf = (cluster: string) => {
    if (!clusterTasks.has(cluster))
      clusterTasks.set(
        cluster,
        base.tasks.countInCluster
          ? paced('ecsClusterRead', {}, () => base.tasks.countInCluster!(cluster)).catch(() => undefined)
          : Promise.resolve(undefined),
      );
    return clusterTasks.get(cluster)!;
  };
  // Each instance's listing settles on its own: one still throttled after the SDK's retries failed every drain of its call, and
  // each of them listed again (measured: 200 of 500 instances listed twice at 500 × 4).
  type Listed = { arns: string[] } | { error: unknown };
  const listings = new Coalescer<string, Listed>(clock, async (cluster, arns, signal) => {
    const unique = [...new Set(arns)];
    const o = { signal };
    const count = unique.length > 1 ? await countOf(cluster) : undefined;
    if (base.tasks.listRunning && count !== undefined && listWholeCluster(unique.length, count)) {
      // Each page of ListTasks (100 a page) is asked for when its slot comes: the SDK's paginator, left to itself, sends them
      // back to back (measured at 500 × 4: three batches each sent 78 pages in 4 s and threw 349 describes into throttling).
      await slot('ecsRead', signal);
      const all = await base.tasks.listRunning(cluster, o, () => slot('ecsRead', signal));
      const parts = await Promise.all(
        chunk(all, DESCRIBE_TASKS_MAX).map((part) => paced('ecsRead', o, () => base.tasks.describe(cluster, part, o))),
      );
      const on = new Map<string, string[]>();
      for (const t of parts.flatMap((p) => p.tasks))
        if (t.containerInstanceArn && t.taskArn) on.set(t.containerInstanceArn, [...(on.get(t.containerInstanceArn) ?? []), t.taskArn]);
      return arns.map((arn) => ({ arns: on.get(arn) ?? [] }));
    }
    const each = await Promise.all(
      unique.map(async (arn): Promise<readonly [string, Listed]> => {
        try {
          return [arn, { arns: await paced('ecsRead', o, () => base.tasks.listRunningOn(cluster, arn, o)) }];
        } catch (error) {
          return [arn, { error }];
        }
      }),
    );
    const byArn = new Map(each);
    return arns.map((arn) => byArn.get(arn)!);
  });
  const listRunningOn = async (cluster: string, arn: string, o?: CallOptions): Promise<string[]> => {
    const r = await listings.ask(cluster, arn, o?.signal);
    if ('error' in r) throw r.error;
    return r.arns;
  };

  const describeInstances = async (cluster: string, arns: readonly string[], o: CallOptions) => {
    const parts = await Promise.all(
      chunk([...new Set(arns)], DESCRIBE_CONTAINER_INSTANCES_MAX).map((part) => paced('ecsRead', o, () => ci.describe(cluster, part, o))),
    );
    return { instances: parts.flatMap((p) => p.instances), failures: parts.flatMap((p) => p.failures) };
  };
  // A drain's last read (are its tasks gone?) comes when its own stops are sent; paced, the wave's stops end tens of seconds
  // apart, so asked at once these reads were one DescribeContainerInstances per drain. Held while the wave still has stops
  // to send (at most COUNTS_HOLD_MS), they go out together, 100 instances a call. The invocation ends with its last drain anyway.
  const holdCounts = async () => {
    const until = clock.now() + COUNTS_HOLD_MS;
    while (!closed && (stopsPending?.() ?? 0) > 0 && clock.now() < until)
      await clock.sleep(Math.min(COUNTS_HOLD_TICK_MS, until - clock.now()));
  };
  const instanceDescribes = byItems<ContainerInstanceRef>(
    clock,
    DESCRIBE_CONTAINER_INSTANCES_MAX,
    (i) => i.containerInstanceArn,
    async (cluster, part, o) => {
      const r = await paced('ecsRead', o, () => ci.describe(cluster, part, o));
      return { items: r.instances, failures: r.failures };
    },
    undefined,
    holdCounts,
  );
  const drainings = byItems<never>(
    clock,
    UPDATE_CONTAINER_INSTANCES_STATE_MAX,
    () => '',
    async (cluster, part, o) => {
      const sent = slot('ecsModify', o.signal, true).then(() => ci.setDraining(cluster, part, o));
      // Read the share again once ours are DRAINING too (the other batches of the wave set theirs at about the same moment;
      // a read already in flight may have counted before ours were set, so this one follows it). Every other call waits for
      // it from now, before the answer: set after it, a listing whose slot came in the same instant went out beside the
      // share read at a share of 1 and, with every other batch's, throttled it (measured: 200 ListTasks at once, 5 batches).
      if (!settling)
        settling = sent
          .catch(() => undefined)
          .then(() => reading)
          .then(readShare);
      return { items: [], failures: await sent };
    },
  );
  type RawTask = Awaited<ReturnType<DrainPorts['tasks']['describe']>>['tasks'][number];
  const taskDescribes = byItems<RawTask>(
    clock,
    DESCRIBE_TASKS_MAX,
    (t) => t.taskArn ?? '',
    async (cluster, part, o) => {
      const r = await paced('ecsRead', o, () => base.tasks.describe(cluster, part, o));
      return { items: r.tasks, failures: r.failures };
    },
  );
  type RawService = Awaited<ReturnType<DrainPorts['services']['describe']>>['services'][number];
  const serviceDescribes = byItems<RawService>(
    clock,
    DESCRIBE_SERVICES_MAX,
    (s) => s.serviceName ?? '',
    async (cluster, part, o) => {
      const r = await paced('ecsServiceRead', o, () => base.services.describe(cluster, part, o));
      return { items: r.services, failures: r.failures };
    },
    (item, asked) => item.serviceName === asked || (item.serviceArn ?? '').endsWith(`/${asked}`),
  );

  const targets = waveTargets(base.targets, clock, (bucket, signal) => slot(bucket, signal));
  return {
    share: () => share,
    close: () => {
      closed = true;
      cancelRefresh();
      closing.abort(new Error('the wave ended'));
    },
    containerInstances: {
      listClusters: (o) => paced('ecsRead', o ?? {}, () => ci.listClusters(o)),
      listArns: (c, f, o) => paced('ecsRead', o ?? {}, () => ci.listArns(c, f, o)),
      describe: async (cluster, arns, o) => {
        const r = await instanceDescribes(cluster, arns, o);
        return { instances: r.items, failures: r.failures };
      },
      setDraining: async (cluster, arns, o) => (await drainings(cluster, arns, o)).failures,
    },
    tasks: {
      listRunningOn,
      describe: async (cluster, arns, o) => {
        const r = await taskDescribes(cluster, arns, o);
        return { tasks: r.items, failures: r.failures };
      },
      stop: (c, arn, reason, o) => paced('ecsModify', o ?? {}, () => base.tasks.stop(c, arn, reason, o)),
    },
    services: {
      describe: async (cluster, names, o) => {
        const r = await serviceDescribes(cluster, names, o);
        return { services: r.items, failures: r.failures };
      },
    },
    targets,
    publish: base.publish,
    findInstance: (id, o) => lookups.ask('lookup', id, o?.signal),
    ...(base.lifecycle ? { lifecycle: base.lifecycle } : {}),
    ...(base.handOn ? { handOn: base.handOn } : {}),
  };
}

/** Drain ports of a wave, the wave's current share of the account's request buckets, and `close` once every drain ended (no more share reads). */
export type WavePorts = DrainPorts & { share: () => number; close: () => void };

/** How often the share is read again while the wave goes on. */
const SHARE_REFRESH_MS = 15_000;
/** The longest a drain's "are my tasks gone?" read waits for the wave's other stops (a drain polls it every 2 s after its force time). */
const COUNTS_HOLD_MS = 10_000;
const COUNTS_HOLD_TICK_MS = 1_000;
