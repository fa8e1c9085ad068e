import type { Clock } from '../shared/clock';

/**
 * Simulated time. `sleep` moves time forward at once, so a two-minute drain runs in
 * milliseconds; the account applies whatever became due (targets leaving `draining`,
 * Spot instances reclaimed) before it answers the next call.
 */
export class VirtualClock implements Clock {
  private t: number;
  constructor(start: number | string = '2026-11-23T10:00:00Z') {
    this.t = typeof start === 'number' ? start : Date.parse(start);
  }
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    if (ms > 0) this.t += ms;
  }
  advance(ms: number): void {
    if (ms > 0) this.t += ms;
  }
  set(at: number): void {
    if (at > this.t) this.t = at;
  }
}
