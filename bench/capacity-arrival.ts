import { SimulatedAccount } from '../sim/account';
import { WARM_POOL_ENTRY_MS, WARM_START_TO_ECS_MS } from '../sim/autoscaling-warm-pool';
import { addOnDemandFallback, buildCapacityCluster, type CapacityBackendKind } from '../sim/builders-capacity';
import { placementFailure, placementFailureEvent } from '../test/support/capacity-events';
import { batchingWindows } from './capacity-triggers';
import { LATENCY_MS, tickWorld } from './capacity-tick';
import { capacityProviderSecondsToRequest } from './capacity-starvation';
import { highLabel, stats, type Section, type Table } from './harness';

/**
 * Time to capacity, end to end: from a starvation to the first task RUNNING on capacity that was
 * not there before, simulated. A cluster of 4 m5.large, each full (4 tasks of 512 CPU); at a
 * random tenth of a second of a minute the service `app` wants 4 more. ECS's
 * SERVICE_TASK_PLACEMENT_FAILURE reaches placementFailure (its queue's batching window from
 * serverless.yml), which asks the capacity writer at once; scaleTick's writer runs at every
 * minute mark after it (it is what reads failed launches and moves the fallback). Every API call
 * takes 50 ms; the sim's rate buckets are on.
 *
 * What the simulator assumes (cited beside each figure in sim/):
 * - cold launch → ECS registration 60 s (sim/builders-capacity.ts, EcsJoin.registerAfterMs; AWS
 *   publishes no boot time);
 * - warm pool (Stopped) → ECS registration 20 s (sim/autoscaling-warm-pool.ts, assumed);
 * - EC2 Fleet notices it is short and launches 30 s later (sim/ec2-fleet.ts, assumed); a Spot
 *   Fleet at once (sim/ec2-spot-fleet.ts);
 * - ECS places a pending task 5 s after the instance registers (sim/ecs.ts placementDelayMs);
 * - fleet history records are shown up to 30 s late, as the API reference says (sim/fleet-history.ts).
 */

export const ARRIVAL_SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);
const MINUTE = 60_000;
const MAX_MINUTES = 12;
const WARM_GOAL_S = 45;
const FALLBACK_GOAL_S = 70;

export type ArrivalCase = 'asg-cold' | 'asg-warm' | 'ec2Fleet' | 'spotFleet' | 'spotFleet-dry';

export const ARRIVAL_CASES: Array<{ c: ArrivalCase; label: string }> = [
  { c: 'asg-cold', label: 'ASG, cold launch' },
  { c: 'asg-warm', label: 'ASG with a warm pool (Stopped)' },
  { c: 'ec2Fleet', label: 'EC2 Fleet (maintain)' },
  { c: 'spotFleet', label: 'Spot Fleet (maintain)' },
  { c: 'spotFleet-dry', label: 'Spot Fleet, pools dry → on-demand ASG fallback' },
];

export interface ArrivalRun {
  seed: number;
  second: number;
  /** Starvation → first task RUNNING on new capacity (NaN: none within MAX_MINUTES). */
  toRunning: number;
  /** Starvation → the first capacity request. */
  toRequest: number;
  /** Dry pools only: first failed launch → the fallback's SetDesiredCapacity. */
  failureToFallback?: number;
}

/** One seed of one case. */
export async function arrivalRun(c: ArrivalCase, seed: number, window = batchingWindows().placementFailure): Promise<ArrivalRun> {
  const account = new SimulatedAccount({ seed });
  const second = Math.round(account.random() * 600) / 10;
  const backend: CapacityBackendKind = c.startsWith('asg') ? 'asg' : c.startsWith('ec2') ? 'ec2Fleet' : 'spotFleet';
  const b = buildCapacityCluster(account, {
    backend,
    instances: 4,
    tasksPerInstance: 4,
    ...(c === 'asg-warm' ? { warmPool: { maxGroupPreparedCapacity: 10, poolState: 'Stopped' as const } } : {}),
  });
  if (c === 'spotFleet-dry') {
    addOnDemandFallback(account, b.cluster, { dryPool: true });
  }
  if (c === 'asg-warm') account.advance(WARM_POOL_ENTRY_MS); // the pool has rested before the day's first starvation
  const before = new Set(b.instances.map((i) => i.instanceId));
  const events = placementFailure(account);
  const world = tickWorld(account, {}, b.cluster);
  account.faults.latencyMs = LATENCY_MS;

  const t0 = Math.ceil(account.clock.now() / MINUTE) * MINUTE;
  const starvedAt = t0 + second * 1000;
  account.clock.set(starvedAt);
  account.ecs.services.setDesiredCount(b.cluster, 'app', 4 * 4 + 4);
  events.publish(placementFailureEvent(account, b.cluster, 'app', starvedAt));
  account.advance(window * 1000);
  await events.source.run();
  for (let m = 1; m <= MAX_MINUTES && firstRunning(account, b.cluster, before, starvedAt) === undefined; m++) {
    account.clock.set(t0 + m * MINUTE);
    await world.tick();
  }
  account.clock.set(account.clock.now() + 1); // let what is due now happen
  const running = firstRunning(account, b.cluster, before, starvedAt);
  const request = account.calls.find(
    (r) => ['SetDesiredCapacity', 'ModifyFleet', 'ModifySpotFleetRequest'].includes(r.operation) && !r.error && r.at >= starvedAt,
  );
  const run: ArrivalRun = {
    seed,
    second,
    toRunning: running === undefined ? NaN : (running - starvedAt) / 1000,
    toRequest: request ? (request.at - starvedAt) / 1000 : NaN,
  };
  if (c !== 'spotFleet-dry') return run;
  const failed = account.ec2.spotFleets.fleet(b.backend.id)!.history[0];
  const fallback = account.calls.find(
    (r) =>
      r.operation === 'SetDesiredCapacity' &&
      !r.error &&
      (r.input as { AutoScalingGroupName?: string }).AutoScalingGroupName === 'on-demand-fallback',
  );
  return { ...run, failureToFallback: failed && fallback ? (fallback.at - failed.at) / 1000 : NaN };
}

