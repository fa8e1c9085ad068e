import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import { makeHandler } from '../../../functions/log-volumes/handler';
import { GRACE_MINUTES_MIN, parseLogVolumesConfig, type LogVolumesConfig } from '../../../shared/fleet/log-volumes/config';
import { SEEN_ATTACHED_TAG } from '../../../shared/tags';
import { SimulatedAccount } from '../../../sim/account';
import { recordingLogger, recordingMetrics } from '../../support/recorders';

const OWNER = 'ecs-steady:log-volume';
const FLUSHED = 'ecs-steady:flushed-at';
const MIN = 60_000;
const PERIOD = 30 * MIN;

function world(over: Partial<LogVolumesConfig> = {}) {
  const account = new SimulatedAccount({ start: '2026-12-02T09:00:00Z' });
  const config = { ...parseLogVolumesConfig({ DRY_RUN: 'false', STAMP_KEY_ID: account.kms.createKey() }), ...over };
  const metrics = recordingMetrics();
  const run = makeHandler(() => ({
    clients: account.clients(),
    config,
    clock: account.clock,
    logger: recordingLogger(),
    metrics,
  }));
  const handler = () => run({}, { getRemainingTimeInMillis: () => 60_000 });
  /** The schedule: a run every 30 minutes for `minutes`. */
  const periods = async (minutes: number) => {
    for (let t = 0; t < minutes; t += 30) {
      await handler();
      account.advance(PERIOD);
    }
  };
  /** A third party holding only ec2:CreateTags writes tags, through the API. */
  const tagAsThirdParty = (volumeId: string, tags: Record<string, string>) =>
    account
      .clients()
      .ec2.send(new CreateTagsCommand({ Resources: [volumeId], Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
  const exists = (id: string) => {
    const v = account.ec2.volumes.volume(id);
    return v !== undefined && v.state !== 'deleting';
  };
  return { account, handler, periods, tagAsThirdParty, exists, metrics };
}

/** An instance of ECS cluster `cluster` (its agent registered it), as the instances log volumes live on. */
function clusterInstance(account: SimulatedAccount, options: { lifecycle?: 'spot' | 'on-demand'; az?: string } = {}, cluster = 'web') {
  const launched = account.ec2.launchInstance(options);
  account.ecs.createCluster(cluster);
  account.ecs.registerContainerInstance({ cluster, ec2InstanceId: launched.instanceId, cpu: 2048, memory: 4096 });
  return launched;
}

describe('logVolumes: a tag is never authority', () => {
  it.each([
    ['any value (no clusters configured)', {}, 'anything'],
    ['a configured cluster', { owners: ['web'] }, 'web'],
  ])("forged ownership and flushed-at tags on someone's available volume never get it deleted: %s", async (_, over, owner) => {
    const w = world({ graceMinutes: 0, ...over });
    const theirs = w.account.ec2.volumes.create({ tags: { team: 'data' } }); // available, never attached while we watched
    await w.handler();
    await w.tagAsThirdParty(theirs, { [OWNER]: owner, [FLUSHED]: '2020-01-01T00:00:00Z' });
    await w.periods(24 * 60);
    await w.tagAsThirdParty(theirs, { [FLUSHED]: new Date(w.account.clock.now()).toISOString() }); // a fresh one too
    await w.periods(4 * 60);
    expect(w.exists(theirs)).toBe(true);
    expect(w.account.countCalls('ec2', 'DeleteVolume')).toBe(0);
  });

  it("forged ownership and flushed-at tags on someone's in-use volume, detached later, never get it deleted: its instance is not in our cluster", async () => {
    const w = world({ graceMinutes: 0 });
    const host = w.account.ec2.launchInstance(); // theirs: no container instance of ours
    const theirs = w.account.ec2.volumes.create({ tags: { team: 'data' }, attachTo: { instanceId: host.instanceId } });
    await w.tagAsThirdParty(theirs, { [OWNER]: 'web', [FLUSHED]: new Date(w.account.clock.now()).toISOString() });
    await w.periods(60); // seen in use, on an instance ECS does not have in cluster web
    w.account.ec2.terminate(host.instanceId, 'api');
    await w.periods(4 * 60);
    expect(w.exists(theirs)).toBe(true);
    expect(w.account.countCalls('ec2', 'DeleteVolume')).toBe(0);
  });

  it('flushed at 10:00, reused at 10:30, reclaimed at 12:00: not deleted on its old flushed-at; deleted once flushed again', async () => {
    const w = world({ graceMinutes: 60 });
    const a = clusterInstance(w.account, { lifecycle: 'spot' });
    const v = w.account.ec2.volumes.create({ tags: { [OWNER]: 'web' }, attachTo: { instanceId: a.instanceId, device: '/dev/xvdb' } });
    await w.periods(60); // 09:00 and 09:30: in use on A
    // 10:00: A's Spot notice: its shutdown hook flushes the buffer and tags the volume; A is reclaimed.
    w.account.ec2.volumes.volume(v)!.tags[FLUSHED] = new Date(w.account.clock.now()).toISOString();
    w.account.ec2.terminate(a.instanceId, 'spot');
    await w.periods(30); // 10:00: flushed, within grace
    // 10:30: a new instance mounts the volume and writes new logs to it.
    const c = clusterInstance(w.account, { lifecycle: 'spot', az: w.account.ec2.volumes.volume(v)!.az });
    w.account.ec2.volumes.attach(v, c.instanceId, '/dev/xvdb');
    await w.periods(90); // 10:30, 11:00, 11:30: in use on C
    w.account.ec2.terminate(c.instanceId, 'spot'); // 12:00: C reclaimed before it could flush
    const noon = await w.handler();
    expect(w.exists(v)).toBe(true);
    expect(noon.deleted).toEqual([]);
    w.account.advance(PERIOD);
    await w.periods(4 * 60); // kept however long: it holds C's logs
    expect(w.exists(v)).toBe(true);

    // Someone flushes C's logs (mounts it, flushes, tags, lets go): now it is due after the grace.
    const d = clusterInstance(w.account, { az: w.account.ec2.volumes.volume(v)!.az });
    w.account.ec2.volumes.attach(v, d.instanceId);
    w.account.ec2.volumes.volume(v)!.tags[FLUSHED] = new Date(w.account.clock.now()).toISOString();
    w.account.ec2.terminate(d.instanceId, 'api');
    await w.periods(90);
    expect(w.exists(v)).toBe(false);
  });

  it("three forged writes (ownership, flushed-at, seen-attached) on someone's available volume never get it deleted, nor does a valid stamp copied from one of ours", async () => {
    const w = world({ graceMinutes: 0 });
    // One of ours, seen attached in cluster web: its seen-attached stamp is genuine (sealed by our key).
    const a = clusterInstance(w.account);
    const ours = w.account.ec2.volumes.create({ tags: { [OWNER]: 'web' }, attachTo: { instanceId: a.instanceId } });
    const theirs = w.account.ec2.volumes.create({ tags: { team: 'data' } });
    const other = w.account.ec2.volumes.create({ tags: { team: 'data' } });
    await w.handler();
    const genuine = w.account.ec2.volumes.volume(ours)!.tags[SEEN_ATTACHED_TAG]!;
    expect(genuine).toMatch(/ hmac:/);
    const longAgo = '2020-01-01T00:00:00.000Z';
    // The three writes of the issue: a plain time as our stamp.
    await w.tagAsThirdParty(theirs, {
      [OWNER]: 'web',
      [FLUSHED]: new Date(w.account.clock.now()).toISOString(),
      [SEEN_ATTACHED_TAG]: longAgo,
    });
    // A genuine stamp, moved to another volume.
    await w.tagAsThirdParty(other, {
      [OWNER]: 'web',
      [FLUSHED]: new Date(w.account.clock.now()).toISOString(),
      [SEEN_ATTACHED_TAG]: genuine,
    });
    const report = await w.handler();
    expect(report.unobserved.sort()).toEqual([theirs, other].sort());
    expect(report.decisions.find((d) => d.volumeId === other)!.reason).toContain(`${SEEN_ATTACHED_TAG} forged (MAC rejected by KMS)`);
    expect(report.unverifiedStamps.map((u) => u.volumeId).sort()).toEqual([theirs, other].sort());
    expect(w.metrics.values.get('unverifiedStamps')).toBe(2);
    await w.periods(24 * 60);
    expect([w.exists(theirs), w.exists(other)]).toEqual([true, true]);
    expect(w.account.countCalls('ec2', 'DeleteVolume')).toBe(0);
  });

  it('flushed at 10:00, reused from 11:35 to 11:55 between two runs, reclaimed: not deleted in the 12:00 run on its old flushed-at', async () => {
    const w = world({ graceMinutes: 120 });
    const a = clusterInstance(w.account, { lifecycle: 'spot' });
    const v = w.account.ec2.volumes.create({ tags: { [OWNER]: 'web' }, attachTo: { instanceId: a.instanceId, device: '/dev/xvdb' } });
    await w.periods(60); // 09:00 and 09:30: in use on A, its attachment stamped
    w.account.ec2.volumes.volume(v)!.tags[FLUSHED] = new Date(w.account.clock.now()).toISOString(); // 10:00: flushed by A's shutdown hook
    w.account.ec2.terminate(a.instanceId, 'spot');
    const start = w.account.clock.now();
    // 11:35: a new instance mounts it and writes logs; 11:55: reclaimed before it could flush. No run sees it in use.
    let c = '';
    w.account.at(start + 95 * MIN, () => {
      c = clusterInstance(w.account, { lifecycle: 'spot', az: w.account.ec2.volumes.volume(v)!.az }).instanceId;
      w.account.ec2.volumes.attach(v, c, '/dev/xvdb');
    });
    w.account.at(start + 115 * MIN, () => w.account.ec2.terminate(c, 'spot'));
    await w.periods(120); // 10:00, 10:30, 11:00, 11:30: available, within its grace
    expect(w.account.calls.filter((x) => x.operation === 'DescribeVolumes' && !x.error).length).toBeGreaterThan(0);
    const noon = await w.handler(); // 12:00: past the grace of its 10:00 flush
    expect(noon.deleted).toEqual([]);
    // An orphan again (a new availability period: alerted on once it is old enough).
    const decision = noon.decisions.find((d) => d.volumeId === v)!;
    expect(decision.verdict).toBe('orphan-young');
    expect(decision.reason).toContain('EBS reported it attached after 2026-12-02T10:15:00.000Z');
    w.account.advance(PERIOD);
    await w.periods(4 * 60); // kept however long: it holds C's logs (remembered by our sealed stamp, no metric read needed)
    expect(w.exists(v)).toBe(true);
    expect(w.account.countCalls('ec2', 'DeleteVolume')).toBe(0);
  });

  it('flushed at 10:00, reused from 10:20 to 10:24, run at 10:25 when its grace ends: EBS has not delivered those minutes yet, so deferred, then kept', async () => {
    const w = world({ graceMinutes: GRACE_MINUTES_MIN });
    const a = clusterInstance(w.account, { lifecycle: 'spot' });
    const v = w.account.ec2.volumes.create({ tags: { [OWNER]: 'web' }, attachTo: { instanceId: a.instanceId, device: '/dev/xvdb' } });
    await w.handler(); // 09:00: in use on A, its attachment stamped
    w.account.advance(60 * MIN);
    w.account.ec2.volumes.volume(v)!.tags[FLUSHED] = new Date(w.account.clock.now()).toISOString(); // 10:00: flushed by A's shutdown hook
    w.account.ec2.terminate(a.instanceId, 'spot');
    w.account.advance(20 * MIN);
    const c = clusterInstance(w.account, { lifecycle: 'spot', az: w.account.ec2.volumes.volume(v)!.az }).instanceId;
    w.account.ec2.volumes.attach(v, c, '/dev/xvdb'); // 10:20: a new instance mounts it and writes logs
    w.account.advance(4 * MIN);
    w.account.ec2.terminate(c, 'spot'); // 10:24: reclaimed before it could flush
    w.account.advance(MIN);
    const early = await w.handler(); // 10:25: the grace of its 10:00 flush is over, EC2 shows it available
    expect(early.deleted).toEqual([]);
    expect(early.deferred).toEqual([v]);
    expect(early.decisions.find((d) => d.volumeId === v)!.reason).toContain('not delivered yet');
    w.account.advance(PERIOD);
    const later = await w.handler(); // 10:55: EBS's metrics show the 10:20 attachment
    expect(later.deleted).toEqual([]);
    expect(later.decisions.find((d) => d.volumeId === v)!.reason).toContain('EBS reported it attached after 2026-12-02T10:15:00.000Z');
    await w.periods(4 * 60);
    expect(w.exists(v)).toBe(true);
    expect(w.account.countCalls('ec2', 'DeleteVolume')).toBe(0);
  });
});
