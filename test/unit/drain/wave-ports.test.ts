import type { ContainerInstanceRef } from '../../../shared/aws/ecs-container-instances';
import type { DrainPorts } from '../../../shared/drain/ports';
import { MIN_SHARE } from '../../../shared/drain/wave-plan';
import { wavePorts } from '../../../shared/drain/wave-ports';
import { VirtualClock } from '../../../sim/clock';

const instance = (n: number): ContainerInstanceRef => ({
  cluster: 'c',
  containerInstanceArn: `arn:ci/${n}`,
  ec2InstanceId: `i-${n}`,
  status: 'ACTIVE',
  agentConnected: true,
  runningTasksCount: 1,
  pendingTasksCount: 0,
});

/** Ports that find instances 1..n in cluster `c` and answer the DRAINING listing with `draining` (or throw it). */
function fakePorts(clock: VirtualClock, n: number, draining: () => string[], onList: () => void = () => undefined): DrainPorts {
  const all = Array.from({ length: n }, (_, i) => instance(i + 1));
  return {
    containerInstances: {
      listClusters: async () => ['c'],
      listArns: async (_c: string, filter?: string, o?: { signal?: AbortSignal }, _p?: unknown, status?: string) => {
        await clock.sleep(50, o?.signal); // a round trip, abandoned on abort as the SDK's
        return status === 'DRAINING' ? draining() : filter ? all.map((i) => i.containerInstanceArn) : [];
      },
      describe: async (_c: string, arns: readonly string[]) => ({
        instances: all.filter((i) => arns.includes(i.containerInstanceArn)),
        failures: [],
      }),
      setDraining: async () => [],
    },
    tasks: {
      listRunningOn: async () => {
        onList();
        return [];
      },
      describe: async () => ({ tasks: [], failures: [] }),
      stop: async () => ({ gone: true }),
    },
    services: { describe: async () => ({ services: [], failures: [] }) },
    targets: { deregister: async () => undefined, groupHealth: async () => [], deregistrationDelaySeconds: async () => 300 },
    publish: async () => 'id',
  } as unknown as DrainPorts;
}

/** A wave that found its 2 instances, in a cluster where 8 will be DRAINING; each listing notes the share it went out at. */
async function twoOfEightDraining() {
  const clock = new VirtualClock();
  const sharesAtListing: number[] = [];
  const wave: ReturnType<typeof wavePorts> = wavePorts(
    fakePorts(
      clock,
      2,
      () => Array.from({ length: 8 }, (_, i) => `arn:ci/${i + 1}`),
      () => sharesAtListing.push(wave.share()),
    ),
    clock,
    ['c'],
  );
  await Promise.all([wave.findInstance!('i-1'), wave.findInstance!('i-2')]);
  return { wave, sharesAtListing };
}

describe('wavePorts: the share of the buckets', () => {
  it('is its instances among every DRAINING one, read right after it set its own DRAINING, before any listing is sent', async () => {
    const { wave, sharesAtListing } = await twoOfEightDraining();
    await wave.containerInstances.setDraining('c', ['arn:ci/1', 'arn:ci/2']);
    await wave.tasks.listRunningOn('c', 'arn:ci/1'); // waits for the share read that follows DRAINING
    expect(wave.share()).toBe(0.25);
    // The listing went out paced at that share, not at the 1 a batch assumes before it has read any.
    expect(sharesAtListing).toEqual([0.25]);
    wave.close();
  });
});

describe('wavePorts: a share that cannot be read', () => {
  it('is halved each time (the read bucket is oversubscribed), never below MIN_SHARE', async () => {
    const clock = new VirtualClock();
    let reads = 0;
    const wave = wavePorts(
      fakePorts(clock, 1, () => {
        reads += 1;
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      }),
      clock,
      ['c'],
    );
    await wave.findInstance!('i-1');
    await wave.containerInstances.setDraining('c', ['arn:ci/1']);
    await wave.tasks.listRunningOn('c', 'arn:ci/1');
    expect(reads).toBeGreaterThan(0);
    expect(wave.share()).toBe(0.5 ** reads);
    for (let i = 0; i < 10; i++) {
      clock.advance(20_000); // the timer reads it again
      await wave.tasks.listRunningOn('c', 'arn:ci/1');
    }
    expect(reads).toBeGreaterThan(4);
    expect(wave.share()).toBe(MIN_SHARE);
    wave.close();
  });
});

describe('wavePorts: DRAINING before the listings', () => {
  it('holds a listing asked in the same instant as DRAINING until the share read that follows it', async () => {
    const { wave, sharesAtListing } = await twoOfEightDraining();
    // A drain's plan sets DRAINING and lists its tasks in one look: both asks leave at once.
    await Promise.all([wave.containerInstances.setDraining('c', ['arn:ci/1', 'arn:ci/2']), wave.tasks.listRunningOn('c', 'arn:ci/1')]);
    expect(sharesAtListing).toEqual([0.25]);
    wave.close();
  });
});

