import { SimulatedAccount } from '../sim/account';
import { buildServiceFleet } from '../sim/builders-capacity-large';
import { raceOnce, type RaceOutcome } from '../test/support/capacity-race';
import { capacityWorld } from '../test/support/capacity-world';
import { LATENCY_MS } from './capacity-tick';
import type { Table } from './harness';

/**
 * The capacity writer (docs/design/capacity-writer.md) on the simulated account: the race of
 * the three triggers for one cluster (test/support/capacity-race.ts, as the scenario test runs
 * it), and many clusters ticked in one minute through the real scaleTick fan-out, the FIFO
 * queue and the model of Lambda's event source mapping (concurrency as serverless.yml deploys it).
 */

export const RACE_NEEDED = 5;

export async function raceTable(seeds: number): Promise<Table> {
  const rows: Array<Array<string | number>> = [];
  for (const faults of [0, 3]) {
    const out: RaceOutcome[] = [];
    for (let seed = 1; seed <= seeds; seed++) out.push(await raceOnce(seed, faults));
    const asked = out.map((o) => o.unitsAsked);
    rows.push([
      faults === 0 ? 'no faults' : `${faults} × 5xx on SetDesiredCapacity`,
      seeds,
      out.filter((o) => o.lowered > 0).length,
      out.reduce((n, o) => n + o.killed, 0),
      Math.min(...asked) === Math.max(...asked) ? asked[0]! : `${Math.min(...asked)}–${Math.max(...asked)}`,
      RACE_NEEDED - 2,
      out.filter((o) => o.finalDesired !== RACE_NEEDED).length,
      out.reduce((n, o) => n + o.deadLettered, 0),
    ]);
  }
  return {
    columns: [
      'write faults',
      'seeds',
      'seeds where desired was lowered',
      'tasks killed',
      'units asked',
      'units needed',
      'seeds not ending at need',
      'dead-lettered',
    ],
    rows,
  };
}

export interface ClustersRow {
  clusters: number;
  instances: number;
}

export const CLUSTER_ROWS: ClustersRow[] = [
  { clusters: 1, instances: 100 },
  { clusters: 5, instances: 100 },
  { clusters: 10, instances: 100 },
  { clusters: 20, instances: 100 },
  { clusters: 10, instances: 500 },
];

/**
 * `clusters` clusters of `instances` m5.large and 30 services each, steady (reservations between
 * the thresholds: nothing to do); one warm-up minute, then the measured minute: the fan-out and
 * every writer invocation it causes, 50 ms per call, the account's rate buckets shared by all.
 */
export async function clustersRun(row: ClustersRow) {
  const account = new SimulatedAccount({ seed: 7 });
  for (let c = 0; c < row.clusters; c++)
    buildServiceFleet(account, {
      cluster: `c${String(c).padStart(2, '0')}`,
      instances: row.instances,
      services: 30,
      tasksPerInstance: 3,
      task: { cpu: 400, memory: 1024 },
    });
  // A steady minute is measured: at 58 % the tasks fit on fewer instances, and consolidation (on by default) would drain one.
  const world = capacityWorld(account, { CONSOLIDATION: 'false' });
  await world.minute(); // warm: sizes and instance types cached, as every minute after the first
  account.faults.latencyMs = LATENCY_MS;
  const from = account.calls.length;
  const started = account.clock.now();
  // tick(): the fan-out, then the writer until its queue is empty and no invocation runs (the last decision carried out).
  const result = await world.tick();
  const calls = account.calls.slice(from);
  return {
    calls: calls.length,
    throttled: calls.filter((c) => c.throttledBy || /Throttl|Rate exceeded/i.test(c.error ?? '')).length,
    secondsToLast: (account.clock.now() - started) / 1000,
    decided: result.clusters.length,
    failures: result.clusters.filter((r) => r.decision === 'error').length + (row.clusters - result.clusters.length),
    decisions: [...new Set(result.clusters.map((r) => r.decision))].join(', '),
  };
}

export async function clustersTable(rows: readonly ClustersRow[], progress: (l: string) => void): Promise<Table> {
  const out: Array<Array<string | number>> = [];
  for (const row of rows) {
    progress(`capacity: ${row.clusters} × ${row.instances} instances in one minute`);
    const r = await clustersRun(row);
    out.push([
      `${row.clusters} × ${row.instances}`,
      r.calls,
      r.throttled,
      r.secondsToLast.toFixed(1),
      r.secondsToLast <= 30 ? 'holds' : '⚠ missed',
      r.decided,
      r.failures,
      r.decisions,
    ]);
  }
  return {
    columns: [
      'clusters × instances',
      'API calls (throttled attempts included)',
      'throttled attempts',
      'simulated s to the last decision',
      'goal ≤ 30 s',
      'clusters decided',
      'failures',
      'decisions',
    ],
    rows: out,
  };
}
