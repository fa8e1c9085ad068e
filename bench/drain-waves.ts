import { SPOT_NOTICE_MS } from '../functions/spot-interruption/handler';
import type { Log, MetricSink } from '../shared/lambda/observability';
import { mulberry32, SimulatedAccount } from '../sim/account';
import { DRAIN_DEFAULTS, deregisteredBeforeStopped, secondsWithoutHealthy } from '../test/support/drain-checks';
import { spotHandlers } from '../test/support/spot-world';
import { buildWave } from '../test/support/wave';
import type { Section, Table } from './harness';

/**
 * Spot waves: many notices at once, drained by the real spotInterruption handler fed as
 * Lambda's SQS event source feeds it (notices spread over the first second, the 1 s batching
 * window, and the wave split over 1–5 batches that run at once, as Lambda's pollers may).
 * Every row runs over SEEDS seeds (the seed draws the arrival order, the split, every retry
 * jitter and the simulator's own randomness) and prints the worst and the median. Beside
 * each, ECS's own draining on the same cluster.
 */

const SEEDS = 20;
const LATENCY_MS = 50;
const silentLog = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Log;
const silentMetrics = { addMetric() {} } as unknown as MetricSink;

export interface WaveRow {
  victims: number;
  tasksPerVictim: number;
  services: number;
  delaySeconds: number;
}

export const WAVE_ROWS: WaveRow[] = [300, 30].flatMap((delaySeconds) =>
  [
    [20, 50],
    [100, 20],
    [200, 10],
    [500, 4],
  ].map(([victims, tasksPerVictim]) => ({ victims: victims!, tasksPerVictim: tasksPerVictim!, services: 10, delaySeconds })),
);

const world = (row: WaveRow, seed: number) => {
  const account = new SimulatedAccount({ seed });
  const w = buildWave(account, {
    victims: row.victims,
    tasksPerVictim: row.tasksPerVictim,
    services: row.services,
    spare: spareOf(row),
    tasksPerServicePerSpare: 1,
    deregistrationDelaySeconds: row.delaySeconds,
  });
  return { account, w };
};

/** The spare instances of a row's cluster (each runs one task of every service). */
const spareOf = (row: WaveRow) => Math.max(2, Math.ceil(row.victims / 3));

/** The fewest ECS and ELBv2 calls the API maxima allow for the whole wave (one cluster). */
export function waveMinimum(row: WaveRow): number {
  const tasks = row.victims * row.tasksPerVictim;
  const groups = Math.min(row.services, row.tasksPerVictim);
  const clusterTasks = tasks + spareOf(row) * row.services;
  // The victims' tasks: ListTasks per instance and DescribeTasks of theirs, or the whole cluster listed and described (100 a
  // call each), whichever is fewer. Counting only the first put the "minimum" above what a wave listing the cluster spends.
  const listing = Math.min(row.victims * Math.ceil(row.tasksPerVictim / 100) + Math.ceil(tasks / 100), 2 * Math.ceil(clusterTasks / 100));
  return (
    Math.ceil(row.victims / 50) + // ListContainerInstances, 50 ids per `in` filter
    Math.ceil(row.victims / 100) + // DescribeContainerInstances
    listing +
    Math.ceil(row.services / 10) + // DescribeServices
    Math.ceil(row.victims / 10) + // UpdateContainerInstancesState
    groups * 3 + // per group: DeregisterTargets, DescribeTargetGroupAttributes, one DescribeTargetHealth
    tasks + // StopTask
    Math.ceil(row.victims / 100) // the final DescribeContainerInstances
  );
}

interface Run {
  running: number;
  stoppedEarly: number;
  toDeregMedian: number;
  toDeregMax: number;
  attempts: number;
  noHealthy: number;
  nativeRunning: number;
  nativeNoHealthy: number;
}

/** What a developer's diagnosis may look at after a run of ours (the account, the wave, when each notice came). */
export type WaveInspect = (run: { account: SimulatedAccount; w: ReturnType<typeof buildWave>; noticeAt: number; reclaim: number }) => void;