describe('wavePorts: a group’s deregistration delay', () => {
  it('is read once per group for the wave, whenever its drains ask', async () => {
    const clock = new VirtualClock();
    const base = fakePorts(clock, 1, () => []);
    const asked: string[] = [];
    base.targets.deregistrationDelaySeconds = async (tg: string) => (asked.push(tg), 300);
    const wave = wavePorts(base, clock, ['c']);
    expect(await Promise.all([wave.targets.deregistrationDelaySeconds('tg-1'), wave.targets.deregistrationDelaySeconds('tg-2')])).toEqual([
      300, 300,
    ]);
    clock.advance(30_000); // a drain that deregisters later (throttled, held) asks again
    expect(await wave.targets.deregistrationDelaySeconds('tg-1')).toBe(300);
    expect(asked.sort()).toEqual(['tg-1', 'tg-2']);
    wave.close();
  });
});

describe('wavePorts: a group’s delay asked while its read is in flight', () => {
  it('is answered from that read: one DescribeTargetGroupAttributes', async () => {
    const clock = new VirtualClock();
    const base = fakePorts(clock, 1, () => []);
    let reads = 0;
    base.targets.deregistrationDelaySeconds = async () => {
      reads += 1;
      await clock.sleep(50); // a round trip
      return 300;
    };
    const wave = wavePorts(base, clock, ['c']);
    const first = wave.targets.deregistrationDelaySeconds('tg-1');
    await clock.sleep(10); // another drain's deregistration came back: it asks while the first read is out
    const second = wave.targets.deregistrationDelaySeconds('tg-1');
    expect(await Promise.all([first, second])).toEqual([300, 300]);
    expect(reads).toBe(1);
    wave.close();
  });
});

const WHOLE_N = 150;
const WHOLE_PAGES = 60; // 6,000 tasks: 121 calls listed whole, fewer than one ListTasks per instance; more pages than a quarter's burst

/** A wave of 150 instances, a quarter of those DRAINING, set DRAINING; its cluster's tasks are listed whole, 60 pages, each page's moment noted. */
async function wholeClusterWave() {
  const clock = new VirtualClock();
  const base = fakePorts(clock, WHOLE_N, () => Array.from({ length: 4 * WHOLE_N }, (_, i) => `arn:ci/${i + 1}`));
  const pageAt: number[] = [];
  base.tasks.countInCluster = async () => WHOLE_PAGES * 100;
  base.tasks.listRunning = async (_c: string, _o?: unknown, pace?: () => Promise<void>) => {
    for (let i = 0; i < WHOLE_PAGES; i++) {
      pageAt.push(clock.now());
      await clock.sleep(50);
      if (i < WHOLE_PAGES - 1) await pace?.();
    }
    return [];
  };
  const wave = wavePorts(base, clock, ['c']);
  const arns = Array.from({ length: WHOLE_N }, (_, i) => `arn:ci/${i + 1}`);
  await Promise.all(Array.from({ length: WHOLE_N }, (_, i) => wave.findInstance!(`i-${i + 1}`)));
  await wave.containerInstances.setDraining('c', arns);
  return { clock, wave, arns, pageAt };
}

describe('wavePorts: a listing of the whole cluster', () => {
  it('asks for each page when its slot in the read bucket comes, the first at once, never faster than its share refills', async () => {
    const { clock, wave, arns, pageAt } = await wholeClusterWave();
    const start = clock.now();
    await Promise.all(arns.map((arn) => wave.tasks.listRunningOn('c', arn)));
    expect(wave.share()).toBe(0.25);
    expect(pageAt).toHaveLength(WHOLE_PAGES);
    // Not held until the last page's slot, as it was ((60 - 25) / 4.5 s): the first page goes once the share is read.
    expect(pageAt[0]! - start).toBeLessThan(1000);
    // A quarter of the real bucket (100, 20/s) is never overdrawn: by any moment, at most 25 + 5 a second of pages have gone out.
    pageAt.forEach((at, i) => expect(i + 1).toBeLessThanOrEqual(25 + ((at - start) / 1000) * 5 + 1));
    wave.close();
  });

  it('asks for no page after every asker aborted, and leaves nothing waiting on the clock', async () => {
    const { clock, wave, arns, pageAt } = await wholeClusterWave();
    const deadline = new AbortController();
    const listed = Promise.allSettled(arns.map((arn) => wave.tasks.listRunningOn('c', arn, { signal: deadline.signal })));
    await clock.sleep(3_000); // past the share's burst: the listing now waits for each page's slot
    const before = pageAt.length;
    deadline.abort(new Error('drain deadline reached'));
    const settled = await listed;
    expect(settled.every((r) => r.status === 'rejected')).toBe(true);
    expect(before).toBeLessThan(WHOLE_PAGES);
    await clock.sleep(60_000);
    expect(pageAt).toHaveLength(before);
    wave.close();
    expect(clock.waiting).toBe(0);
  });
});

describe('wavePorts: listings of many instances in one call', () => {
  it('fail only the drain whose listing failed, not every drain the call carried', async () => {
    const clock = new VirtualClock();
    const base = fakePorts(clock, 3, () => []);
    base.tasks.listRunningOn = async (_c: string, arn: string) => {
      if (arn === 'arn:ci/2') throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return [`${arn}/task`];
    };
    const wave = wavePorts(base, clock, ['c']);
    const settled = await Promise.allSettled(['arn:ci/1', 'arn:ci/2', 'arn:ci/3'].map((arn) => wave.tasks.listRunningOn('c', arn)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[0] as PromiseFulfilledResult<string[]>).value).toEqual(['arn:ci/1/task']);
    wave.close();
  });
});
