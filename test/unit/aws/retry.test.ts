import fc from 'fast-check';
import { isThrottling } from '../../../shared/aws/errors';
import { backoffDelay, classifyError, retryUntil, sleepWithin, THROTTLE_BASE_FACTOR, type Backoff } from '../../../shared/aws/retry';
import { ConfigError, EventValidationError } from '../../../shared/lambda/errors';
import { mulberry32 } from '../../../sim/account';
import { VirtualClock } from '../../../sim/clock';

const err = (name: string, extra: object = {}) => Object.assign(new Error('x'), { name }, extra);
const B: Backoff = { baseMs: 1_000, capMs: 8_000 };

describe('isThrottling', () => {
  it.each([
    ['ThrottlingException', true],
    ['Throttling', true],
    ['RequestLimitExceeded', true],
    ['TooManyRequestsException', true],
    ['ProvisionedThroughputExceededException', true],
    ['RequestThrottled', true],
    ['SlowDown', true],
    ['AccessDeniedException', false],
    ['ValidationError', false],
    ['InvalidInstanceID.NotFound', false],
  ])('%s → %s', (name, expected) => {
    expect(isThrottling(err(name))).toBe(expected);
  });

  it("reads the SDK's own throttling mark and HTTP 429 on an error of any name", () => {
    expect(isThrottling(err('SomeModelledError', { $retryable: { throttling: true } }))).toBe(true);
    expect(isThrottling(err('SomeModelledError', { $retryable: {} }))).toBe(false);
    expect(isThrottling(err('Unknown', { $metadata: { httpStatusCode: 429 } }))).toBe(true);
    expect(isThrottling({ Code: 'RequestLimitExceeded' })).toBe(true);
    expect(isThrottling(undefined)).toBe(false);
    expect(isThrottling('Throttling')).toBe(false);
  });
});

describe('classifyError', () => {
  it('stops on a bad config or event, slows down on a throttle, retries the rest', () => {
    expect(classifyError(new ConfigError('bad tag'))).toBe('stop');
    expect(classifyError(new EventValidationError('bad', ['a: b']))).toBe('stop');
    expect(classifyError(err('ThrottlingException'))).toBe('throttled');
    expect(classifyError(err('InternalFailure'))).toBe('retry');
    expect(classifyError('a string')).toBe('retry');
  });
});

describe('backoffDelay', () => {
  it.each([
    // retry, jitter, random, verdict, expected
    [1, 'full', 0.999999, 'retry', 1_000],
    [2, 'full', 0.5, 'retry', 1_000],
    [3, 'full', 1, 'retry', 4_000],
    [4, 'full', 1, 'retry', 8_000],
    [10, 'full', 1, 'retry', 8_000],
    [60, 'full', 1, 'retry', 8_000],
    [1, 'full', 0, 'retry', 0],
    [1, 'equal', 0, 'retry', 500],
    [1, 'equal', 1, 'retry', 1_000],
    [3, 'equal', 0, 'retry', 2_000],
    [1, 'full', 1, 'throttled', 1_000 * THROTTLE_BASE_FACTOR],
    [4, 'full', 1, 'throttled', 8_000],
  ] as const)('retry %i, %s jitter, random %d, %s → %i ms', (retry, jitter, r, verdict, expected) => {
    expect(backoffDelay(retry, { ...B, jitter }, () => r, verdict)).toBe(Math.round(expected));
  });
});

describe('sleepWithin', () => {
  it('never starts a sleep that would reach the deadline, and answers false on an abort', async () => {
    const clock = new VirtualClock();
    const t0 = clock.now();
    expect(await sleepWithin(clock, t0 + 1_000, 1_000)).toBe(false);
    expect(clock.now()).toBe(t0);
    expect(await sleepWithin(clock, t0 + 1_001, 1_000)).toBe(true);
    expect(clock.now()).toBe(t0 + 1_000);
    expect(await sleepWithin(clock, Infinity, 10, AbortSignal.abort())).toBe(false);
    const ctl = new AbortController();
    const slept = sleepWithin(clock, Infinity, 60_000, ctl.signal);
    ctl.abort();
    expect(await slept).toBe(false);
  });
});

