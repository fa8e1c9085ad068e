/** Time is a dependency: Lambda uses the system clock, tests and the demo a virtual one. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason if it is aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Run `run` once the clock reaches `at`; answers a cancel function. */
  timer?(at: number, run: () => void): () => void;
  /**
   * Run `run` once everything that can run now has run, before time moves on: what several
   * concurrent drains ask at the same moment is gathered and sent as one call.
   */
  defer?(run: () => void): void;
  /** Jitter for retry backoff, in [0, 1) (aws/retry.ts): Math.random when absent; seeded in the simulator, so a run repeats for its seed. */
  random?(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  defer: (run) => void setImmediate(run),
  timer: (at, run) => {
    const t = setTimeout(run, Math.min(2 ** 31 - 1, Math.max(0, at - Date.now()))).unref();
    return () => clearTimeout(t);
  },
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => (signal?.removeEventListener('abort', cancel), resolve()), Math.max(0, ms));
      const cancel = () => (clearTimeout(timer), reject(signal?.reason));
      signal?.addEventListener('abort', cancel, { once: true });
    }),
};

/** Run `run` once `clock` reaches `at`: the clock's own timer, or a real one (unref'd) for a clock without. Answers a cancel function. */
export function setTimer(clock: Clock, at: number, run: () => void): () => void {
  if (clock.timer) return clock.timer(at, run);
  const t = setTimeout(run, Math.min(2 ** 31 - 1, Math.max(0, at - clock.now()))).unref();
  return () => clearTimeout(t);
}

/** Run `run` after whatever can run now (the clock's own `defer`, or setImmediate). */
export function deferOn(clock: Clock, run: () => void): void {
  if (clock.defer) clock.defer(run);
  else setImmediate(run);
}
