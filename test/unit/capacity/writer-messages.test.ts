import { decodeHeld, encodeHeld, mergeDemand } from '../../../shared/capacity/held-demand';
import {
  deduplicationIdOf,
  parseCapacityMessage,
  placementMessage,
  runTaskMessage,
  tickMessage,
} from '../../../shared/capacity/writer-messages';

const AT = Date.parse('2026-11-23T10:01:02.345Z');

describe('capacity writer messages', () => {
  it('parses what the senders build, each kind', () => {
    for (const m of [
      tickMessage('web', AT),
      runTaskMessage('batch', 'r-1', 'report:42', 3, AT, { cpu: '1024' }),
      placementMessage('web', 'evt-1', AT, 'checkout'),
    ])
      expect(parseCapacityMessage(JSON.parse(JSON.stringify(m)))).toEqual(m);
  });

  it('names each bad field', () => {
    expect(() => parseCapacityMessage({ version: 2, kind: 'run-task', cluster: 'a b', at: 'noon', id: '', count: 11 })).toThrow(
      /version: expected 1; cluster: .*; at: expected an ISO-8601 time; id: .*; taskDefinition: .*; count: expected a whole number from 1 to 10/,
    );
    expect(() => parseCapacityMessage({ version: 1, kind: 'scale', cluster: 'web', at: new Date(AT).toISOString() })).toThrow(
      /kind: expected one of tick, run-task, placement/,
    );
  });

  it('deduplicates a tick per cluster and minute, a RunTask result or an event by its own id', () => {
    expect(deduplicationIdOf(tickMessage('web', AT))).toBe('tick:web:2026-11-23T10:01');
    expect(deduplicationIdOf(tickMessage('web', AT + 30_000))).toBe(deduplicationIdOf(tickMessage('web', AT)));
    expect(deduplicationIdOf(tickMessage('web', AT + 60_000))).not.toBe(deduplicationIdOf(tickMessage('web', AT)));
    // Distinct results with every other field the same are distinct messages; the same id is the same one.
    const a = runTaskMessage('batch', 'r-1', 'report:42', 3, AT);
    const b = runTaskMessage('batch', 'r-2', 'report:42', 3, AT);
    expect(deduplicationIdOf(a)).not.toBe(deduplicationIdOf(b));
    expect(deduplicationIdOf(runTaskMessage('batch', 'r-1', 'report:42', 1, AT + 5))).toBe(deduplicationIdOf(a));
    // SendMessage's limit: at most 128 characters.
    const long = deduplicationIdOf(runTaskMessage('c'.repeat(200), 'x'.repeat(200), 'report:42', 1, AT));
    expect(long.length).toBeLessThanOrEqual(128);
  });
});

describe('demand held in flight (the backend tag)', () => {
  const d = (cpu: number, memory: number, count: number) => ({ source: 's', cpu, memory, count });

  it('round-trips sizes and counts, adding the same size together', () => {
    const held = encodeHeld([d(1024, 2048, 2), d(512, 1024, 1), d(1024, 2048, 3)]);
    expect(held).toEqual({ value: '1024:2048:5 512:1024:1', dropped: 0 });
    expect(decodeHeld(held.value).map(({ cpu, memory, count }) => [cpu, memory, count])).toEqual([
      [1024, 2048, 5],
      [512, 1024, 1],
    ]);
    expect(mergeDemand([d(1, 1, 1)], [d(1, 1, 2), d(2, 2, 1)]).map((x) => x.count)).toEqual([3, 1]);
  });

  it('keeps the value within a tag value (256 characters), largest tasks first, and says how many did not fit', () => {
    const many = Array.from({ length: 40 }, (_, i) => d(100 + i, 1000 + i, 1));
    const held = encodeHeld(many);
    expect(held.value.length).toBeLessThanOrEqual(256);
    expect(held.dropped).toBeGreaterThan(0);
    expect(held.value.startsWith('139:1039:1')).toBe(true);
  });

  it('counts nothing for a value it did not write', () => {
    expect(decodeHeld(undefined)).toEqual([]);
    expect(decodeHeld('lots of tasks')).toEqual([]);
    expect(decodeHeld('1024:2048:2 nonsense').map((x) => x.count)).toEqual([2]);
  });
});
