import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import { UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import fc from 'fast-check';
import { makeHandler } from '../../../functions/log-volumes/handler';
import { parseLogVolumesConfig } from '../../../shared/fleet/log-volumes/config';
import {
  AGENT_REPLACE_ATTRIBUTE,
  AVAILABLE_SINCE_TAG,
  DISCONNECTED_SINCE_ATTRIBUTE,
  OFFER_TAG,
  RETIRING_ATTRIBUTE,
  SEEN_ATTACHED_TAG,
} from '../../../shared/tags';
import { SimulatedAccount } from '../../../sim/account';
import { agentHealthWorld, tagAsThirdParty } from '../../support/agent-health-world';
import { capacityCluster } from '../../support/capacity-world';
import { recordingLogger, recordingMetrics } from '../../support/recorders';

/**
 * Property: whatever tags a third party holding only tagging rights writes, and whenever, on the
 * simulated account, agentHealth drains or terminates no instance and logVolumes deletes no
 * volume unless the facts hold — facts kept here by the test itself, never read from tags.
 *
 * The third party writes any of the keys we ever kept memory in, our attribute names as tag keys,
 * do-not-disrupt / scale-in, and other keys, with times long past, now, future and garbage. On
 * volumes it also writes logVolumes' own stamps: plain times, genuine sealed stamps copied from
 * another volume, and replays of a volume's own earlier stamps.
 */
const LONG_AGO = '2020-01-01T00:00:00.000Z';
const MIN = 60_000;
/** What a third party writes as a value: a time long past, now, tomorrow, or something that is no time. */
const valuesAt = (now: number) => [LONG_AGO, new Date(now).toISOString(), new Date(now + 86_400_000).toISOString(), 'true', 'yes'];

describe('agentHealth under third-party tags', () => {
  const PERIOD = 5 * MIN;
  const PERIODS = 6;
  const KEYS = [
    'ecs-steady:agent-replace',
    'ecs-steady:disconnected-since',
    AGENT_REPLACE_ATTRIBUTE,
    DISCONNECTED_SINCE_ATTRIBUTE,
    // Retire's one mark, written as a tag (only PutAttributes writes the attribute), and its colon spelling.
    RETIRING_ATTRIBUTE,
    'ecs-steady:retiring',
    'ecs-steady:scale-in',
    'ecs-steady:do-not-disrupt',
    'team',
  ];
  const scenario = fc.record({
    /** The facts: the period each instance's agent goes away for good (undefined: never). */
    disconnectAt: fc.array(fc.option(fc.integer({ min: 0, max: PERIODS - 1 }), { nil: undefined }), { minLength: 4, maxLength: 4 }),
    /** An operator sets one instance DRAINING by hand at a period. */
    operatorDrain: fc.option(fc.record({ instance: fc.integer({ min: 0, max: 3 }), at: fc.integer({ min: 0, max: PERIODS - 1 }) }), {
      nil: undefined,
    }),
    writes: fc.array(
      fc.record({ at: fc.integer({ min: 0, max: PERIODS - 1 }), instance: fc.integer({ min: 0, max: 3 }), key: fc.constantFrom(...KEYS) }),
      { maxLength: 8 },
    ),
    valueSeed: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 8, maxLength: 8 }),
  });

  it('drains and terminates only an instance of ours whose agent ECS says has been disconnected the configured time, never an operator’s drain', async () => {
    let acted = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (sc) => {
        const { account, built } = capacityCluster({ backend: 'asg', instances: 4, tasksPerInstance: 1 });
        const w = agentHealthWorld(account, { AGENT_DISCONNECTED_SECONDS: '600', AGENT_BREAKER_PERCENT: '60' });
        const ids = built.instances.map((i) => i.instanceId);
        const t0 = account.clock.now();
        const disconnectedAt = new Map<string, number>();
        let operatorDrained: string | undefined;
        const operatorCalls = new Set<number>();
        for (let p = 0; p < PERIODS; p++) {
          const now = account.clock.now();
          sc.disconnectAt.forEach((at, k) => {
            if (at === p && account.ec2.instance(ids[k]!)?.state === 'running') {
              account.ecs.setAgentConnected(ids[k]!, false);
              disconnectedAt.set(ids[k]!, now);
            }
          });
          if (sc.operatorDrain?.at === p && account.ec2.instance(ids[sc.operatorDrain.instance]!)?.state === 'running') {
            operatorDrained = ids[sc.operatorDrain.instance]!;
            operatorCalls.add(account.calls.length);
            await account.clients().ecs.send(
              new UpdateContainerInstancesStateCommand({
                cluster: built.cluster,
                containerInstances: [built.instances[sc.operatorDrain.instance]!.containerInstanceArn],
                status: 'DRAINING',
              }),
            );
          }
          for (const [n, wr] of sc.writes.entries()) {
            if (wr.at !== p || account.ecs.containerInstanceRecord(ids[wr.instance]!)?.status === 'INACTIVE') continue;
            await tagAsThirdParty(account, ids[wr.instance]!, { [wr.key]: valuesAt(now)[sc.valueSeed[n % 8]!]! });
          }
          await w.run();
          account.clock.set(Math.max(account.clock.now(), t0 + (p + 1) * PERIOD));
        }
        // What agentHealth did, from the calls it sent (the operator's own DRAINING excluded).
        const drained = account.calls.flatMap((c, i) =>
          c.operation === 'UpdateContainerInstancesState' && !operatorCalls.has(i) && !c.error
            ? ((c.input as { containerInstances: string[] }).containerInstances ?? []).map((arn) => ({ arn, at: c.at }))
            : [],
        );
        const terminated = account.calls.filter((c) => c.operation === 'TerminateInstanceInAutoScalingGroup' && !c.error);
        for (const d of drained) {
          const id = built.instances.find((i) => i.containerInstanceArn === d.arn)!.instanceId;
          expect(id).not.toBe(operatorDrained);
          const since = disconnectedAt.get(id);
          expect(since).toBeDefined(); // ECS said its agent was disconnected …
          expect(d.at - since!).toBeGreaterThanOrEqual(600_000); // … for the configured time, counted from a time the test knows
        }
        if (terminated.length > 0) acted++;
        for (const t of terminated) {
          const id = (t.input as { InstanceId: string }).InstanceId;
          expect(id).not.toBe(operatorDrained);
          expect(disconnectedAt.has(id)).toBe(true);
          expect(drained.some((d) => built.instances.find((i) => i.containerInstanceArn === d.arn)!.instanceId === id)).toBe(true);
        }
      }),
      { numRuns: 12 },
    );
    expect(acted).toBeGreaterThan(0); // the generator reaches real replacements, not only forgeries
  }, 120_000);
});

