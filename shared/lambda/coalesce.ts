import { setMaxListeners } from 'node:events';
import { deferOn, type Clock } from './clock';

interface Ask<Q, A> {
  question: Q;
  resolve: (answer: A) => void;
  reject: (err: unknown) => void;
  signal?: AbortSignal;
}

/**
 * Gathers what concurrent drains ask and answers it with one call per key. At most one call
 * per key is in flight; asks that come while it is (or while the next one waits for its slot
 * in the bucket, `pace`) join the next call. The batch closes when the call is sent, so an
 * ask joins only a call sent after it (one sent earlier may predate what the asker did since,
 * e.g. its deregistration): every answer is as fresh as a call of its own. The call is
 * aborted only when every asker has given up; an asker whose own signal aborts is rejected at
 * once. `send` answers one result per question, in order, or throws (every asker is rejected).
 */
export class Coalescer<Q, A> {
  private pending = new Map<string, Array<Ask<Q, A>>>();
  private busy = new Set<string>();

  constructor(
    private readonly clock: Clock,
    private readonly send: (key: string, questions: Q[], signal: AbortSignal) => Promise<A[]>,
    private readonly pace: () => Promise<void> = async () => undefined,
  ) {}

  ask(key: string, question: Q, signal?: AbortSignal): Promise<A> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<A>((resolve, reject) => {
      let asks = this.pending.get(key);
      if (!asks) this.pending.set(key, (asks = []));
      asks.push({ question, resolve, reject, ...(signal ? { signal } : {}) });
      this.schedule(key);
    });
  }

  private schedule(key: string): void {
    if (this.busy.has(key)) return;
    this.busy.add(key);
    deferOn(this.clock, () => {
      void this.flush(key).finally(() => {
        this.busy.delete(key);
        if (this.pending.get(key)?.length) this.schedule(key);
      });
    });
  }

  private async flush(key: string): Promise<void> {
    await this.pace();
    const asks = this.pending.get(key) ?? [];
    this.pending.delete(key);
    const live = asks.filter((a) => !a.signal?.aborted);
    for (const a of asks) if (a.signal?.aborted) a.reject(a.signal.reason);
    if (live.length === 0) return;
    const all = new AbortController();
    // One signal serves every call of the batch (a describe of 2,000 tasks is 20 calls): each listens to it.
    setMaxListeners(0, all.signal);
    let gaveUp = 0;
    for (const a of live)
      a.signal?.addEventListener(
        'abort',
        () => {
          a.reject(a.signal!.reason);
          if (++gaveUp === live.length) all.abort(a.signal!.reason);
        },
        { once: true },
      );
    try {
      const answers = await this.send(
        key,
        live.map((a) => a.question),
        all.signal,
      );
      live.forEach((a, i) => a.resolve(answers[i]!));
    } catch (err) {
      for (const a of live) a.reject(err);
    }
  }
}
