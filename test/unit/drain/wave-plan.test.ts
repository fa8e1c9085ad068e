import fc from 'fast-check';
import {
  listWholeCluster,
  lookupFilters,
  LOOKUP_IDS_PER_FILTER,
  MIN_SHARE,
  reserveSlot,
  reshare,
  shareOf,
  stopLeadMs,
  STOP_LEAD_FACTOR,
  STOP_LEAD_MARGIN_MS,
  WAVE_BUCKETS,
  waveShare,
  type PaceState,
} from '../../../shared/drain/wave-plan';

const SPEC = { capacity: 10, ratePerSecond: 5 };

describe('reshare', () => {
  it.each([
    ['the same share keeps the account', { tokens: 7, at: 5 }, 1, 1, 7],
    ['a lower share gives back the part of the burst it no longer holds', { tokens: 8, at: 5 }, 1, 0.25, 0.5],
    ['what was spent at a share of 1 stays spent: the account may go below zero', { tokens: 5, at: 5 }, 1, 0.25, -2.5],
    ['a higher share adds its part of the burst, never past it', { tokens: 2, at: 5 }, 0.25, 0.5, 4.5],
    ['never past the new part of the burst', { tokens: 2.5, at: 5 }, 0.25, 1, 10],
    [
      'a debt from a lower share is at most one part of the burst (the real bucket refills in capacity / rate)',
      { tokens: 0, at: 5 },
      1,
      0.05,
      -0.5,
    ],
    [
      'calls already queued keep their time, not their count (0.8 s at 5/s is 0.2 calls at 0.25/s), plus one part of the burst',
      { tokens: -4, at: 5 },
      1,
      0.05,
      -0.7,
    ],
  ] as Array<[string, PaceState, number, number, number]>)('%s', (_name, state, from, to, tokens) => {
    expect(reshare(state, SPEC, from, to)).toEqual({ tokens, at: state.at });
  });

  it('never makes the next call wait longer than the calls already queued, plus its own token and one part of the burst at the new rate', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -300, max: SPEC.capacity, noNaN: true }),
        fc.double({ min: MIN_SHARE, max: 1, noNaN: true }),
        fc.double({ min: MIN_SHARE, max: 1, noNaN: true }),
        (tokens, from, to) => {
          const queuedMs = tokens < 0 ? (-tokens / (SPEC.ratePerSecond * from)) * 1000 : 0;
          const after = reshare({ tokens, at: 0 }, SPEC, from, to);
          const { sendAt } = reserveSlot(after, shareOf(SPEC, to), 0);
          // The call's own token, and one part of the burst, at the new part of the rate.
          expect(sendAt).toBeLessThanOrEqual(queuedMs + ((1 + SPEC.capacity * to) / (SPEC.ratePerSecond * to)) * 1000 + 1);
        },
      ),
    );
  });

  it('leaves the batches of a wave, which all spent at a share of 1 before their first read, no more than the real bucket has left, and none a debt past its bound', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 20 }), (spent) => {
        const real = SPEC.capacity - spent.reduce((a, b) => a + b, 0);
        fc.pre(real >= 0);
        const share = 1 / spent.length; // each batch's share, once read
        const left = spent.map((k) => reshare({ tokens: SPEC.capacity - k, at: 0 }, SPEC, 1, share).tokens);
        // No batch waits longer than the real bucket takes to refill from empty (one part of the burst at its part of the rate).
        for (const tokens of left) expect(tokens).toBeGreaterThanOrEqual(-SPEC.capacity * share - 1e-9);
        // Below that bound, what the batches believe they may still spend is what the bucket has left.
        if (left.every((tokens) => tokens > -SPEC.capacity * share + 1e-9))
          expect(left.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(real + 1e-9);
      }),
    );
  });
});

describe('reserveSlot', () => {
  it.each([
    ['a full bucket sends at once', undefined, 0, 0, 9],
    ['one token left sends at once', { tokens: 1, at: 0 }, 0, 0, 0],
    ['an empty bucket waits one refill interval (200 ms at 5/s)', { tokens: 0, at: 0 }, 0, 200, -1],
    ['two calls already promised wait three intervals', { tokens: -2, at: 0 }, 0, 600, -3],
    ['refills while time passes (1 s = 5 tokens)', { tokens: 0, at: 0 }, 1000, 1000, 4],
    ['never refills past the burst', { tokens: 10, at: 0 }, 60_000, 60_000, 9],
  ] as Array<[string, PaceState | undefined, number, number, number]>)('%s', (_name, state, now, sendAt, tokensAfter) => {
    const r = reserveSlot(state, SPEC, now);
    expect(r.sendAt).toBe(sendAt);
    expect(r.state.tokens).toBeCloseTo(tokensAfter, 9);
  });

  it('never sends more than the burst plus the sustained rate allows, over any sequence of asks', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 300 }), (gaps) => {
        let state: PaceState | undefined;
        let now = 0;
        const sends: number[] = [];
        for (const gap of gaps) {
          now += gap;
          const r = reserveSlot(state, SPEC, now);
          state = r.state;
          sends.push(r.sendAt);
        }
        // In any window [a, b] no more calls are sent than capacity + rate × (b − a).
        const sorted = [...sends].sort((a, b) => a - b);
        for (let i = 0; i < sorted.length; i++)
          for (let j = i; j < sorted.length; j++)
            expect(j - i + 1).toBeLessThanOrEqual(SPEC.capacity + Math.ceil(((sorted[j]! - sorted[i]!) / 1000) * SPEC.ratePerSecond) + 1);
        // Slots are handed out in the order asked.
        for (let i = 1; i < sends.length; i++) expect(sends[i]!).toBeGreaterThanOrEqual(sends[i - 1]!);
      }),
    );
  });
});

