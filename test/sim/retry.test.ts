import { ListClustersCommand } from '@aws-sdk/client-ecs';
import type { RetryErrorType } from '@smithy/types';
import { SimulatedAccount } from '../../sim/account';
import { VirtualClock } from '../../sim/clock';
import { simError } from '../../sim/errors';
import { VirtualStandardRetryStrategy } from '../../sim/retry';

/** An account whose cluster-read bucket holds one token and refills one per second. */
function tightAccount(seed?: number) {
  const account = new SimulatedAccount({ seed });
  account.ecs.createCluster('web');
  account.rateLimits.set('ecs:cluster-read', { capacity: 1, refillPerSecond: 1 });
  return account;
}

async function timeline(seed: number) {
  const account = tightAccount(seed);
  const { ecs } = account.clients();
  await ecs.send(new ListClustersCommand({}));
  await ecs.send(new ListClustersCommand({}));
  return account.calls.map((c) => [c.at, c.error ?? 'ok']);
}

describe('SDK retries back off on the virtual clock', () => {
  it('retries a throttled call after a simulated backoff, and the wait shows in $metadata and on the clock', async () => {
    const account = tightAccount();
    const { ecs } = account.clients();
    await ecs.send(new ListClustersCommand({})); // takes the only token
    const startedAt = account.clock.now();
    const realStart = Date.now();

    const out = await ecs.send(new ListClustersCommand({}));

    expect(out.clusterArns).toHaveLength(1);
    const attempts = account.calls.slice(1);
    expect(attempts[0]).toMatchObject({ error: 'ThrottlingException', throttledBy: 'ecs:cluster-read', at: startedAt });
    expect(attempts.at(-1)!.error).toBeUndefined();
    expect(out.$metadata.attempts).toBe(attempts.length);
    // Every wait between attempts was simulated: the clock moved exactly by the SDK's total retry delay...
    expect(account.clock.now() - startedAt).toBe(out.$metadata.totalRetryDelay);
    // ...which had to be at least the one second the bucket needed to refill, without a real second passing.
    expect(out.$metadata.totalRetryDelay).toBeGreaterThanOrEqual(1_000);
    expect(Date.now() - realStart).toBeLessThan(1_000);
  });

  it('draws the jitter from the seed: the same seed gives the same timeline, another seed another one', async () => {
    const a = await timeline(7);
    expect(await timeline(7)).toEqual(a);
    expect(await timeline(8)).not.toEqual(a);
  });

  it('surfaces the error after maxAttempts, still in simulated time', async () => {
    const account = tightAccount();
    account.failNext('ecs', 'ListClusters', () => simError('InternalFailure', 'boom', 500), { times: 10 });
    const { ecs } = account.clients({ maxAttempts: 4 });
    await expect(ecs.send(new ListClustersCommand({}))).rejects.toMatchObject({ name: 'InternalFailure', $metadata: { attempts: 4 } });
    expect(account.countCalls('ecs', 'ListClusters')).toBe(4);
  });
});

describe('VirtualStandardRetryStrategy follows the SDK standard strategy', () => {
  const retryOnce = async (strategy: VirtualStandardRetryStrategy, errorType: RetryErrorType, retries: number) => {
    let t = await strategy.acquireInitialRetryToken('');
    for (let i = 0; i < retries; i += 1) t = await strategy.refreshRetryTokenForRetry(t, { errorType });
    return t;
  };

  it('backs off exponentially with full jitter: base 1 s for throttling, 50 ms otherwise, at most 20 s', async () => {
    const clock = new VirtualClock(0);
    const strategy = new VirtualStandardRetryStrategy({ maxAttempts: 10, clock, random: () => 0.999 });
    const waits: number[] = [];
    let t = await strategy.acquireInitialRetryToken('');
    for (let i = 0; i < 7; i += 1) {
      const before = clock.now();
      t = await strategy.refreshRetryTokenForRetry(t, { errorType: 'THROTTLING' });
      waits.push(clock.now() - before);
      expect(t.getRetryDelay()).toBe(0); // the middleware must not wait again
    }
    expect(waits).toEqual([999, 1998, 3996, 7992, 15984, 19980, 19980]);

    const transient = new VirtualStandardRetryStrategy({ maxAttempts: 10, clock, random: () => 0.5 });
    const before = clock.now();
    await retryOnce(transient, 'TRANSIENT', 3);
    expect(clock.now() - before).toBe(25 + 50 + 100);
  });

  it('retries only throttling and transient errors, up to maxAttempts', async () => {
    const strategy = new VirtualStandardRetryStrategy({ maxAttempts: 3, clock: new VirtualClock(0), random: () => 0 });
    const first = await strategy.acquireInitialRetryToken('');
    await expect(strategy.refreshRetryTokenForRetry(first, { errorType: 'CLIENT_ERROR' })).rejects.toThrow('No retry token available');
    await expect(strategy.refreshRetryTokenForRetry(first, { errorType: 'SERVER_ERROR' })).rejects.toThrow('No retry token available');
    const second = await strategy.refreshRetryTokenForRetry(first, { errorType: 'TRANSIENT' });
    const third = await strategy.refreshRetryTokenForRetry(second, { errorType: 'THROTTLING' });
    await expect(strategy.refreshRetryTokenForRetry(third, { errorType: 'THROTTLING' })).rejects.toThrow('No retry token available');
  });

  it('spends a retry quota of 500 per client (14 a retry, 5 for throttling) and refunds it on success', async () => {
    const strategy = new VirtualStandardRetryStrategy({ maxAttempts: 1_000, clock: new VirtualClock(0), random: () => 0 });
    const t = await retryOnce(strategy, 'THROTTLING', 100);
    expect(strategy.getCapacity()).toBe(0);
    await expect(strategy.refreshRetryTokenForRetry(t, { errorType: 'THROTTLING' })).rejects.toThrow('No retry token available');
    strategy.recordSuccess(t);
    expect(strategy.getCapacity()).toBe(5);
    const fresh = new VirtualStandardRetryStrategy({ maxAttempts: 3, clock: new VirtualClock(0), random: () => 0 });
    strategy.recordSuccess(await fresh.acquireInitialRetryToken(''));
    expect(strategy.getCapacity()).toBe(6);
    await retryOnce(fresh, 'TRANSIENT', 1);
    expect(fresh.getCapacity()).toBe(500 - 14);
  });
});
