import { systemClock } from '../../../shared/lambda/clock';
import { VirtualClock } from '../../../sim/clock';

describe('clocks', () => {
  it('cancels a sleep when its signal aborts, and leaves no sleeper behind on the virtual clock', async () => {
    const clock = new VirtualClock();
    const ctl = new AbortController();
    const slept = clock.sleep(60_000, ctl.signal);
    ctl.abort(new Error('stop'));
    await expect(slept).rejects.toThrow('stop');
    expect(clock.waiting).toBe(0);
    await expect(systemClock.sleep(60_000, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });

  it('fires a virtual timer when time passes it, without making time jump there', async () => {
    const clock = new VirtualClock();
    const start = clock.now();
    const fired: number[] = [];
    clock.timer(start + 10_000, () => fired.push(clock.now()));
    await new Promise((r) => setImmediate(r));
    expect([clock.now(), fired]).toEqual([start, []]);
    await clock.sleep(15_000);
    expect(fired).toEqual([start + 10_000]);
    const cancel = clock.timer(clock.now() + 1_000, () => fired.push(-1));
    cancel();
    clock.advance(5_000);
    expect(fired).toHaveLength(1);
  });
});
