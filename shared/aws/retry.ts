import { setTimer, type Clock } from '../lambda/clock';
import { isThrottling } from './errors';

/**
 * The one retry policy every loop that retries uses: exponential backoff with jitter, bounded
 * by a deadline. Jitter spreads the retries of many concurrent invocations (a wave of drains,
 * every cluster's tick) so they do not hit a throttled API in step — "full jitter" of the AWS
 * Architecture Blog's "Exponential Backoff and Jitter"
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/), the same shape
 * as the SDKs' standard retry mode (a random fraction of min(base × 2^i, max backoff);
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html). These retries
 * sit *above* the SDK's own: they cover what the SDK gave up on (its attempts spent, a
 * per-item failure, a whole read of several calls), so their waits are seconds, not the SDK's
 * tens of milliseconds.
 */

export interface Backoff {
  /** The first retry's ceiling; it doubles with every retry. */
  baseMs: number;
  /** No ceiling is above this. */
  capMs: number;
  /**
   * `full` (default): uniform in [0, ceiling]. `equal`: uniform in [ceiling/2, ceiling] — for a
   * loop whose failures must not come back at once (the drain's, whose plan re-reads at its own
   * pace and must not spin while its clock stands still).
   */
  jitter?: 'full' | 'equal';
}

/** What a failure means: try again, try again after a throttle (a longer backoff), or stop now. */
export type Verdict = 'retry' | 'throttled' | 'stop';

/**
 * A throttle's ceilings start this many times higher: the service asked for fewer requests,
 * and the SDK has already spent its own (throttle-aware) attempts on it.
 */
export const THROTTLE_BASE_FACTOR = 2;

/** Our own errors for bad deployment or bad input never succeed on a second try. */
const PERMANENT = new Set(['ConfigError', 'EventValidationError']);

/** The default classification: a bad config or event stops; a throttle retries slower; the rest retries. */
export function classifyError(err: unknown): Verdict {
  const name = err instanceof Error ? err.name : undefined;
  if (name !== undefined && PERMANENT.has(name)) return 'stop';
  return isThrottling(err) ? 'throttled' : 'retry';
}

/** The wait before retry `retry` (1 = the first retry). `random` answers in [0, 1). */
export function backoffDelay(retry: number, b: Backoff, random: () => number, verdict: Verdict = 'retry'): number {
  const base = verdict === 'throttled' ? b.baseMs * THROTTLE_BASE_FACTOR : b.baseMs;
  const ceiling = Math.min(b.capMs, base * 2 ** Math.max(0, retry - 1));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(b.jitter === 'equal' ? ceiling / 2 + (r * ceiling) / 2 : r * ceiling);
}

/** The clock's jitter source (seeded in the simulator), or Math.random. */
export function jitterOf(clock: Clock): () => number {
  return clock.random ? () => clock.random!() : Math.random;
}

/**
 * Sleep `ms` unless the sleep would reach `deadline` or `signal` is (or gets) aborted. True ⇒ slept
 * to the end and there is time left to try again; false ⇒ do not retry. Never throws.
 */
export async function sleepWithin(clock: Clock, deadline: number, ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted || clock.now() + ms >= deadline) return false;
  try {
    await clock.sleep(ms, signal);
    return true;
  } catch {
    return false;
  }
}

export interface RetryOptions {
  clock: Clock;
  backoff: Backoff;
  /** Jitter's source, in [0, 1): default the clock's (`jitterOf`). */
  random?: () => number;
  /** Default `classifyError`. */
  classify?: (err: unknown) => Verdict;
  /** At most this many attempts (default: as many as the deadline allows). */
  maxAttempts?: number;
  /** The caller's own signal (the invocation's end): once aborted, nothing more is tried. */
  signal?: AbortSignal;
  /** Told before each wait, e.g. for a log line. */
  onRetry?: (r: { error: unknown; attempt: number; waitMs: number; verdict: Verdict }) => void;
}

/** One attempt: its number (from 1) and a signal that fires at the deadline (or the caller's abort). */
export interface Attempt {
  attempt: number;
  signal: AbortSignal;
}

/**
 * How it ended. `deadline`: the next wait would have reached the deadline (or it had passed before
 * the first attempt: `attempts` 0, or fired during an attempt); `attempts`: `maxAttempts` spent;
 * `stopped`: `classify` said stop; `aborted`: the caller's signal fired. `error` is the last
 * attempt's — unless the abort cut that one short, then the one before it (AWS's, not "aborted").
 */
export type RetryOutcome<T> =
  | { ok: true; value: T; attempts: number; throttled: number }
  | { ok: false; reason: 'deadline' | 'attempts' | 'stopped' | 'aborted'; error: unknown; attempts: number; throttled: number };

/**
 * Call `fn` until it answers, `classify` says stop, the attempts are spent, or the next wait
 * would reach `deadline`. Never sleeps past the deadline; every attempt gets a signal that fires
 * at the deadline, so a call still in flight then (or in the SDK's own backoff) is abandoned.
 * Never throws: every path answers a typed outcome.
 */
export async function retryUntil<T>(deadline: number, fn: (a: Attempt) => Promise<T>, o: RetryOptions): Promise<RetryOutcome<T>> {
  const { clock } = o;
  const random = o.random ?? jitterOf(clock);
  const classify = o.classify ?? classifyError;
  const maxAttempts = o.maxAttempts ?? Infinity;
  const atDeadline = new AbortController();
  const cancel = Number.isFinite(deadline)
    ? setTimer(clock, deadline, () => atDeadline.abort(new Error('retry deadline reached')))
    : () => undefined;
  const signal = o.signal ? AbortSignal.any([o.signal, atDeadline.signal]) : atDeadline.signal;
  let error: unknown = new Error('not attempted: the deadline had passed');
  let throttled = 0;
  const fail = (reason: 'deadline' | 'attempts' | 'stopped' | 'aborted', attempts: number): RetryOutcome<T> => ({
    ok: false,
    reason,
    error,
    attempts,
    throttled,
  });
  try {
    for (let attempt = 1; ; attempt++) {
      if (o.signal?.aborted) return fail('aborted', attempt - 1);
      if (clock.now() >= deadline) return fail('deadline', attempt - 1);
      try {
        return { ok: true, value: await fn({ attempt, signal }), attempts: attempt, throttled };
      } catch (err) {
        // An attempt our own signal cut short says nothing new: the error before it is the one to report.
        if (!signal.aborted || attempt === 1) error = err;
        if (o.signal?.aborted) return fail('aborted', attempt);
        if (atDeadline.signal.aborted) return fail('deadline', attempt);
        const verdict = classify(err);
        if (verdict === 'throttled') throttled++;
        if (verdict === 'stop') return fail('stopped', attempt);
        if (attempt >= maxAttempts) return fail('attempts', attempt);
        const waitMs = backoffDelay(attempt, o.backoff, random, verdict);
        if (clock.now() + waitMs >= deadline) return fail('deadline', attempt);
        o.onRetry?.({ error: err, attempt, waitMs, verdict });
        if (!(await sleepWithin(clock, deadline, waitMs, o.signal))) return fail(o.signal?.aborted ? 'aborted' : 'deadline', attempt);
      }
    }
  } finally {
    cancel();
  }
}
