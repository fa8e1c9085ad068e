import { INITIAL_RETRY_TOKENS, MAXIMUM_RETRY_DELAY, NO_RETRY_INCREMENT, Retry } from '@smithy/core/retry';
import type { RetryErrorInfo, RetryStrategyV2, StandardRetryToken } from '@smithy/types';
import type { Clock } from './clock';

/** What the SDK's retry middleware reads from a token (`$retryLog` feeds `$metadata.totalRetryDelay`). */
interface SimRetryToken extends StandardRetryToken {
  isLongPoll(): boolean;
  $retryLog: { acquisitionDelay: number };
}

function token(count: number, cost: number | undefined, longPoll: boolean, waited = 0): SimRetryToken {
  return {
    getRetryCount: () => count,
    // The wait already happened (on the virtual clock): the middleware must not sleep again.
    getRetryDelay: () => 0,
    getRetryCost: () => cost,
    isLongPoll: () => longPoll,
    $retryLog: { acquisitionDelay: waited },
  };
}

/**
 * The SDK's standard retry strategy (StandardRetryStrategy in the installed @smithy/core),
 * with two changes so simulated runs are faithful and repeatable:
 * - the backoff elapses on the virtual clock (the SDK sleeps with setTimeout, in real time,
 *   which would let simulated time jump past a retry that is still waiting);
 * - the jitter comes from the account's seeded generator (the SDK uses Math.random).
 * The rest is the SDK's, read from its own constants so an SDK upgrade carries over: full
 * jitter `random × min(base × 2^retries, 20 s)` with base `Retry.throttlingDelay()` for
 * throttling errors and `Retry.delay()` otherwise (1 s and 50 ms in the installed version;
 * older SDKs used 100 ms for both); only THROTTLING and TRANSIENT errors are retried; a retry
 * quota of INITIAL_RETRY_TOKENS (500) per client, each retry costing `Retry.cost()` (14) or
 * `Retry.throttlingCost()` (5) for throttling, refunded on success (1 for a first-try success).
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 * A `retry-after` hint is not modelled (the simulator never sends one).
 */
export class VirtualStandardRetryStrategy implements RetryStrategyV2 {
  readonly mode = 'standard';
  private capacity = INITIAL_RETRY_TOKENS;

  constructor(private readonly options: { maxAttempts: number; clock: Clock; random: () => number }) {}

  async acquireInitialRetryToken(retryTokenScope: string): Promise<StandardRetryToken> {
    return token(0, undefined, retryTokenScope.includes(':longpoll'));
  }

  async refreshRetryTokenForRetry(previous: StandardRetryToken, errorInfo: RetryErrorInfo): Promise<StandardRetryToken> {
    const retries = previous.getRetryCount();
    const longPoll = (previous as Partial<SimRetryToken>).isLongPoll?.() ?? false;
    const retryable = errorInfo.errorType === 'THROTTLING' || errorInfo.errorType === 'TRANSIENT';
    const cost = errorInfo.errorType === Retry.modifiedCostType() ? Retry.throttlingCost() : Retry.cost();
    const attemptsLeft = retries + 1 < this.options.maxAttempts;
    const capacityLeft = this.capacity >= cost;
    if (retryable && attemptsLeft && capacityLeft) {
      const delay = this.backoff(errorInfo, retries);
      this.capacity -= cost;
      await this.options.clock.sleep(delay);
      return token(retries + 1, cost, longPoll, delay);
    }
    // The SDK still waits before giving up a long poll refused for lack of retry capacity.
    if (retryable && attemptsLeft && longPoll) await this.options.clock.sleep(this.backoff(errorInfo, retries));
    throw new Error('No retry token available');
  }

  recordSuccess(previous: StandardRetryToken): void {
    this.capacity = Math.min(INITIAL_RETRY_TOKENS, this.capacity + (previous.getRetryCost() ?? NO_RETRY_INCREMENT));
  }

  /** Retry quota left (the SDK's getCapacity). */
  getCapacity(): number {
    return this.capacity;
  }

  private backoff(errorInfo: RetryErrorInfo, retries: number): number {
    const base = errorInfo.errorType === 'THROTTLING' ? Retry.throttlingDelay() : Retry.delay();
    return Math.floor(this.options.random() * Math.min(base * 2 ** retries, MAXIMUM_RETRY_DELAY));
  }
}
