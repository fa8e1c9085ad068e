import { makeHandler } from '../../../functions/log-volumes/handler';
import { GRACE_MINUTES_MIN, parseLogVolumesConfig, type LogVolumesConfig } from '../../../shared/fleet/log-volumes/config';
import { STAMPS_PER_RUN } from '../../../shared/fleet/log-volumes/plan';
import { splitStamp } from '../../../shared/fleet/log-volumes/stamps';
import { AVAILABLE_SINCE_TAG, OFFER_TAG, SEEN_ATTACHED_TAG } from '../../../shared/tags';
import { SimulatedAccount } from '../../../sim/account';
import { serverError, simError } from '../../../sim/errors';
import { EventValidationError } from '../../../shared/lambda/errors';
import { recordingLogger, recordingMetrics } from '../../support/recorders';

const OWNER = 'ecs-steady:log-volume';
const FLUSHED = 'ecs-steady:flushed-at';
const MIN = 60_000;

function world(over: Partial<LogVolumesConfig> = {}) {
  const account = new SimulatedAccount({ start: '2026-12-02T12:00:00Z' });
  const logger = recordingLogger();
  const metrics = recordingMetrics();
  const config = { ...parseLogVolumesConfig({ DRY_RUN: 'false', STAMP_KEY_ID: account.kms.createKey() }), ...over };
  const clients = account.clients();
  const run = makeHandler(() => ({ clients, config, clock: account.clock, logger, metrics }));
  const handler = (budgetMs = 60_000) => run({}, { getRemainingTimeInMillis: () => budgetMs });
  return { account, handler, run, metrics, logger, config };
}

/**
 * A Spot instance with a fluentd buffer volume kept on termination: a logVolumes run sees it in use
 * (as the schedule does over the instance's life), then the instance is reclaimed.
 */
async function reclaimedLogVolume(
  account: SimulatedAccount,
  handler: () => Promise<unknown>,
  tags: Record<string, string> = { [OWNER]: 'web' },
): Promise<string> {
  const { instanceId } = clusterInstance(account, { lifecycle: 'spot' }, tags[OWNER] ?? 'web');
  const volumeId = account.ec2.volumes.create({ tags, attachTo: { instanceId, device: '/dev/xvdb', deleteOnTermination: false } });
  await handler();
  account.ec2.terminate(instanceId, 'spot');
  return volumeId;
}

/** An instance of ECS cluster `cluster` (its agent registered it), as the instances log volumes live on. */
function clusterInstance(account: SimulatedAccount, options: { lifecycle?: 'spot' | 'on-demand'; az?: string } = {}, cluster = 'web') {
  const launched = account.ec2.launchInstance(options);
  account.ecs.createCluster(cluster);
  account.ecs.registerContainerInstance({ cluster, ec2InstanceId: launched.instanceId, cpu: 2048, memory: 4096 });
  return launched;
}

/** What the shutdown hook writes once the buffer reached S3. */
const flush = (account: SimulatedAccount, volumeId: string) =>
  (account.ec2.volumes.volume(volumeId)!.tags[FLUSHED] = new Date(account.clock.now()).toISOString());

const exists = (account: SimulatedAccount, id: string) => {
  const v = account.ec2.volumes.volume(id);
  return v !== undefined && v.state !== 'deleting';
};

