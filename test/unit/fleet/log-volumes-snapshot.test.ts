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

function port(volumes: VolumeView[], members: ReadonlySet<string>, verify = mac.verify) {
  const asked: string[] = [];
  const p: VolumesPort = {
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
  return { p, asked };
}

describe('readLogVolumes: which attachments ECS is asked about', () => {
  const config = parseLogVolumesConfig({ STAMP_KEY_ID: KEY });

  it('asks ECS about the cluster each volume names, once per (cluster, instance), only for attachments not yet recorded', async () => {
    const recorded = inUse(4, await sealStamps(mac, 'vol-4', { [SEEN_ATTACHED_TAG]: new Date(T).toISOString() }));
    const { p, asked } = port([inUse(0), inUse(1), { ...inUse(2), attachedTo: ['i-0'] }, recorded], new Set(['web i-0']));
    const out = await readLogVolumes(p, config);
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
    const out = await readLogVolumes(p, config);
    expect(asked).toHaveLength(MEMBERSHIP_READS_PER_RUN);
    expect(out.filter((v) => v.attachedInOwnerCluster === true)).toHaveLength(MEMBERSHIP_READS_PER_RUN - 1);
    expect(out.find((v) => v.volumeId === 'vol-boom')!.attachedInOwnerCluster).toBeUndefined();
  });

  it('counts only stamps KMS verifies: a forged or moved one is absent (the attachment is asked about again), an unverifiable one too', async () => {
    const at = new Date(T).toISOString();
    const forged = inUse(0, { [SEEN_ATTACHED_TAG]: at });
    const moved = inUse(2, await sealStamps(mac, 'vol-4', { [SEEN_ATTACHED_TAG]: at })); // a valid stamp of vol-4, copied
    const valid = inUse(4, await sealStamps(mac, 'vol-4', { [SEEN_ATTACHED_TAG]: at, [AVAILABLE_SINCE_TAG]: at }));
    const { p, asked } = port([forged, moved, valid], new Set(['web i-0', 'web i-1', 'web i-2']));
    const out = await readLogVolumes(p, config);
    expect(out.map((v) => [v.volumeId, v.stamps, v.unverifiedStamps.map((u) => `${u.key} ${u.why}`)])).toEqual([
      ['vol-0', {}, [`${SEEN_ATTACHED_TAG} forged`]],
      ['vol-2', {}, [`${SEEN_ATTACHED_TAG} forged`]],
      ['vol-4', { [SEEN_ATTACHED_TAG]: at, [AVAILABLE_SINCE_TAG]: at }, []],
    ]);
    expect(asked.sort()).toEqual(['web i-0', 'web i-1']);

    const down = port([valid], new Set(), async () => {
      throw new Error('KMS unavailable');
    });
    const [unchecked] = await readLogVolumes(down.p, config);
    expect(unchecked!.stamps).toEqual({});
    expect(unchecked!.unverifiedStamps.map((u) => u.why)).toEqual(['unchecked', 'unchecked']);
  });
});