/** When the first task of `app` that started after the starvation on an instance not there before started. */
function firstRunning(account: SimulatedAccount, cluster: string, before: ReadonlySet<string>, after: number): number | undefined {
  const started = account.ecs.tasks
    .all()
    .filter((t) => t.cluster === cluster && t.serviceName === 'app' && !before.has(t.ec2InstanceId) && (t.startedAt ?? -1) >= after)
    .map((t) => t.startedAt!);
  return started.length > 0 ? Math.min(...started) : undefined;
}

/** ECS capacity providers' path for the same second: the model's request (bench/capacity-starvation.ts), then the same launch, registration and placement times. */
function modelToRunning(second: number, registerS: number): number {
  return capacityProviderSecondsToRequest(second) + registerS + 5;
}

export async function arrivalRows(options: { quick: boolean; progress: (line: string) => void }) {
  const window = batchingWindows().placementFailure;
  const seeds = options.quick ? ARRIVAL_SEEDS.slice(0, 3) : ARRIVAL_SEEDS;
  const rows: Array<{ c: ArrivalCase; label: string; runs: ArrivalRun[] }> = [];
  for (const { c, label } of ARRIVAL_CASES) {
    options.progress(`arrival: ${label}`);
    const runs: ArrivalRun[] = [];
    for (const seed of seeds) runs.push(await arrivalRun(c, seed, window));
    rows.push({ c, label, runs });
  }
  return rows;
}

const s1 = (x: number) => (Number.isNaN(x) ? '—' : x.toFixed(1));
const worst = (xs: number[]) => (xs.some(Number.isNaN) ? NaN : Math.max(...xs));

export function arrivalTable(rows: Awaited<ReturnType<typeof arrivalRows>>): Table {
  const out: Table['rows'] = [];
  for (const r of rows) {
    const toRunning = r.runs.map((x) => x.toRunning);
    const st = stats(toRunning);
    const goal = r.c === 'asg-warm' ? `≤ ${WARM_GOAL_S} s median${st.median <= WARM_GOAL_S ? '' : ' — MISSED'}` : '';
    out.push([
      r.label,
      r.runs.length,
      s1(stats(r.runs.map((x) => x.toRequest)).median),
      s1(st.median),
      s1(st.high),
      s1(worst(toRunning)),
      goal,
    ]);
    if (r.c === 'spotFleet-dry') {
      const f = r.runs.map((x) => x.failureToFallback ?? NaN);
      const fs = stats(f);
      const ok = worst(f) <= FALLBACK_GOAL_S;
      out.push([
        '↳ first failed launch → fallback request',
        r.runs.length,
        '',
        s1(fs.median),
        s1(fs.high),
        s1(worst(f)),
        `≤ ${FALLBACK_GOAL_S} s${ok ? '' : ` — MISSED (worst ${s1(worst(f))} s)`}`,
      ]);
    }
  }
  const seconds = rows[0]?.runs.map((x) => x.second) ?? [];
  for (const [label, registerS] of [
    ['ECS capacity provider (model), cold ASG', 60],
    ['ECS capacity provider (model), warm pool', WARM_START_TO_ECS_MS.Stopped / 1000],
  ] as const) {
    const xs = seconds.map((s) => modelToRunning(s, registerS));
    const st = stats(xs);
    out.push([
      label,
      xs.length,
      s1(stats(seconds.map((s) => capacityProviderSecondsToRequest(s))).median),
      s1(st.median),
      s1(st.high),
      s1(worst(xs)),
      '',
    ]);
  }
  const high = highLabel(seeds(rows));
  return { columns: ['path', 'runs', 'median s to request', 'median s to task RUNNING', `${high} s`, 'worst s', 'goal'], rows: out };
}

const seeds = (rows: Awaited<ReturnType<typeof arrivalRows>>) => rows[0]?.runs.length ?? 0;

export async function arrivalSection(options: { quick: boolean; progress: (line: string) => void }): Promise<Section> {
  const rows = await arrivalRows(options);
  return {
    title: 'Capacity: time to capacity, starvation → first task RUNNING on new capacity',
    body: [
      'Simulated, one fresh account per seed: 4 full m5.large, the service `app` wants 4 more tasks at a random tenth of a second of a minute. ' +
        'placementFailure asks at once (after its batching window); scaleTick runs at every minute mark. The dry-pool row has both Spot pools dry and an ' +
        'on-demand ASG tagged as the fallback: the fallback moves once a tick reads the fleet’s failed launch (DescribeSpotFleetRequestHistory shows it up to 30 s late). ' +
        'Assumed figures: cold launch → ECS 60 s; warm pool (Stopped) → ECS 20 s; EC2 Fleet launches 30 s after it is short; ECS places a task 5 s after registration ' +
        '(sim/autoscaling-warm-pool.ts, sim/builders-capacity.ts, sim/ec2-fleet.ts, sim/ecs.ts). The capacity-provider rows add the same registration and placement times ' +
        'to the managed-scaling model of bench/capacity-starvation.ts (a lower bound).',
      arrivalTable(rows),
    ],
  };
}
