import type { ServiceName } from './clients';

export interface FaultKnobs {
  /** Share of calls (0..1) answered with the service's throttling error, drawn from a seeded generator. */
  throttleRate: number;
  /** Only these operations are throttled (all when empty). */
  throttleOperations: string[];
  /** Simulated time each call takes, in ms (moves the virtual clock). */
  latencyMs: number;
  /** Per-operation latency in ms, overriding latencyMs. */
  latencyByOperation: Record<string, number>;
}

/** An error, or a factory for a fresh one per call (the SDK writes `$metadata` into the errors it sees). */
export type ErrorSource = Error | (() => Error);

interface OneShotFault {
  service: ServiceName;
  operation: string;
  error: ErrorSource;
  when?: (input: any) => boolean;
  remaining: number;
}

interface WindowFault {
  service: ServiceName;
  /** An operation name, or '*' for every operation of the service. */
  operation: string;
  error: ErrorSource;
  from: number;
  to: number;
}

const produce = (e: ErrorSource): Error => (typeof e === 'function' ? e() : e);

/**
 * Injected failures: "the next N calls fail" (one-shot) and "everything between `from` and
 * `to` fails" (an outage window, in virtual epoch ms, `from` included and `to` excluded).
 */
export class FaultSchedule {
  private oneShots: OneShotFault[] = [];
  private windows: WindowFault[] = [];

  failNext(
    service: ServiceName,
    operation: string,
    error: ErrorSource,
    options: { times?: number; when?: (input: any) => boolean } = {},
  ): void {
    this.oneShots.push({ service, operation, error, when: options.when, remaining: options.times ?? 1 });
  }

  failDuring(service: ServiceName, operation: string, error: ErrorSource, window: { from: number; to: number }): void {
    if (!(window.to > window.from)) throw new Error(`failDuring: empty window ${window.from}..${window.to}`);
    this.windows.push({ service, operation, error, from: window.from, to: window.to });
  }

  /** The outage covering this call at `now`, if any (the first one declared wins). */
  outage(service: ServiceName, operation: string, now: number): Error | undefined {
    const w = this.windows.find(
      (f) => f.service === service && (f.operation === '*' || f.operation === operation) && now >= f.from && now < f.to,
    );
    return w && produce(w.error);
  }

  /** Use up one matching one-shot fault, if any. */
  takeOneShot(service: ServiceName, operation: string, input: unknown): Error | undefined {
    const i = this.oneShots.findIndex((f) => f.service === service && f.operation === operation && (!f.when || f.when(input)));
    if (i < 0) return undefined;
    const fault = this.oneShots[i]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.oneShots.splice(i, 1);
    return produce(fault.error);
  }
}
