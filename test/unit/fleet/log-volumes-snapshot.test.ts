import { parseLogVolumesConfig } from '../../../shared/fleet/log-volumes/config';
import type { VolumesPort, VolumeView } from '../../../shared/fleet/log-volumes/ports';
import { MEMBERSHIP_READS_PER_RUN, readLogVolumes } from '../../../shared/fleet/log-volumes/snapshot';
import { sealStamps } from '../../../shared/fleet/log-volumes/stamps';
import { AVAILABLE_SINCE_TAG, SEEN_ATTACHED_TAG } from '../../../shared/tags';
import { fakeMac } from '../../support/fake-mac';

const T = Date.parse('2026-12-02T12:00:00Z');
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const mac = fakeMac();
const inUse = (k: number, tags: Record<string, string> = {}): VolumeView => ({
  volumeId: `vol-${k}`,
  state: 'in-use',
  az: 'eu-west-1a',
  sizeGiB: 20,
  createTime: T,
  tags: { 'ecs-steady:log-volume': k % 2 === 0 ? 'web' : 'api', ...tags },
  attachedTo: [`i-${Math.floor(k / 2)}`],
  attachedAt: T,
});

/** The moment `min` minutes before T, as our stamps and flushed-at tags write it. */
const at = (min: number) => new Date(T - min * 60_000).toISOString();
/** An available log volume of ours, flushed `flushedMinAgo` minutes ago (or never), its attachment seen `seenMinAgo` ago (sealed). */
const available = async (id: string, flushedMinAgo: number | undefined, seenMinAgo = 24 * 60): Promise<VolumeView> => ({
  ...inUse(0),
  volumeId: id,
  state: 'available',
  attachedTo: [],
  tags: {
    'ecs-steady:log-volume': 'web',
    ...(flushedMinAgo !== undefined ? { 'ecs-steady:flushed-at': at(flushedMinAgo) } : {}),
    ...(await sealStamps(mac, id, { [SEEN_ATTACHED_TAG]: at(seenMinAgo) })),
  },
});

function port(
  volumes: VolumeView[],
  members: ReadonlySet<string>,
  verify = mac.verify,
  attachedAfter: (id: string) => boolean = () => false,
) {
  const asked: string[] = [];
  const metricsRead: string[] = [];
  const p: VolumesPort = {
    wasAttachedBetween: async (id, from, to) => {
      metricsRead.push(`${id} ${new Date(from).toISOString()} ${new Date(to).toISOString()}`);
      if (id === 'vol-boom') throw new Error('CloudWatch unavailable');
      return attachedAfter(id);
    },
    mac: { generate: mac.generate, verify },
    listTagged: async () => volumes.map((v) => ({ ...v })),
    describe: async () => [],
    delete: async () => 'deleted',
    tag: async () => undefined,
    isContainerInstanceOf: async (cluster, id) => {
      asked.push(`${cluster} ${id}`);
      if (id === 'i-boom') throw new Error('ECS unavailable');
      return members.has(`${cluster} ${id}`);
    },
  };
  return { p, asked, metricsRead };
}

