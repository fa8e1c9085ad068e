import { makeHandler as makeLogVolumesHandler } from '../functions/log-volumes/handler';
import { parseLogVolumesConfig } from '../shared/fleet/log-volumes/config';
import { MEMBERSHIP_READS_PER_RUN } from '../shared/fleet/log-volumes/snapshot';
import { SimulatedAccount, type CallRecord } from '../sim/account';
import { buildServiceFleet } from '../sim/builders-capacity-large';
import { agentHealthWorld } from '../test/support/agent-health-world';
import { silentLog, silentMetrics } from './capacity-tick';
import type { Section } from './harness';

/** Calls one invocation sent, by operation (answered calls; throttled attempts apart). */
export interface FleetCallsRow {
  fn: 'agentHealth' | 'logVolumes';
  /** Instances (agentHealth) or owned volumes (logVolumes). */
  size: number;
  phase: string;
  byOperation: Record<string, number>;
  calls: number;
  /** Attempts the account's rate buckets refused (the SDK retried them). */
  throttled: number;
  /** Answered calls that failed, by operation and error. */
  failed: Record<string, number>;
}

const SIZES = [10, 100, 1000] as const;
const MIN = 60_000;
const OWNER = 'ecs-steady:log-volume';
const FLUSHED = 'ecs-steady:flushed-at';

/** The calls made since `from` in the account's call log, counted as a row. */
function countCalls(account: SimulatedAccount, from: number, row: Pick<FleetCallsRow, 'fn' | 'size' | 'phase'>): FleetCallsRow {
  const made: CallRecord[] = account.calls.slice(from);
  const answered = made.filter((c) => !c.throttledBy);
  const byOperation: Record<string, number> = {};
  const failed: Record<string, number> = {};
  for (const c of answered) {
    byOperation[c.operation] = (byOperation[c.operation] ?? 0) + 1;
    if (c.error) failed[`${c.operation} ${c.error}`] = (failed[`${c.operation} ${c.error}`] ?? 0) + 1;
  }
  return { ...row, byOperation, failed, calls: answered.length, throttled: made.length - answered.length };
}

/**
 * agentHealth's scheduled run at n instances of one cluster in one Auto Scaling group (tagged
 * `ecs-steady:cluster`, one small service task per instance; rate limits on), 5 minutes apart:
 * steady (all connected), 1 % disconnected on first sight (marks only), and one instance
 * disconnected for AGENT_DISCONNECTED_SECONDS (drain + TerminateInstanceInAutoScalingGroup).
 * A run reads ⌈n/100⌉ ListContainerInstances + ⌈n/100⌉ DescribeContainerInstances and one
 * directory pass; a mark is one TagResource per instance (k disconnected ⇒ k); a drain and
 * replacement of one instance adds a constant 13.
 */
export async function agentHealthCalls(sizes: readonly number[] = SIZES): Promise<FleetCallsRow[]> {
  const rows: FleetCallsRow[] = [];
  for (const n of sizes) {
    const account = new SimulatedAccount();
    const fleet = buildServiceFleet(account, { instances: n, services: 10, tasksPerInstance: 1, task: { cpu: 256, memory: 512 } });
    const w = agentHealthWorld(account);
    // Each phase checks its report, so a row is what its name says (a bench, not a test: it throws).
    const measure = async (phase: string, verdicts: string[], replaced: number) => {
      const from = account.calls.length;
      const r = w.report(await w.period(), fleet.cluster);
      rows.push(countCalls(account, from, { fn: 'agentHealth', size: n, phase }));
      const got = [r.verdicts.map((v) => v.verdict).join(','), r.replaced.length];
      if (got[0] !== verdicts.join(',') || got[1] !== replaced) throw new Error(`agentHealth ${n} ${phase}: ${JSON.stringify(got)}`);
    };
    await measure('steady', [], 0);
    const away = fleet.instances.slice(0, Math.max(1, Math.ceil(n / 100))).map((i) => i.instanceId);
    for (const id of away) account.ecs.setAgentConnected(id, false);
    await measure(
      `${away.length} disconnected, first seen`,
      away.map(() => 'waiting'),
      0,
    );
    // All but one come back; that one's mark is 5 min old after the next run, 10 min at the measured one.
    for (const id of away.slice(1)) account.ecs.setAgentConnected(id, true);
    await w.period();
    await measure('1 past the threshold', ['replace'], 1);
  }
  return rows;
}

/**
 * logVolumes' run at n owned volumes plus n available volumes without our tag, on a fresh account
 * per phase (DRY_RUN=false, defaults otherwise: grace 60 min, orphan alert 30 min,
 * MAX_DELETIONS_PER_RUN 20). Each owned volume lives on its own container instance of cluster `web`;
 * a run sees them in use (one ListContainerInstances per instance, at most 100 a run, and one
 * GenerateMac and one CreateTags per volume: each stamp is sealed for its volume), then the instances end: all flushed within
 * grace; 10 % flushed 70 min ago as their instances ended; 10 % unflushed, at first sight (stamped) and 30 min later (alerted,
 * kept). A run lists ⌈n/500⌉ DescribeVolumes pages; deletions are min(k, 20) DeleteVolume +
 * one GetMetricData per volume due, ⌈d/200⌉ DescribeVolumes to confirm; every stamp read is one VerifyMac;
 * a stamp is one GenerateMac and one CreateTags, at most 200 a run.
 */
