import { executeSteps } from '../../../shared/fleet/log-volumes/execute';
import type { VolumeStep } from '../../../shared/fleet/log-volumes/plan';
import type { VolumesPort } from '../../../shared/fleet/log-volumes/ports';
import { splitStamp, stampMessage } from '../../../shared/fleet/log-volumes/stamps';
import { VirtualClock } from '../../../sim/clock';
import { fakeMac } from '../../support/fake-mac';

/** A volumes port that records each CreateTags and refuses any call naming a volume in `gone` (EC2: all or none). */
function port(gone: ReadonlySet<string>) {
  const calls: string[][] = [];
  const tagged = new Set<string>();
  const written: Array<{ ids: string[]; tags: Record<string, string> }> = [];
  const mac = fakeMac();
  const p: VolumesPort = {
    mac,
    listTagged: async () => [],
    describe: async () => [],
    delete: async () => 'deleted',
    isContainerInstanceOf: async () => true,
    wasAttachedBetween: async () => false,
    tag: async (ids, tags) => {
      calls.push([...ids]);
      written.push({ ids: [...ids], tags });
      if (ids.some((id) => gone.has(id))) throw new Error('InvalidVolume.NotFound');
      for (const id of ids) tagged.add(id);
    },
  };
  return { p, calls, tagged, written, mac };
}

const offer = (id: string): VolumeStep => ({ kind: 'offer', volumeId: id, tags: { 'ecs-steady:remount': 'offered' } });
const stamp = (id: string): VolumeStep => ({
  kind: 'stamp',
  volumeId: id,
  tags: { 'ecs-steady:available-since': '2026-12-01T00:00:00.000Z' },
});

describe('logVolumes executeSteps', () => {
  const options = (clock: VirtualClock) => ({
    dryRun: false,
    attempts: 3,
    clock,
    endsAt: clock.now() + 60_000,
    signal: new AbortController().signal,
  });

  it('offers many orphans in one CreateTags call', async () => {
    const { p, calls, tagged } = port(new Set());
    const ids = Array.from({ length: 50 }, (_, i) => `vol-${String(i).padStart(17, '0')}`);
    const results = await executeSteps(ids.map(offer), p, options(new VirtualClock()));
    expect(calls).toHaveLength(1);
    expect(tagged.size).toBe(50);
    expect(results.every((r) => r.outcome === 'done')).toBe(true);
  });

  it('seals each stamp for its own volume (one CreateTags each): the MAC verifies for that volume, key and value only', async () => {
    const { p, written, mac } = port(new Set());
    const ids = ['vol-00000000000000001', 'vol-00000000000000002'];
    const results = await executeSteps(ids.map(stamp), p, options(new VirtualClock()));
    expect(results.map((r) => r.outcome)).toEqual(['done', 'done']);
    expect(written.map((w) => w.ids)).toEqual([[ids[0]], [ids[1]]]);
    const key = 'ecs-steady:available-since';
    const sealed = splitStamp(written[0]!.tags[key]!)!;
    expect(sealed.value).toBe('2026-12-01T00:00:00.000Z');
    expect(await mac.verify(stampMessage(ids[0]!, key, sealed.value), sealed.mac)).toBe(true);
    // Moved to another volume, another key or another value, the same MAC proves nothing.
    expect(await mac.verify(stampMessage(ids[1]!, key, sealed.value), sealed.mac)).toBe(false);
    expect(await mac.verify(stampMessage(ids[0]!, 'ecs-steady:seen-attached', sealed.value), sealed.mac)).toBe(false);
    expect(await mac.verify(stampMessage(ids[0]!, key, '2020-01-01T00:00:00.000Z'), sealed.mac)).toBe(false);
  });

  it('retries a refused batch volume by volume, so one volume gone does not hold back the others', async () => {
    const gone = 'vol-00000000000000002';
    const { p, tagged } = port(new Set([gone]));
    const ids = ['vol-00000000000000001', gone, 'vol-00000000000000003'];
    const results = await executeSteps(ids.map(offer), p, options(new VirtualClock()));
    expect([...tagged].sort()).toEqual(['vol-00000000000000001', 'vol-00000000000000003']);
    expect(results.find((r) => r.step.volumeId === gone)).toMatchObject({ outcome: 'failed', error: 'Error: InvalidVolume.NotFound' });
  });
});
