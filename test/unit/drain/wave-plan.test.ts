import fc from 'fast-check';
import {
  lookupFilters,
  LOOKUP_IDS_PER_FILTER,
  reserveSlot,
  stopLeadMs,
  WAVE_BUCKETS,
  type PaceState,
} from '../../../shared/drain/wave-plan';

const SPEC = { capacity: 10, ratePerSecond: 5 };

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
    [WAVE_BUCKETS.ecsModify.capacity + 36, 1000],
    [2000, Math.ceil(((2000 - WAVE_BUCKETS.ecsModify.capacity) / WAVE_BUCKETS.ecsModify.ratePerSecond) * 1000)],
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
