import { Coalescer } from '../../../shared/lambda/coalesce';
import { VirtualClock } from '../../../sim/clock';

describe('Coalescer', () => {
  it('answers what is asked at the same moment with one call, each asker its own answer', async () => {
    const clock = new VirtualClock();
    const sent: string[][] = [];
    const c = new Coalescer<string, string>(clock, async (_key, qs) => {
      sent.push(qs);
      return qs.map((q) => q.toUpperCase());
    });
    const answers = await Promise.all(['a', 'b', 'c'].map((q) => c.ask('k', q)));
    expect(answers).toEqual(['A', 'B', 'C']);
    expect(sent).toEqual([['a', 'b', 'c']]);
  });

  it('keeps one call in flight per key: asks made meanwhile go in the next call, never in one sent before them', async () => {
    const clock = new VirtualClock();
    const sent: Array<{ at: number; qs: number[] }> = [];
    const c = new Coalescer<number, number>(clock, async (_key, qs) => {
      sent.push({ at: clock.now(), qs });
      await clock.sleep(100);
      return qs;
    });
    const first = c.ask('k', 1);
    await clock.sleep(10); // the first call is in flight now
    const later = [c.ask('k', 2), c.ask('k', 3)];
    const other = c.ask('other', 9);
    await Promise.all([first, ...later, other]);
    expect(sent).toEqual([
      { at: clock.now() - 200, qs: [1] },
      { at: clock.now() - 190, qs: [9] },
      { at: clock.now() - 100, qs: [2, 3] },
    ]);
  });

  it('rejects every asker when the call fails, and an asker whose signal aborts at once', async () => {
    const clock = new VirtualClock();
    const c = new Coalescer<number, number>(clock, async () => {
      await clock.sleep(1000);
      throw new Error('Throttling: Rate exceeded');
    });
    const gone = new AbortController();
    const a = c.ask('k', 1, gone.signal);
    const b = c.ask('k', 2);
    await clock.sleep(10);
    gone.abort(new Error('drain deadline reached'));
    await expect(a).rejects.toThrow('drain deadline reached');
    await expect(b).rejects.toThrow('Throttling');
  });

  it('waits for its pace before closing the batch, so asks made while it waits join', async () => {
    const clock = new VirtualClock();
    const sent: number[][] = [];
    const c = new Coalescer<number, number>(
      clock,
      async (_key, qs) => (sent.push(qs), qs),
      () => clock.sleep(500),
    );
    const first = c.ask('k', 1);
    await clock.sleep(100);
    await Promise.all([first, c.ask('k', 2)]);
    expect(sent).toEqual([[1, 2]]);
  });
});
