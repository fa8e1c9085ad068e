import { ListClustersCommand, paginateListClusters } from '@aws-sdk/client-ecs';
import { SimulatedAccount } from '../../sim/account';
import { simError } from '../../sim/errors';

describe('simulated account plumbing', () => {
  function accountWithClusters(n: number) {
    const account = new SimulatedAccount();
    const arns = Array.from({ length: n }, (_, i) => `arn:aws:ecs:eu-west-1:123456789012:cluster/c${i}`);
    account.ecs.operations = () => ({
      ListClusters: (input: { nextToken?: string; maxResults?: number }) => {
        const start = Number(input.nextToken ?? 0);
        const size = input.maxResults ?? 100;
        const page = arns.slice(start, start + size);
        return { clusterArns: page, nextToken: start + size < n ? String(start + size) : undefined };
      },
    });
    return account;
  }

  it('pages through 250 items with every second call throttled, thanks to the SDK retry layer', async () => {
    const account = accountWithClusters(250);
    let calls = 0;
    const inner = account.ecs.operations();
    account.ecs.operations = () => ({
      ListClusters: (input: { nextToken?: string; maxResults?: number }) => {
        calls += 1;
        if (calls % 2 === 0) throw simError('ThrottlingException', 'Rate exceeded');
        return inner.ListClusters!(input);
      },
    });
    const { ecs } = account.clients();
    const seen: string[] = [];
    for await (const page of paginateListClusters({ client: ecs }, { maxResults: 100 })) seen.push(...(page.clusterArns ?? []));
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    expect(calls).toBe(5);
  });

  it('surfaces a non-retryable error unchanged, after exactly one call', async () => {
    const account = accountWithClusters(1);
    account.failNext('ecs', 'ListClusters', simError('AccessDeniedException', 'no'));
    const { ecs } = account.clients();
    await expect(ecs.send(new ListClustersCommand({}))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(account.countCalls('ecs', 'ListClusters')).toBe(1);
  });

  it('gives up on throttling after maxAttempts and reports the throttling error', async () => {
    const account = accountWithClusters(1);
    account.faults.throttleRate = 1;
    const { ecs } = account.clients({ maxAttempts: 3 });
    await expect(ecs.send(new ListClustersCommand({}))).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(account.countCalls('ecs', 'ListClusters')).toBe(3);
  });
});

describe('virtual clock', () => {
  it('lets concurrent sleeps overlap instead of adding up', async () => {
    const { VirtualClock } = await import('../../sim/clock');
    const clock = new VirtualClock(0);
    await Promise.all(Array.from({ length: 10 }, () => clock.sleep(20)));
    expect(clock.now()).toBe(20);
    await Promise.all([clock.sleep(5).then(() => clock.sleep(5)), clock.sleep(30)]);
    expect(clock.now()).toBe(50);
    expect(clock.waiting).toBe(0);
  });

  it('still wakes later sleepers when a timer on the way aborts the sleep time moved for', async () => {
    const { VirtualClock } = await import('../../sim/clock');
    const clock = new VirtualClock(0);
    const deadline = new AbortController();
    clock.timer(100, () => deadline.abort(new Error('deadline')));
    const cut = clock.sleep(100, deadline.signal).catch((e: Error) => e.message);
    const later = clock.sleep(300).then(() => clock.now());
    expect(await cut).toBe('deadline');
    expect(await later).toBe(300);
  });

  it('runs deferred work before time moves, so what concurrent sleepers ask at one moment is sent at that moment', async () => {
    const { VirtualClock } = await import('../../sim/clock');
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    await Promise.all([
      ...[1, 2, 3].map(async () => {
        await clock.sleep(10);
        await new Promise<void>((resolve) => clock.defer(() => (seen.push(clock.now()), resolve())));
        await clock.sleep(5);
      }),
      clock.sleep(12),
    ]);
    expect(seen).toEqual([10, 10, 10]);
  });

  it('charges parallel API calls their latency once, not once per call', async () => {
    const account = new SimulatedAccount({ start: 0 });
    account.ecs.operations = () => ({ ListClusters: () => ({ clusterArns: [] }) });
    account.faults.latencyMs = 50;
    const { ecs } = account.clients();
    await Promise.all(Array.from({ length: 8 }, () => ecs.send(new ListClustersCommand({}))));
    expect(account.clock.now()).toBe(50);
  });
});