describe('readLogVolumes: which attachments ECS is asked about', () => {
  const config = parseLogVolumesConfig({ STAMP_KEY_ID: KEY });

  it('asks ECS about the cluster each volume names, once per (cluster, instance), only for attachments not yet recorded', async () => {
    const recorded = inUse(4, await sealStamps(mac, 'vol-4', { [SEEN_ATTACHED_TAG]: new Date(T).toISOString() }));
    const { p, asked } = port([inUse(0), inUse(1), { ...inUse(2), attachedTo: ['i-0'] }, recorded], new Set(['web i-0']));
    const out = await readLogVolumes(p, config, T);
    expect(asked.sort()).toEqual(['api i-0', 'web i-0']);
    expect(out.map((v) => [v.volumeId, v.attachedInOwnerCluster])).toEqual([
      ['vol-0', true],
      ['vol-1', false],
      ['vol-2', true],
      ['vol-4', undefined],
    ]);
  });

  it(`asks about at most ${MEMBERSHIP_READS_PER_RUN} instances a run; the rest, and a failed read, stay unknown (not ours yet)`, async () => {
    const many = Array.from({ length: 300 }, (_, k) => ({ ...inUse(k), tags: { 'ecs-steady:log-volume': 'web' }, attachedTo: [`i-${k}`] }));
    const failing = { ...inUse(0), volumeId: 'vol-boom', attachedTo: ['i-boom'] };
    const { p, asked } = port([failing, ...many], new Set(many.map((v) => `web ${v.attachedTo[0]}`)));
    const out = await readLogVolumes(p, config, T);
    expect(asked).toHaveLength(MEMBERSHIP_READS_PER_RUN);
    expect(out.filter((v) => v.attachedInOwnerCluster === true)).toHaveLength(MEMBERSHIP_READS_PER_RUN - 1);
    expect(out.find((v) => v.volumeId === 'vol-boom')!.attachedInOwnerCluster).toBeUndefined();
  });

  it('counts only stamps KMS verifies: a forged or moved one is absent (the attachment is asked about again), an unverifiable one too', async () => {
    const now = at(0);
    const forged = inUse(0, { [SEEN_ATTACHED_TAG]: now });
    const moved = inUse(2, await sealStamps(mac, 'vol-4', { [SEEN_ATTACHED_TAG]: now })); // a valid stamp of vol-4, copied
    const valid = inUse(4, await sealStamps(mac, 'vol-4', { [SEEN_ATTACHED_TAG]: now, [AVAILABLE_SINCE_TAG]: now }));
    const { p, asked } = port([forged, moved, valid], new Set(['web i-0', 'web i-1', 'web i-2']));
    const out = await readLogVolumes(p, config, T);
    expect(out.map((v) => [v.volumeId, v.stamps, v.unverifiedStamps.map((u) => `${u.key} ${u.why}`)])).toEqual([
      ['vol-0', {}, [`${SEEN_ATTACHED_TAG} forged`]],
      ['vol-2', {}, [`${SEEN_ATTACHED_TAG} forged`]],
      ['vol-4', { [SEEN_ATTACHED_TAG]: now, [AVAILABLE_SINCE_TAG]: now }, []],
    ]);
    expect(asked.sort()).toEqual(['web i-0', 'web i-1']);

    const down = port([valid], new Set(), async () => {
      throw new Error('KMS unavailable');
    });
    const [unchecked] = await readLogVolumes(down.p, config, T);
    expect(unchecked!.stamps).toEqual({});
    expect(unchecked!.unverifiedStamps.map((u) => u.why)).toEqual(['unchecked', 'unchecked']);
  });

  it("reads EBS's metrics since the flush only for the volumes the plan would delete, oldest flushed first, as many as it may delete", async () => {
    const config2 = { ...config, graceMinutes: 60, maxDeletionsPerRun: 2 };
    const vs = [
      await available('vol-new', 61), // due
      await available('vol-old', 500), // due, oldest
      await available('vol-boom', 300), // due, its read fails
      await available('vol-young', 30), // within its grace: not read
      await available('vol-orphan', undefined), // not flushed: not read
      await available('vol-stale', 100, 90), // flushed before the attachment we saw: not read
      await available('vol-third', 200), // due, but over the bound of 2 after vol-old and vol-boom
    ];
    const { p, metricsRead } = port(vs, new Set(), mac.verify, (id) => id === 'vol-old');
    const out = await readLogVolumes(p, config2, T);
    // The window starts FLUSH_DETACH_MINUTES (15) after the flush and ends now.
    expect(metricsRead.sort()).toEqual([`vol-boom ${at(285)} ${at(0)}`, `vol-old ${at(485)} ${at(0)}`]);
    expect(Object.fromEntries(out.map((v) => [v.volumeId, v.attachedAfterFlush]))).toEqual({
      'vol-new': undefined,
      'vol-old': true,
      'vol-boom': undefined,
      'vol-young': undefined,
      'vol-orphan': undefined,
      'vol-stale': undefined,
      'vol-third': undefined,
    });
  });

  it('never reads a window EBS has not delivered metrics for yet as "not attached": the volume stays unread (deferred)', async () => {
    // A grace of 0 (a config built without the parser): the window starts 15 min after the flush.
    const config0 = { ...config, graceMinutes: 0 };
    const vs = [await available('vol-now', 0), await available('vol-10', 10), await available('vol-20', 20), await available('vol-26', 26)];
    const { p, metricsRead } = port(vs, new Set());
    const out = await readLogVolumes(p, config0, T);
    expect(metricsRead).toEqual([`vol-26 ${at(11)} ${at(0)}`]);
    expect(Object.fromEntries(out.map((v) => [v.volumeId, v.attachedAfterFlush]))).toEqual({
      'vol-now': undefined,
      'vol-10': undefined,
      'vol-20': undefined,
      'vol-26': false,
    });
  });
});
