/**
 * What the simulator's time offers. Declared here (sim/ imports nothing from shared/), and
 * structurally the same as production's `Clock`, so a VirtualClock can be handed to handlers.
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

interface Sleeper {
  at: number;
  wake: () => void;
}

/**
 * Simulated time. A `sleep` does not wait in real time: once the program has nothing else
 * to do (every pending promise is waiting on the clock), time jumps to the earliest wake-up
 * and those sleepers resume. Concurrent sleeps therefore overlap as they would in real
 * time — ten parallel calls of 20 ms take 20 ms, not 200 — and a two-minute drain still
 * runs in milliseconds. The account applies whatever became due (targets leaving
 * `draining`, Spot instances reclaimed) before it answers the next call.
 */
export class VirtualClock implements Clock {
  private t: number;
  private sleepers: Sleeper[] = [];
  private advanceScheduled = false;

  constructor(start: number | string = '2026-11-23T10:00:00Z') {
    this.t = typeof start === 'number' ? start : Date.parse(start);
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number): Promise<void> {
    if (!(ms > 0)) return Promise.resolve();
    return new Promise((wake) => {
      this.sleepers.push({ at: this.t + ms, wake });
      this.scheduleAdvance();
    });
  }

  /** Move time forward by hand (tests: "the notice arrives 90 s late"); due sleepers wake. */
  advance(ms: number): void {
    if (ms > 0) this.t += ms;
    this.wakeDue();
  }

  set(at: number): void {
    if (at > this.t) this.t = at;
    this.wakeDue();
  }

  /** Sleepers not yet woken (a test can check nothing is left waiting). */
  get waiting(): number {
    return this.sleepers.length;
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
      if (this.sleepers.length === 0) return;
      const next = Math.min(...this.sleepers.map((s) => s.at));
      if (next > this.t) this.t = next;
      this.wakeDue();
    });
  }

  private wakeDue(): void {
    const due = this.sleepers.filter((s) => s.at <= this.t);
    if (due.length === 0) return;
    this.sleepers = this.sleepers.filter((s) => s.at > this.t);
    for (const s of due) s.wake();
    if (this.sleepers.length > 0) this.scheduleAdvance();
  }
}
