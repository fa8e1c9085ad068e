import { STEP_RANK, type DrainPlan, type DrainRead, type DrainState, type DrainStep, type DrainTimes, type RetryKey } from './types';

/** Collects a plan's steps (each with its reason), reads and wake-up time; knows which keys are due after a failure. */
export class PlanBuilder {
  private readonly steps: Array<{ step: DrainStep; reason: string }> = [];
  private readonly reads: DrainRead[] = [];
  private wakeAt = Infinity;
  constructor(
    private readonly state: DrainState,
    private readonly now: number,
  ) {
    for (const r of state.retries.values()) this.wake(r.notBefore);
  }
  /** A step or read that failed is tried again only after its backoff. */
  due(key: RetryKey): boolean {
    const r = this.state.retries.get(key);
    return !r || this.now >= r.notBefore;
  }
  step(step: DrainStep, reason: string): void {
    this.steps.push({ step, reason });
  }
  read(read: DrainRead): void {
    this.reads.push(read);
  }
  wake(at: number): void {
    if (at > this.now && at < this.wakeAt) this.wakeAt = at;
  }
  has(kind: DrainStep['kind']): boolean {
    return this.steps.some((x) => x.step.kind === kind);
  }
  hasReads(): boolean {
    return this.reads.length > 0;
  }
  hasWork(): boolean {
    return this.reads.length > 0 || this.steps.some((x) => x.step.kind !== 'heartbeat');
  }
  stepCount(): number {
    return this.steps.filter((x) => x.step.kind !== 'heartbeat').length;
  }
  nextWake(): number {
    return this.wakeAt;
  }
  plan(times: DrainTimes, o: { readsOnly?: boolean } = {}): DrainPlan {
    const wakeAt = Math.min(this.wakeAt, times.stepEndsAt > this.now ? times.stepEndsAt : Infinity);
    const sorted = o.readsOnly ? [] : ordered(this.steps);
    return {
      steps: sorted.map((x) => x.step),
      reads: this.reads,
      reasons: sorted.map((x) => x.reason),
      ...(Number.isFinite(wakeAt) ? { wakeAt } : {}),
    };
  }
  done(outcome: NonNullable<DrainPlan['outcome']>, why: string): DrainPlan {
    const sorted = ordered(this.steps);
    return { steps: sorted.map((x) => x.step), reads: [], reasons: sorted.map((x) => x.reason), outcome, why };
  }
}

/** Steps in the order the executor keeps: DRAINING and deregistrations first, then stops, then records, then lifecycle. */
const ordered = <T extends { step: DrainStep }>(steps: T[]): T[] =>
  steps
    .map((x, i) => ({ x, i }))
    .sort((a, b) => STEP_RANK[a.x.step.kind] - STEP_RANK[b.x.step.kind] || a.i - b.i)
    .map((y) => y.x);
