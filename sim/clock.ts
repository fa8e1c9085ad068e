/**
 * What the simulator's time offers. Declared here (sim/ imports nothing from shared/), and
 * structurally the same as production's `Clock`, so a VirtualClock can be handed to handlers.
 */
export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason if it is aborted first (the sleeper is removed). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Run `run` once time reaches `at`, without making time move there; answers a cancel function. */
  timer(at: number, run: () => void): () => void;
  /** Run `run` once everything runnable now has run, before time moves. */
  defer(run: () => void): void;
  /** Jitter for the code's own retry backoff, in [0, 1). */
  random(): number;
}

interface Sleeper {
  at: number;
  wake: () => void;
}

interface Timer {
  at: number;
  seq: number;
  run: () => void;
}

/**
 * Simulated time. A `sleep` does not wait in real time: once the program has nothing else
 * to do (every pending promise is waiting on the clock), time jumps to the earliest wake-up
 * and those sleepers resume. Concurrent sleeps therefore overlap as they would in real
 * time — ten parallel calls of 20 ms take 20 ms, not 200 — and a two-minute drain still
 * runs in milliseconds. Timers (`at`: targets leaving `draining`, Spot instances reclaimed,
 * ECS reacting) run at their own time whenever time moves past them, so what they record and
 * what they schedule in turn is timed exactly, not at whenever someone next looked.
 */
export class VirtualClock implements Clock {
  private t: number;
  private sleepers: Sleeper[] = [];
  private timers: Timer[] = [];
  private seq = 0;
  private advanceScheduled = false;
  private deferred: Array<() => void> = [];
  /** Jitter for the code's own retry backoff (the account seeds it); Math.random on a bare clock. */
  random: () => number = Math.random;

  constructor(start: number | string = '2026-11-23T10:00:00Z') {
    this.t = typeof start === 'number' ? start : Date.parse(start);
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!(ms > 0)) return Promise.resolve();
    return new Promise((wake, fail) => {
      const sleeper: Sleeper = { at: this.t + ms, wake: () => (signal?.removeEventListener('abort', cancel), wake()) };
      // A cancelled sleep leaves no sleeper behind: time must not jump to a wake-up nobody waits for.
      const cancel = () => {
        this.sleepers = this.sleepers.filter((x) => x !== sleeper);
        fail(signal?.reason);
      };
      signal?.addEventListener('abort', cancel, { once: true });
      this.sleepers.push(sleeper);
      this.scheduleAdvance();
    });
  }

  /**
   * Run `run` after every promise callback that can run now, and before time moves: time
   * advances only once nothing is runnable and nothing is deferred, so concurrent
   * invocations that wake at the same moment all act at that moment, in the same order on
   * every run (virtual time is then a function of the seed, not of the host's scheduling).
   */
  defer(run: () => void): void {
    this.deferred.push(run);
    this.scheduleAdvance();
  }

  /** Run `run` (synchronously) once time reaches `at`, with the clock reading `at` (or now, if that is past). */
  at(at: number, run: () => void): void {
    this.timers.push({ at, seq: this.seq++, run });
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  /**
   * A timer that fires when time passes `at` (by a sleep or by hand) but, unlike a sleeper,
   * never makes time jump there by itself: a deadline watch must not end a drain early.
   */
  timer(at: number, run: () => void): () => void {
    const t: Timer = { at, seq: this.seq++, run };
    this.timers.push(t);
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    return () => {
      this.timers = this.timers.filter((x) => x !== t);
    };
  }

  /** Run the timers that are due now. */
  runDue(): void {
    this.moveTo(this.t);
  }

  /** Move time forward by hand (tests: "the notice arrives 90 s late"); timers run on the way, due sleepers wake. */
  advance(ms: number): void {
    this.moveTo(this.t + Math.max(0, ms));
  }

  set(at: number): void {
    this.moveTo(Math.max(at, this.t));
  }

  /** Sleepers not yet woken (a test can check nothing is left waiting). */
  get waiting(): number {
    return this.sleepers.length;
  }

  private moveTo(target: number): void {
    while (this.timers.length > 0 && this.timers[0]!.at <= target) {
      const timer = this.timers.shift()!;
      if (timer.at > this.t) this.t = timer.at;
      timer.run();
    }
    if (target > this.t) this.t = target;
    this.wakeDue();
  }

  /**
   * setImmediate runs after every queued promise callback: when it fires, whatever could
   * run without time passing has run, so time may jump to the next wake-up.
   */
  private scheduleAdvance(): void {
    if (this.advanceScheduled) return;
    this.advanceScheduled = true;
    setImmediate(() => {
      this.advanceScheduled = false;
      if (this.deferred.length > 0) {
        // Deferred work first (it may start calls that sleep): time moves only on a later turn.
        const runs = this.deferred;
        this.deferred = [];
        for (const run of runs) run();
        this.scheduleAdvance();
        return;
      }
      if (this.sleepers.length === 0) return;
      this.moveTo(Math.min(...this.sleepers.map((s) => s.at)));
    });
  }

  private wakeDue(): void {
    const due = this.sleepers.filter((s) => s.at <= this.t);
    this.sleepers = this.sleepers.filter((s) => s.at > this.t);
    for (const s of due) s.wake();
    // Also when none was due: a timer on the way (a deadline aborting a sleep) may have removed
    // the sleeper time moved for, and the others must still be woken in their turn.
    if (this.sleepers.length > 0) this.scheduleAdvance();
  }
}