describe('retryUntil', () => {
  const failing = (failures: number, error: unknown = err('InternalFailure')) => {
    const at: number[] = [];
    return {
      at,
      fn: (clock: VirtualClock) => async () => {
        at.push(clock.now());
        if (at.length <= failures) throw error;
        return 'ok';
      },
    };
  };

  it('answers the value after failures, waiting a jittered, doubling backoff between attempts', async () => {
    const clock = new VirtualClock();
    const t0 = clock.now();
    const f = failing(3);
    const r = await retryUntil(t0 + 60_000, f.fn(clock), { clock, backoff: B, random: () => 1 });
    expect(r).toEqual({ ok: true, value: 'ok', attempts: 4, throttled: 0 });
    expect(f.at.map((t) => t - t0)).toEqual([0, 1_000, 3_000, 7_000]);
  });

  it('gives up with `deadline` rather than start a wait that would reach the deadline', async () => {
    const clock = new VirtualClock();
    const t0 = clock.now();
    const f = failing(100);
    const r = await retryUntil(t0 + 10_000, f.fn(clock), { clock, backoff: B, random: () => 1 });
    expect(r).toMatchObject({ ok: false, reason: 'deadline', attempts: 4 });
    expect(clock.now()).toBeLessThan(t0 + 10_000);
    expect(f.at.map((t) => t - t0)).toEqual([0, 1_000, 3_000, 7_000]);
  });

  it('makes no attempt once the deadline has passed', async () => {
    const clock = new VirtualClock();
    const f = failing(0);
    const r = await retryUntil(clock.now(), f.fn(clock), { clock, backoff: B });
    expect(r).toMatchObject({ ok: false, reason: 'deadline', attempts: 0 });
    expect(f.at).toEqual([]);
  });

  it('stops at once when classify says stop, and after maxAttempts otherwise', async () => {
    const clock = new VirtualClock();
    const stop = failing(5, new ConfigError('bad'));
    expect(await retryUntil(Infinity, stop.fn(clock), { clock, backoff: B })).toMatchObject({ ok: false, reason: 'stopped', attempts: 1 });
    const capped = failing(5);
    const r = await retryUntil(Infinity, capped.fn(clock), { clock, backoff: B, maxAttempts: 3 });
    expect(r).toMatchObject({ ok: false, reason: 'attempts', attempts: 3 });
    expect(r.ok ? undefined : r.error).toMatchObject({ name: 'InternalFailure' });
  });

  it('counts throttles and waits longer after one', async () => {
    const clock = new VirtualClock();
    const t0 = clock.now();
    const f = failing(1, err('Throttling'));
    const r = await retryUntil(Infinity, f.fn(clock), { clock, backoff: B, random: () => 1 });
    expect(r).toEqual({ ok: true, value: 'ok', attempts: 2, throttled: 1 });
    expect(f.at[1]! - t0).toBe(B.baseMs * THROTTLE_BASE_FACTOR);
  });

  it("ends with `aborted` when the caller's signal fires during a wait, and tries nothing after it", async () => {
    const clock = new VirtualClock();
    const ctl = new AbortController();
    const f = failing(100);
    clock.timer(clock.now() + 2_000, () => ctl.abort(new Error('time is up')));
    const r = await retryUntil(Infinity, f.fn(clock), { clock, backoff: B, random: () => 1, signal: ctl.signal });
    expect(r).toMatchObject({ ok: false, reason: 'aborted', attempts: 2 });
    expect(f.at).toHaveLength(2);
  });

  it('hands every attempt a signal that fires at the deadline, so a call in flight then is abandoned', async () => {
    const clock = new VirtualClock();
    const t0 = clock.now();
    const r = await retryUntil(t0 + 5_000, ({ signal }) => clock.sleep(60_000, signal).then(() => 'late'), { clock, backoff: B });
    expect(r).toMatchObject({ ok: false, reason: 'deadline', attempts: 1 });
    expect(r.ok ? undefined : r.error).toMatchObject({ message: 'retry deadline reached' });
  });

  it("reports AWS's last error, not the abort, when the deadline cuts the last attempt short", async () => {
    const clock = new VirtualClock();
    const t0 = clock.now();
    const r = await retryUntil(
      t0 + 5_000,
      async ({ attempt, signal }) => {
        if (attempt === 1) throw err('ServiceUnavailable');
        await clock.sleep(60_000, signal);
        return 'late';
      },
      { clock, backoff: B, random: () => 1 },
    );
    expect(r).toMatchObject({ ok: false, reason: 'deadline', attempts: 2, error: { name: 'ServiceUnavailable' } });
  });

  it('tells onRetry of each wait before it', async () => {
    const clock = new VirtualClock();
    const seen: Array<[number, number]> = [];
    await retryUntil(Infinity, failing(2).fn(clock), {
      clock,
      backoff: B,
      random: () => 0.5,
      onRetry: (x) => seen.push([x.attempt, x.waitMs]),
    });
    expect(seen).toEqual([
      [1, 500],
      [2, 1_000],
    ]);
  });

  it('for any seed, backoff and failure count: never runs past the deadline, attempts bounded, every wait within its jitter bounds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 30_000 }),
        fc.constantFrom('full' as const, 'equal' as const),
        fc.integer({ min: 0, max: 120_000 }),
        fc.integer({ min: 0, max: 40 }),
        fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
        fc.boolean(),
        async (seed, baseMs, capMs, jitter, budget, failures, maxAttempts, throttle) => {
          const clock = new VirtualClock();
          const t0 = clock.now();
          const deadline = t0 + budget;
          const backoff: Backoff = { baseMs, capMs, jitter };
          const f = failing(failures, throttle ? err('ThrottlingException') : err('InternalFailure'));
          const waits: Array<{ attempt: number; waitMs: number }> = [];
          const r = await retryUntil(deadline, f.fn(clock), {
            clock,
            backoff,
            random: mulberry32(seed),
            ...(maxAttempts !== undefined ? { maxAttempts } : {}),
            onRetry: (x) => waits.push(x),
          });
          // Never past the deadline: every attempt started before it, and the loop returned before it.
          expect(f.at.every((t) => t < deadline)).toBe(true);
          expect(clock.now()).toBeLessThanOrEqual(Math.max(t0, deadline));
          // Attempts bounded by maxAttempts, and by one more than the failures.
          expect(r.attempts).toBe(f.at.length);
          expect(r.attempts).toBeLessThanOrEqual(Math.min(maxAttempts ?? Infinity, failures + 1));
          if (budget === 0) expect(r.attempts).toBe(0);
          expect(r.ok).toBe(r.attempts === failures + 1);
          // Each wait within [floor, ceiling] of its retry number.
          const base = throttle ? baseMs * THROTTLE_BASE_FACTOR : baseMs;
          for (const w of waits) {
            const ceiling = Math.min(capMs, base * 2 ** (w.attempt - 1));
            expect(w.waitMs).toBeLessThanOrEqual(Math.round(ceiling));
            expect(w.waitMs).toBeGreaterThanOrEqual(jitter === 'equal' ? Math.round(ceiling / 2) : 0);
          }
          // The waits are what separated the attempts.
          for (let i = 1; i < f.at.length; i++) expect(f.at[i]! - f.at[i - 1]!).toBe(waits[i - 1]!.waitMs);
        },
      ),
      { numRuns: 300, seed: 18 },
    );
  });
});