export async function ours(row: WaveRow, seed: number, inspect?: WaveInspect): Promise<Omit<Run, 'nativeRunning' | 'nativeNoHealthy'>> {
  const { account, w } = world(row, seed);
  const random = mulberry32(seed * 7919);
  account.faults.latencyMs = LATENCY_MS;
  const noticeAt = account.clock.now();
  // Notices spread over the first second; the batching window closes 1 s after the first.
  const arrivals = w.victims.map((v) => ({ v, at: Math.floor(random() * 1000) })).sort((a, b) => a.at - b.at);
  const events = arrivals.map(({ v, at }) => account.ec2.interruptSpot(v.instanceId, { at: noticeAt + at }));
  const batches = 1 + Math.floor(random() * 5);
  const split: unknown[][] = Array.from({ length: batches }, () => []);
  events.forEach((e) => split[Math.floor(random() * batches)]!.push(e));
  account.advance(1000);
  const from = account.calls.length;
  const clients = account.clients();
  const deps = () => ({
    clients,
    config: { ...DRAIN_DEFAULTS, clusters: [w.cluster] },
    clock: account.clock,
    logger: silentLog,
    metrics: silentMetrics,
    random: mulberry32(seed * 31 + 1),
  });
  const { handleBatch } = spotHandlers(deps);
  await Promise.all(split.filter((b) => b.length > 0).map((b) => handleBatch(b)));
  const reclaim = noticeAt + SPOT_NOTICE_MS - 1;
  if (account.clock.now() < reclaim + 1) account.advance(reclaim + 1 - account.clock.now());
  const all = [...w.tasksByVictim.values()].flat();
  const running = all.filter((arn) => (account.ecs.task(arn)?.stoppedAt ?? Infinity) > reclaim).length;
  const stopped = all.filter((arn) => (account.ecs.task(arn)?.stopRequestedAt ?? Infinity) <= reclaim);
  // An instance's first target to leave, whoever deregistered it: our DeregisterTargets or ECS's own draining (which
  // deregisters a DRAINING instance's targets once their replacements are healthy). A target gone only with its host is not counted.
  const toDereg = arrivals.map(({ v, at }) => {
    const times = (w.tasksByVictim.get(v.instanceId) ?? []).flatMap((arn) =>
      (account.ecs.task(arn)?.targets ?? []).map(
        (t) =>
          account.elbv2
            .targetHistory(t.targetGroupArn)
            .filter((h) => h.id === t.id && h.port === t.port && (h.deregisteredBy === 'api' || h.deregisteredBy === 'ecs'))
            .map((h) => h.deregisterRequestedAt ?? Infinity)[0] ?? Infinity,
      ),
    );
    return (Math.min(...times) - (noticeAt + at)) / 1000;
  });
  const calls = account.calls.slice(from).filter((c) => c.service === 'ecs' || c.service === 'elbv2');
  inspect?.({ account, w, noticeAt, reclaim });
  return {
    running,
    // Only tasks that were stopped: one never stopped is in `running`, not here (counted in both, it hid how many were stopped early).
    stoppedEarly: deregisteredBeforeStopped(account, stopped, 'api-or-ecs').length,
    toDeregMedian: median(toDereg),
    toDeregMax: Math.max(...toDereg),
    attempts: calls.length,
    noHealthy: Math.max(...w.services.map((s) => secondsWithoutHealthy(account, s.targetGroupArn, noticeAt, noticeAt + SPOT_NOTICE_MS))),
  };
}