export async function logVolumeCalls(sizes: readonly number[] = SIZES): Promise<FleetCallsRow[]> {
  const rows: FleetCallsRow[] = [];
  const config = parseLogVolumesConfig({ DRY_RUN: 'false', STAMP_KEY_ID: 'alias/ecs-steady-bench-log-volume-stamps' });
  const setUp = async (n: number, pastGrace: number, orphans: number, measureInUse = false) => {
    const account = new SimulatedAccount({ start: '2026-12-02T12:00:00Z' });
    account.kms.createKey({ alias: config.stampKeyId });
    const iso = (ms: number) => new Date(ms).toISOString();
    account.ecs.createCluster('web');
    const owned: Array<{ volumeId: string; instanceId: string }> = [];
    for (let k = 0; k < n; k++) {
      const { instanceId } = account.ec2.launchInstance({ lifecycle: 'spot' });
      account.ecs.registerContainerInstance({ cluster: 'web', ec2InstanceId: instanceId, cpu: 2048, memory: 8192 });
      owned.push({ volumeId: account.ec2.volumes.create({ tags: { [OWNER]: 'web' }, attachTo: { instanceId } }), instanceId });
      account.ec2.volumes.create({ tags: { team: 'other' } });
    }
    const handler = makeLogVolumesHandler(() => ({
      clients: account.clients(),
      config,
      clock: account.clock,
      logger: silentLog,
      metrics: silentMetrics,
    }));
    const measure = async (phase: string, want: { deleted?: number; stamped?: number; orphans?: number }) => {
      const from = account.calls.length;
      const r = await handler({}, { getRemainingTimeInMillis: () => 60_000 });
      rows.push(countCalls(account, from, { fn: 'logVolumes', size: n, phase }));
      const got = { deleted: r.deleted.length, stamped: r.stamped.length, orphans: r.orphans.length };
      const expected = { deleted: 0, stamped: 0, orphans: 0, ...want };
      if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error(`logVolumes ${n} ${phase}: ${JSON.stringify(got)}`);
    };
    // The instances' life: runs see every volume in use until each attachment is recorded.
    const seenRuns = Math.ceil(n / MEMBERSHIP_READS_PER_RUN);
    for (let i = 0; i < seenRuns; i++) {
      if (measureInUse && i === 0) await measure('in use, attachments first seen', { stamped: Math.min(n, MEMBERSHIP_READS_PER_RUN) });
      else await handler({}, { getRemainingTimeInMillis: () => 60_000 });
      account.advance(30 * MIN);
    }
    account.advance(3 * 60 * MIN);
    // An instance's buffer is flushed as it ends. The first `pastGrace` end 70 min before the measured run:
    // past the grace (60 min by default), and EBS's metrics for the window after the flush are in; the rest end a minute before it.
    const end = (k: number, flushedAt: number) => {
      const { volumeId, instanceId } = owned[k]!;
      if (k >= orphans) account.ec2.volumes.volume(volumeId)!.tags[FLUSHED] = iso(flushedAt);
      account.ec2.terminate(instanceId, 'spot');
    };
    for (let k = 0; k < pastGrace; k++) end(k, account.clock.now());
    account.advance(69 * MIN);
    for (let k = pastGrace; k < owned.length; k++) end(k, account.clock.now());
    account.advance(MIN);
    return { account, measure };
  };
  for (const n of sizes) {
    const tenth = Math.max(1, Math.round(n / 10));
    await (await setUp(n, 0, 0, true)).measure('nothing to do (all within grace)', {});
    await (await setUp(n, tenth, 0)).measure(`${tenth} flushed past grace`, { deleted: Math.min(tenth, config.maxDeletionsPerRun) });
    const o = await setUp(n, 0, tenth);
    await o.measure(`${tenth} orphans, first seen`, { stamped: tenth });
    o.account.advance(30 * MIN);
    await o.measure(`${tenth} orphans, 30 min later`, { orphans: tenth });
  }
  return rows;
}

/** Both as a report section (for bench/run.ts to include). */
export async function fleetCallsSection(): Promise<Section> {
  const [agent, volumes] = [await agentHealthCalls(), await logVolumeCalls()];
  const table = (rows: FleetCallsRow[], unit: string) => ({
    columns: [unit, 'phase', 'calls', 'by operation', 'throttled attempts', 'failed'],
    rows: rows.map((r) => [r.size, r.phase, r.calls, list(r.byOperation), r.throttled, list(r.failed) || '–']),
  });
  return {
    title: 'agentHealth and logVolumes: calls per scheduled run',
    body: [
      'agentHealth: one cluster of m5.large in one Auto Scaling group tagged `ecs-steady:cluster`, one service task per instance, ' +
        'the run every 5 minutes on the simulated account (rate limits on), defaults (AGENT_DISCONNECTED_SECONDS 600, one replacement a run). ' +
        'Before the last phase all but one disconnected instance reconnected and an unmeasured run removed their records (ECS attributes).',
      table(agent, 'instances'),
      'logVolumes: n owned volumes, each on its own container instance of cluster `web`, and n available volumes without our tag ' +
        '(never listed: DescribeVolumes filters on the tag); a fresh account per phase; unmeasured runs see the owned volumes in use ' +
        '(the first one is measured: one ListContainerInstances per instance, at most 100 a run) before their instances end; ' +
        'DRY_RUN=false, MAX_DELETIONS_PER_RUN 20, grace 60 min, orphan alert 30 min.',
      table(volumes, 'owned volumes'),
    ],
  };
}

const list = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