describe('logVolumes under third-party tags', () => {
  const PERIOD = 30 * MIN;
  const PERIODS = 8;
  const OWNER = 'ecs-steady:log-volume';
  const FLUSHED = 'ecs-steady:flushed-at';
  const KEYS = [OWNER, FLUSHED, AVAILABLE_SINCE_TAG, SEEN_ATTACHED_TAG, OFFER_TAG, 'team'];
  const ours = fc.record({
    reclaimAt: fc.integer({ min: 1, max: PERIODS - 2 }),
    flushedAtReclaim: fc.boolean(),
    reuse: fc.option(fc.record({ after: fc.integer({ min: 0, max: 2 }), length: fc.integer({ min: 0, max: 2 }) }), { nil: undefined }),
    /** A reuse no run sees: attached 5 minutes after the run `k` periods after its reclaim, reclaimed 20 minutes later. */
    reuseBetweenRuns: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
  });
  const scenario = fc.record({
    ours: fc.array(ours, { minLength: 2, maxLength: 2 }),
    theirsDetachAt: fc.option(fc.integer({ min: 0, max: PERIODS - 1 }), { nil: undefined }),
    /**
     * The attack of the issue: the ownership tag and a flushed-at written together on one volume,
     * and with them our seen-attached stamp: none, a plain time, or a genuine one copied from one of ours.
     */
    forge: fc.option(
      fc.record({
        at: fc.integer({ min: 0, max: PERIODS - 2 }),
        volume: fc.integer({ min: 0, max: 3 }),
        value: fc.integer({ min: 0, max: 2 }),
        stamp: fc.constantFrom('none' as const, 'plain' as const, 'copy' as const),
      }),
      { nil: undefined },
    ),
    owners: fc.constantFrom<string[]>([], ['web']),
    writes: fc.array(
      fc.record({
        at: fc.integer({ min: 0, max: PERIODS - 1 }),
        volume: fc.integer({ min: 0, max: 3 }),
        key: fc.constantFrom(...KEYS),
        /** A value of its own, the same key's value on another volume now (a genuine stamp, moved), or one this volume had before (a replay). */
        source: fc.constantFrom('own' as const, 'copy' as const, 'replay' as const),
        from: fc.integer({ min: 0, max: 3 }),
      }),
      { maxLength: 12 },
    ),
    valueSeed: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 10, maxLength: 10 }),
  });

  it('deletes only a volume of ours, available, that nothing attached after the flushed-at it carried', async () => {
    let acted = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (sc) => {
        const account = new SimulatedAccount({ start: '2026-12-02T09:00:00Z' });
        const config = {
          ...parseLogVolumesConfig({ DRY_RUN: 'false', GRACE_MINUTES: '30', STAMP_KEY_ID: account.kms.createKey() }),
          owners: sc.owners,
        };
        const handler = makeHandler(() => ({
          clients: account.clients(),
          config,
          clock: account.clock,
          logger: recordingLogger(),
          metrics: recordingMetrics(),
        }));
        // The facts, kept by the test: which volumes are ours and when each attachment began.
        const attachedSince = new Map<string, number[]>();
        const attach = (v: string, instanceId: string) => {
          account.ec2.volumes.attach(v, instanceId, '/dev/xvdb');
          attachedSince.set(v, [...(attachedSince.get(v) ?? []), account.clock.now()]);
        };
        /** An instance of our cluster `web`: the only kind our log volumes live on. */
        account.ecs.createCluster('web');
        const webInstance = (options: { lifecycle?: 'spot'; az?: string }) => {
          const { instanceId } = account.ec2.launchInstance(options);
          account.ecs.registerContainerInstance({ cluster: 'web', ec2InstanceId: instanceId, cpu: 2048, memory: 4096 });
          return instanceId;
        };
        const mine = sc.ours.map(() => {
          const instanceId = webInstance({ lifecycle: 'spot' });
          const v = account.ec2.volumes.create({ tags: { [OWNER]: 'web' }, attachTo: { instanceId, device: '/dev/xvdb' } });
          attachedSince.set(v, [account.clock.now()]);
          return { v, instanceId, reuser: undefined as string | undefined };
        });
        const theirHost = account.ec2.launchInstance().instanceId;
        const theirs = [
          account.ec2.volumes.create({ tags: { team: 'data' } }),
          account.ec2.volumes.create({ tags: { team: 'data' }, attachTo: { instanceId: theirHost } }),
        ];
        const volumes = [...mine.map((m) => m.v), ...theirs];
        const deleted = new Map<string, { tags: Record<string, string>; at: number }>();
        /** Every value each volume's tags had after a run: what a replay writes back. */
        const history = new Map<string, Array<Record<string, string>>>();
        for (let p = 0; p < PERIODS; p++) {
          const now = account.clock.now();
          sc.ours.forEach((o, k) => {
            const m = mine[k]!;
            if (o.reclaimAt === p) {
              if (o.flushedAtReclaim) account.ec2.volumes.volume(m.v)!.tags[FLUSHED] = new Date(now).toISOString();
              account.ec2.terminate(m.instanceId, 'spot');
            }
            if (o.reuse && p === o.reclaimAt + 1 + o.reuse.after && account.ec2.volumes.volume(m.v)?.state === 'available') {
              m.reuser = webInstance({ az: account.ec2.volumes.volume(m.v)!.az });
              attach(m.v, m.reuser);
            }
            if (o.reuse && m.reuser && p === o.reclaimAt + 1 + o.reuse.after + o.reuse.length + 1) account.ec2.terminate(m.reuser, 'spot');
            if (o.reuseBetweenRuns !== undefined && p === o.reclaimAt + o.reuseBetweenRuns)
              account.at(now + 5 * MIN, () => {
                if (account.ec2.volumes.volume(m.v)?.state !== 'available') return;
                const between = webInstance({ az: account.ec2.volumes.volume(m.v)!.az });
                attach(m.v, between);
                account.at(now + 25 * MIN, () => account.ec2.terminate(between, 'spot'));
              });
          });
          if (sc.theirsDetachAt === p) account.ec2.terminate(theirHost, 'api');
          for (const [n, wr] of sc.writes.entries()) {
            const v = volumes[wr.volume]!;
            if (wr.at !== p || !account.ec2.volumes.volume(v) || account.ec2.volumes.volume(v)!.state === 'deleting') continue;
            const own = wr.key === OWNER ? ['web', 'api', 'web', 'x', 'batch'][sc.valueSeed[n]!]! : valuesAt(now)[sc.valueSeed[n]!]!;
            const past = (history.get(v) ?? []).map((t) => t[wr.key]).filter((x): x is string => x !== undefined);
            const value =
              wr.source === 'copy'
                ? (account.ec2.volumes.volume(volumes[wr.from]!)?.tags[wr.key] ?? own)
                : wr.source === 'replay'
                  ? (past[sc.valueSeed[n]! % Math.max(1, past.length)] ?? own)
                  : own;
            await account.clients().ec2.send(new CreateTagsCommand({ Resources: [v], Tags: [{ Key: wr.key, Value: value }] }));
          }
          const forged = sc.forge?.at === p ? volumes[sc.forge.volume]! : undefined;
          if (forged && account.ec2.volumes.volume(forged) && account.ec2.volumes.volume(forged)!.state !== 'deleting')
            await account.clients().ec2.send(
              new CreateTagsCommand({
                Resources: [forged],
                Tags: [
                  { Key: OWNER, Value: 'web' },
                  { Key: FLUSHED, Value: valuesAt(now)[sc.forge!.value]! },
                  ...(sc.forge!.stamp === 'plain' ? [{ Key: SEEN_ATTACHED_TAG, Value: LONG_AGO }] : []),
                  ...(sc.forge!.stamp === 'copy'
                    ? mine
                        .map((m) => account.ec2.volumes.volume(m.v)?.tags[SEEN_ATTACHED_TAG])
                        .filter((x): x is string => x !== undefined)
                        .slice(0, 1)
                        .map((Value) => ({ Key: SEEN_ATTACHED_TAG, Value }))
                    : []),
                ],
              }),
            );
          const before = new Map(volumes.map((v) => [v, structuredClone(account.ec2.volumes.volume(v))]));
          await handler({}, { getRemainingTimeInMillis: () => 60_000 });
          for (const v of volumes) {
            const after = account.ec2.volumes.volume(v);
            if (!deleted.has(v) && (!after || after.state === 'deleting')) deleted.set(v, { tags: before.get(v)!.tags, at: now });
            if (after) history.set(v, [...(history.get(v) ?? []), { ...after.tags }]);
          }
          account.advance(PERIOD);
        }
        if (deleted.size > 0) acted++;
        for (const [v, d] of deleted) {
          expect(mine.map((m) => m.v)).toContain(v); // ours, by the facts
          const flushedAt = Date.parse(d.tags[FLUSHED] ?? '');
          expect(Number.isFinite(flushedAt)).toBe(true);
          // Nothing attached it after the flushed-at it carried when it was deleted.
          for (const began of attachedSince.get(v) ?? []) if (began <= d.at) expect(began).toBeLessThanOrEqual(flushedAt);
        }
      }),
      { numRuns: 30 },
    );
    expect(acted).toBeGreaterThan(0); // the generator reaches real deletions, not only forgeries
  }, 120_000);
});