describe('logVolumes on the simulated account', () => {
  it('keeps a flushed volume through its grace and deletes it after, as EC2 then confirms', async () => {
    const { account, handler, metrics } = world();
    const v = await reclaimedLogVolume(account, handler);
    flush(account, v);
    account.advance(59 * MIN);
    const early = await handler();
    expect(early).toMatchObject({ outcome: 'done', seen: 1, withinGrace: [v], deleted: [] });
    expect(exists(account, v)).toBe(true);

    account.advance(1 * MIN);
    const due = await handler();
    expect(due).toMatchObject({ outcome: 'done', deleted: [v], failed: [] });
    expect(exists(account, v)).toBe(false);
    expect(metrics.values.get('volumesDeleted')).toBe(1);
  });

  it('stamps an unflushed orphan, alerts once it stayed 30 minutes, and keeps it (offered to a new instance when configured)', async () => {
    const { account, handler, metrics } = world({ orphanAction: 'alert-and-offer' });
    const v = await reclaimedLogVolume(account, handler);
    const first = await handler();
    expect(first).toMatchObject({ stamped: [v], orphans: [] });
    // Sealed with our key: the value, then its MAC.
    expect(splitStamp(account.ec2.volumes.volume(v)!.tags[AVAILABLE_SINCE_TAG]!)?.value).toBe('2026-12-02T12:00:00.000Z');
    expect(metrics.values.get('orphanVolumes')).toBe(0);

    account.advance(30 * MIN);
    const later = await handler();
    expect(later.orphans.map((o) => o.volumeId)).toEqual([v]);
    expect(later.offered).toEqual([v]);
    expect(metrics.values.get('orphanVolumes')).toBe(1);
    expect(account.ec2.volumes.volume(v)).toMatchObject({ state: 'available', tags: { [OFFER_TAG]: 'offered' } });

    account.advance(24 * 60 * MIN);
    await handler();
    expect(exists(account, v)).toBe(true);
    expect(account.countCalls('ec2', 'DeleteVolume')).toBe(0);
  });

  it('never deletes in-use volumes or volumes without our tag, however old and flushed; of an in-use one of ours it records only the attachment', async () => {
    const { account, handler } = world({ graceMinutes: 0, orphanAlertMinutes: 0 });
    const { instanceId } = clusterInstance(account);
    const inUse = account.ec2.volumes.create({ tags: { [OWNER]: 'web', [FLUSHED]: '2020-01-01T00:00:00Z' }, attachTo: { instanceId } });
    const attachedAt = new Date(account.clock.now()).toISOString();
    const foreign = account.ec2.volumes.create({ tags: { team: 'data', [FLUSHED]: '2020-01-01T00:00:00Z' } });
    const untagged = await reclaimedLogVolume(account, handler, {});
    account.advance(7 * 24 * 60 * MIN);
    const before = [inUse, foreign, untagged].map((id) => structuredClone(account.ec2.volumes.volume(id)));

    const report = await handler();
    expect(report).toMatchObject({ seen: 0, deleted: [], orphans: [] });
    const { [SEEN_ATTACHED_TAG]: stamp, ...rest } = account.ec2.volumes.volume(inUse)!.tags;
    expect(account.ec2.volumes.volume(inUse)).toEqual(before[0]);
    expect(splitStamp(stamp!)?.value).toBe(attachedAt);
    expect(Object.keys(rest)).toEqual([OWNER, FLUSHED]);
    expect([foreign, untagged].map((id) => account.ec2.volumes.volume(id))).toEqual(before.slice(1));
    expect(account.countCalls('ec2', 'DeleteVolume')).toBe(0);
  });

  it("touches only the configured clusters' volumes when CLUSTERS is set", async () => {
    const { account, handler } = world({ owners: ['web'], graceMinutes: GRACE_MINUTES_MIN });
    const web = await reclaimedLogVolume(account, handler, { [OWNER]: 'web' });
    const api = await reclaimedLogVolume(account, handler, { [OWNER]: 'api' });
    flush(account, web);
    flush(account, api);
    account.advance((GRACE_MINUTES_MIN + 1) * MIN); // past the grace, and EBS has delivered a minute since the flush's detach
    expect(await handler()).toMatchObject({ seen: 1, deleted: [web] });
    expect(exists(account, api)).toBe(true);
    expect(account.calls.find((c) => c.operation === 'DescribeVolumes')!.input).toEqual({
      Filters: [
        { Name: `tag:${OWNER}`, Values: ['web'] },
        { Name: 'status', Values: ['available', 'in-use'] },
      ],
      MaxResults: 500,
    });
  });

  it('by default (dry run) deletes nothing and reports what it would delete', async () => {
    const { account, handler, metrics } = world({
      dryRun: parseLogVolumesConfig({ STAMP_KEY_ID: 'arn:aws:kms:eu-west-1:123456789012:key/0000' }).dryRun,
    });
    const due = await reclaimedLogVolume(account, handler);
    flush(account, due);
    const orphan = await reclaimedLogVolume(account, handler);
    account.advance(2 * 60 * MIN);
    const report = await handler();
    expect(report).toMatchObject({ dryRun: true, outcome: 'done', wouldDelete: [due], deleted: [] });
    // The one write a dry run makes: when an unflushed volume was first seen (docs/fleet.md, logVolumes).
    expect(report.stamped).toEqual([orphan]);
    expect(exists(account, due)).toBe(true);
    expect(account.countCalls('ec2', 'DeleteVolume')).toBe(0);
    expect(metrics.values.get('volumesWouldDelete')).toBe(1);
    expect(metrics.values.get('volumesDeleted')).toBe(0);
  });

  it('deletes at most MAX_DELETIONS_PER_RUN a run, oldest flushed first, and the rest on the next run', async () => {
    const { account, handler, metrics } = world({ maxDeletionsPerRun: 20, graceMinutes: 60 });
    const volumes: string[] = [];
    for (let i = 0; i < 30; i++) {
      const v = await reclaimedLogVolume(account, handler);
      flush(account, v);
      account.advance(MIN);
      volumes.push(v);
    }
    account.advance(2 * 60 * MIN);
    const first = await handler();
    expect(first.deleted.sort()).toEqual(volumes.slice(0, 20).sort());
    expect(first.deferred.sort()).toEqual(volumes.slice(20).sort());
    expect(metrics.values.get('volumesDeferred')).toBe(10);
    expect(volumes.filter((v) => exists(account, v))).toEqual(volumes.slice(20));

    const second = await handler();
    expect(second.deleted.sort()).toEqual(volumes.slice(20).sort());
    expect(volumes.filter((v) => exists(account, v))).toEqual([]);
  });

  it('retries a failed DeleteVolume within the run and deletes it', async () => {
    const { account, handler } = world({ graceMinutes: GRACE_MINUTES_MIN });
    const v = await reclaimedLogVolume(account, handler);
    flush(account, v);
    account.advance((GRACE_MINUTES_MIN + 1) * MIN); // past the grace, and EBS has delivered a minute since the flush's detach
    account.failNext('ec2', 'DeleteVolume', () => simError('IncorrectState', `The volume '${v}' is not in a state that can be deleted.`), {
      times: 2,
    });
    const report = await handler();
    expect(report).toMatchObject({ outcome: 'done', deleted: [v], failed: [] });
    expect(account.countCalls('ec2', 'DeleteVolume')).toBe(3);
  });

  it('reports a DeleteVolume that kept failing, after its attempts, within the deadline', async () => {
    const { account, handler, metrics } = world({ graceMinutes: GRACE_MINUTES_MIN, deleteAttempts: 4 });
    const stuck = await reclaimedLogVolume(account, handler);
    const fine = await reclaimedLogVolume(account, handler);
    flush(account, stuck);
    flush(account, fine);
    account.advance((GRACE_MINUTES_MIN + 1) * MIN); // past the grace, and EBS has delivered a minute since the flush's detach
    account.failNext('ec2', 'DeleteVolume', () => serverError('ec2', 'internal'), { times: 1_000, when: (i) => i.VolumeId === stuck });
    const start = account.clock.now();
    const report = await handler(30_000);
    expect(report.outcome).toBe('partial');
    expect(report.deleted).toEqual([fine]);
    expect(report.failed).toEqual([expect.objectContaining({ volumeId: stuck, action: 'delete', attempts: 4 })]);
    expect(metrics.values.get('volumeDeleteFailures')).toBe(1);
    expect(exists(account, stuck)).toBe(true);
    expect(account.clock.now() - start).toBeLessThanOrEqual(30_000);
  });

  it('stops retrying at the deadline and says which deletes it never got to', async () => {
    const { account, handler } = world({ graceMinutes: GRACE_MINUTES_MIN, deleteAttempts: 10 });
    const stuck = await reclaimedLogVolume(account, handler);
    flush(account, stuck);
    account.advance((GRACE_MINUTES_MIN + 1) * MIN); // past the grace, and EBS has delivered a minute since the flush's detach
    account.failNext('ec2', 'DeleteVolume', () => serverError('ec2', 'internal'), { times: 1_000 });
    const start = account.clock.now();
    const report = await handler(12_000);
    expect(account.clock.now() - start).toBeLessThanOrEqual(12_000);
    expect(report).toMatchObject({ outcome: 'partial', deleted: [], failed: [{ volumeId: stuck, action: 'delete' }] });
    expect(report.failed[0]!.attempts).toBeLessThan(10);
  });

  it('returns a report and a listFailures metric when EC2 cannot be read at all', async () => {
    const { account, handler, metrics } = world();
    await reclaimedLogVolume(account, handler);
    account.failDuring('ec2', 'DescribeVolumes', () => serverError('ec2'), { from: 0, to: Number.MAX_SAFE_INTEGER });
    const report = await handler(20_000);
    expect(report).toMatchObject({ outcome: 'list-failed', seen: 0, deleted: [] });
    expect(report.error).toMatch(/Unavailable|ServiceUnavailable|unavailable/i);
    expect(metrics.values.get('listFailures')).toBe(1);
    expect(metrics.values.get('orphanVolumes')).toBe(0);
  });

  it('reads more than 500 volumes page by page (500 a page) and deletes within the bound', async () => {
    const { account, handler } = world({ graceMinutes: GRACE_MINUTES_MIN, maxDeletionsPerRun: 200 });
    const hosts = Array.from({ length: 3 }, () => clusterInstance(account).instanceId);
    for (let i = 0; i < 1_203; i++)
      account.ec2.volumes.create({ tags: { [OWNER]: 'web', [FLUSHED]: '2026-12-02T12:00:00Z' }, attachTo: { instanceId: hosts[i % 3]! } });
    for (let i = 0; i < 50; i++) account.ec2.volumes.create({ tags: { team: 'data', [FLUSHED]: '2026-12-01T00:00:00Z' } });
    // Sees them in use and records their attachments: each stamp is sealed for its own volume, so
    // at most STAMPS_PER_RUN a run — a first sight of a fleet this large takes a few runs.
    for (let run = 0; run < Math.ceil(1_203 / STAMPS_PER_RUN); run++) expect((await handler()).stamped.length).toBeGreaterThan(0);
    expect((await handler()).stamped).toEqual([]);
    for (const h of hosts) account.ec2.terminate(h, 'api');
    account.advance((GRACE_MINUTES_MIN + 1) * MIN); // past the grace, and EBS has delivered a minute since the flush's detach
    const from = account.calls.length;
    const report = await handler();
    expect(report.seen).toBe(1_203);
    expect(report.deleted).toHaveLength(200);
    expect(report.deferred).toHaveLength(1_003);
    const pages = account.calls
      .slice(from)
      .filter(
        (c) =>
          c.operation === 'DescribeVolumes' &&
          !c.error &&
          !(c.input as { Filters: Array<{ Name: string }> }).Filters.some((f) => f.Name === 'volume-id'),
      );
    expect(pages.map((c) => (c.input as { MaxResults: number }).MaxResults)).toEqual([500, 500, 500]);
    expect(account.ec2.volumes.all().filter((v) => v.tags.team === 'data' && v.state === 'available')).toHaveLength(50);
  });

  it('a malformed event throws and emits every metric: malformedEvents 1, the others 0', async () => {
    const { run, metrics } = world();
    await expect(run({ source: 'aws.ec2', 'detail-type': 'Nope' })).rejects.toThrow(EventValidationError);
    expect(metrics.values.get('malformedEvents')).toBe(1);
    for (const name of ['volumesSeen', 'volumesDeleted', 'volumesWouldDelete', 'orphanVolumes', 'listFailures', 'volumeDeleteFailures'])
      expect(metrics.values.get(name)).toBe(0);
  });
});
