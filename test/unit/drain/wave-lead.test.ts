import fc from 'fast-check';
import { isWave, shareOf, STOP_LEAD_MARGIN_MS, stopLeadMs, WAVE_BUCKETS, waveLeadMs } from '../../../shared/drain/wave-plan';

describe('a wave’s stop lead and shape', () => {
  it.each([
    ['no drains', [], 1, 0],
    ['stops inside the burst need no lead', [40, 60], 1, 0],
    [
      'a backlog beyond the burst: paced at 36/s, stretched by a quarter, plus the retry margin',
      [100, 36],
      1,
      Math.ceil((36 / 36) * 1000 * 1.25) + STOP_LEAD_MARGIN_MS,
    ],
    ['half the bucket: half the burst and half the rate', [50, 18], 0.5, Math.ceil((18 / 18) * 1000 * 1.25) + STOP_LEAD_MARGIN_MS],
  ])('%s', (_name, pending, share, lead) => expect(waveLeadMs(pending, share)).toBe(lead));

  it.each([
    [0, false],
    [1, false],
    [2, true],
  ])('%i drains share wave ports: %s', (n, wave) => expect(isWave(n)).toBe(wave));

  it('is the paced time of every drain’s pending stops together, and grows with the backlog and as the share shrinks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(200), { maxLength: 12 }),
        fc.nat(200),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        (pending, more, a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          const total = pending.reduce((x, y) => x + y, 0);
          expect(waveLeadMs(pending, high)).toBe(stopLeadMs(total, shareOf(WAVE_BUCKETS.ecsModify, high)));
          expect(waveLeadMs([...pending, more], high)).toBeGreaterThanOrEqual(waveLeadMs(pending, high));
          expect(waveLeadMs(pending, low)).toBeGreaterThanOrEqual(waveLeadMs(pending, high));
        },
      ),
    );
  });
});