describe('stopLeadMs', () => {
  it.each([
    [0, 0],
    [WAVE_BUCKETS.ecsModify.capacity, 0],
    [WAVE_BUCKETS.ecsModify.capacity + 36, 1000 * STOP_LEAD_FACTOR + STOP_LEAD_MARGIN_MS],
    [
      2000,
      Math.ceil(((2000 - WAVE_BUCKETS.ecsModify.capacity) / WAVE_BUCKETS.ecsModify.ratePerSecond) * 1000 * STOP_LEAD_FACTOR) +
        STOP_LEAD_MARGIN_MS,
    ],
  ])('%i tasks to stop need a lead of %i ms', (tasks, lead) => {
    expect(stopLeadMs(tasks)).toBe(lead);
  });

  it('grows with the tasks to stop and is enough to send them all at the paced rate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 20_000 }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(stopLeadMs(lo)).toBeLessThanOrEqual(stopLeadMs(hi));
        // Sending `hi` stops paced from a full bucket, starting `lead` before the force time, ends by the force time.
        let state: PaceState | undefined;
        let last = 0;
        const start = -stopLeadMs(hi);
        for (let i = 0; i < Math.min(hi, 3000); i++) {
          const r = reserveSlot(state, WAVE_BUCKETS.ecsModify, start);
          state = r.state;
          last = r.sendAt;
        }
        if (hi <= 3000) expect(last).toBeLessThanOrEqual(1);
      }),
      { numRuns: 50 },
    );
  });

  it('ends in time even when the share paced at was a quarter too high (another batch read it stale)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 101, max: 3000 }), (tasks) => {
        // Paced at the rate the lead assumed, divided by STOP_LEAD_FACTOR: what a misread share really leaves us.
        const slow = { ...WAVE_BUCKETS.ecsModify, ratePerSecond: WAVE_BUCKETS.ecsModify.ratePerSecond / STOP_LEAD_FACTOR };
        let state: PaceState | undefined;
        let last = 0;
        const start = -stopLeadMs(tasks);
        for (let i = 0; i < tasks; i++) {
          const r = reserveSlot(state, slow, start);
          state = r.state;
          last = r.sendAt;
        }
        // ... and still keeps the margin for throttled retries.
        expect(last).toBeLessThanOrEqual(-STOP_LEAD_MARGIN_MS + 1);
      }),
      { numRuns: 50 },
    );
  });
});

describe('lookupFilters', () => {
  it('asks for one instance with ==', () => {
    expect(lookupFilters(['i-0abc'])).toEqual(['ec2InstanceId == i-0abc']);
  });

  it('asks for many with in [...], each id once, at most 50 a filter and under 2,000 characters', () => {
    const ids = Array.from({ length: 120 }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`);
    const filters = lookupFilters([...ids, ids[0]!]);
    expect(filters).toHaveLength(3);
    expect(filters[0]).toMatch(/^ec2InstanceId in \[i-0+, /);
    const named = filters.flatMap((f) => /\[(.*)\]/.exec(f)![1]!.split(', '));
    expect(named).toEqual(ids);
    for (const f of filters) {
      expect(f.length).toBeLessThan(2000);
      expect(/\[(.*)\]/.exec(f)![1]!.split(', ').length).toBeLessThanOrEqual(LOOKUP_IDS_PER_FILTER);
    }
  });
});

describe('waveShare', () => {
  it.each([
    ['alone in its clusters', 20, 20, 1],
    ['nothing read yet', 20, 0, 1],
    ['one of four equal batches', 25, 100, 0.25],
    ['a small batch in a huge wave is never starved', 1, 1000, MIN_SHARE],
    ['no instance found', 0, 50, 1],
  ])('%s: %i of %i DRAINING ⇒ %f', (_name, ours, draining, share) => {
    expect(waveShare(ours, draining)).toBe(share);
  });

  it('scales a bucket by the share, burst and rate alike, never below one call of burst', () => {
    expect(shareOf({ capacity: 100, ratePerSecond: 40 }, 0.25)).toEqual({ capacity: 25, ratePerSecond: 10 });
    expect(shareOf({ capacity: 20, ratePerSecond: 4 }, MIN_SHARE).capacity).toBe(1);
  });
});

describe('listWholeCluster', () => {
  it.each([
    ['one instance is always listed alone', 1, 10, false],
    ['unknown cluster size: per instance', 500, undefined, false],
    ['500 instances in a cluster of 3,700 tasks: 75 calls instead of 500', 500, 3700, true],
    ['100 instances in a cluster of 10,000 tasks: per instance', 100, 10_000, false],
    ['the break-even: 1 + 2 × 10 = 21 calls against 21 instances is not fewer', 21, 1000, false],
    ['22 instances against 21 calls', 22, 1000, true],
  ])('%s', (_name, instances, tasks, whole) => {
    expect(listWholeCluster(instances, tasks)).toBe(whole);
  });
});