export async function native(row: WaveRow, seed: number): Promise<{ running: number; noHealthy: number }> {
  const { account, w } = world(row, seed);
  const noticeAt = account.clock.now();
  // The victims go DRAINING at the notice (ECS's own draining is what is measured, not our calls' rate).
  account.rateLimits.enabled = false;
  for (const v of w.victims)
    await account.call('ecs', 'UpdateContainerInstancesState', {
      cluster: w.cluster,
      containerInstances: [v.containerInstanceArn],
      status: 'DRAINING',
    });
  account.rateLimits.enabled = true;
  account.advance(SPOT_NOTICE_MS - 1);
  const all = [...w.tasksByVictim.values()].flat();
  return {
    running: all.filter((arn) => (account.ecs.task(arn)?.stoppedAt ?? Infinity) > noticeAt + SPOT_NOTICE_MS - 1).length,
    noHealthy: Math.max(...w.services.map((s) => secondsWithoutHealthy(account, s.targetGroupArn, noticeAt, noticeAt + SPOT_NOTICE_MS))),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
}

const wm = (xs: number[], digits = 0) => `${Math.max(...xs).toFixed(digits)} / ${median(xs).toFixed(digits)}`;

/** `BENCH_WAVES=100x20@300,500x4@30`: only these rows (a developer's run of some rows; the committed report runs all). */
function selectedRows(quick: boolean): WaveRow[] {
  const wanted = process.env.BENCH_WAVES?.split(',').map((x) => x.trim());
  if (wanted?.length) return WAVE_ROWS.filter((r) => wanted.includes(`${r.victims}x${r.tasksPerVictim}@${r.delaySeconds}`));
  return quick ? WAVE_ROWS.filter((r) => r.victims <= 100) : WAVE_ROWS;
}

export async function waveBenchmarks(options: { quick: boolean; progress: (line: string) => void }): Promise<Section> {
  const seeds = options.quick ? 3 : SEEDS;
  const rows = selectedRows(options.quick);
  const table: Table = {
    columns: [
      'wave (delay)',
      'tasks',
      'running at reclaim: ours (native)',
      'stopped before deregistered',
      's notice → 1st target deregistered, median of instances',
      's notice → 1st target deregistered, slowest instance',
      'attempts / minimum',
      's with no healthy target: ours (native)',
      'below goal',
    ],
    rows: [],
  };
  for (const row of rows) {
    options.progress(`waves: ${row.victims} × ${row.tasksPerVictim}, ${row.delaySeconds} s, ${seeds} seeds`);
    const runs: Run[] = [];
    // ECS's own draining draws nothing from the seed but the ids: one run per row is its figure.
    const n = await native(row, 1);
    for (let seed = 1; seed <= seeds; seed++) {
      const o = await ours(row, seed);
      options.progress(`waves: ${row.victims}x${row.tasksPerVictim}@${row.delaySeconds} seed ${seed} ${JSON.stringify(o)}`);
      runs.push({ ...o, nativeRunning: n.running, nativeNoHealthy: n.noHealthy });
    }
    const min = waveMinimum(row);
    const ratio = runs.map((r) => r.attempts / min);
    const flags = [
      Math.max(...runs.map((r) => r.running)) > 0 && 'tasks running',
      Math.max(...runs.map((r) => r.stoppedEarly)) > 0 && 'stopped early',
      row.victims === 100 &&
        row.tasksPerVictim === 20 &&
        (Math.max(...runs.map((r) => r.toDeregMedian)) > 5 || Math.max(...runs.map((r) => r.toDeregMax)) > 15) && // the worst run, as every goal
        'slow deregistration',
      Math.max(...ratio) > 1.5 && 'attempts',
      Math.max(...runs.map((r) => r.noHealthy)) > 0 && 'no healthy target',
    ].filter(Boolean);
    const line = [
      `${row.victims} × ${row.tasksPerVictim} (${row.delaySeconds} s)`,
      row.victims * row.tasksPerVictim,
      `${wm(runs.map((r) => r.running))} (${wm(runs.map((r) => r.nativeRunning))})`,
      wm(runs.map((r) => r.stoppedEarly)),
      wm(
        runs.map((r) => r.toDeregMedian),
        2,
      ),
      wm(
        runs.map((r) => r.toDeregMax),
        2,
      ),
      `${wm(runs.map((r) => r.attempts))} / ${min} = ${Math.max(...ratio).toFixed(2)}× worst`,
      `${wm(
        runs.map((r) => r.noHealthy),
        1,
      )} (${wm(
        runs.map((r) => r.nativeNoHealthy),
        1,
      )})`,
      flags.length ? `**${flags.join(', ')}**` : 'none',
    ];
    table.rows.push(line);
    options.progress(`waves: ${line.join(' | ')}`); // each row as soon as it is measured
  }
  return {
    title: `Spot waves (simulated, worst / median of ${seeds} seeds)`,
    body: [
      `Each row: every victim gets a Spot notice in the same second (10 services, one target group each, alternately bridge and awsvpc, one task of each service on every spare instance); the notices reach the real spotInterruption handler through SQS with a 1 s batching window, split over 1–5 batches that run at once. Shared per-account rate buckets (ECS, ELBv2), ${LATENCY_MS} ms per call, ECS's own draining on (as on AWS). ` +
        'Every figure of ours is "worst / median" over the seeds. "1st target deregistered": the first of the instance\'s targets to be deregistered, by our DeregisterTargets or by ECS\'s own draining (which deregisters a DRAINING instance\'s targets once their replacements are healthy), whichever came first. Native: the same cluster drained the ECS way (DRAINING only), one run per row (it draws nothing from the seed). ' +
        'Goals: 0 running at the reclaim; 0 tasks stopped before their targets were deregistered; at 100 × 20, notice → first DeregisterTargets ≤ 5 s for the median instance of every run (the worst run counts) and ≤ 15 s for the slowest instance; attempts (ECS and ELBv2 calls, throttled ones included) ≤ 1.5 × the minimum the API maxima allow for the whole wave; 0 s with no healthy target (spare room exists in every row). A row below a goal says which in the last column.',
      table,
    ],
  };
}
