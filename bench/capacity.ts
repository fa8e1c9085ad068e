import { aboveNeedPercent, simulateDay, type DayResult } from './capacity-day';
import { BIG_ROW, COLD_ROWS, LATENCY_MS, TICK_ROWS, tickScenario, type TickRow } from './capacity-tick';
import { CLUSTER_ROWS, clustersTable, raceTable } from './capacity-writer';
import { CAPACITY_PROVIDER_MODEL, starvationRun, starvationTable, STARVATION_SEEDS, type StarvationRun } from './capacity-starvation';
import { triggersSection } from './capacity-triggers';
import { countersTable, formatMs, measure, type Measurement, type Section, type Table } from './harness';

/**
 * scaleTick's cost and speed: API calls and time of one tick at 10, 100 and 1,000 instances
 * (300 services), the time from a starvation (and from each event trigger) to the capacity
 * request beside ECS managed scaling's documented path, and the capacity launched beyond need
 * over a simulated day.
 */

const GOAL_TICK_S = 3;
/** Operations shown first in the per-operation table (the snapshot's reads in the order they happen). */
const OP_ORDER = [
  'autoscaling.DescribeAutoScalingGroups',
  'ec2.DescribeFleets',
  'ec2.DescribeSpotFleetRequests',
  'ecs.ListContainerInstances',
  'ecs.DescribeContainerInstances',
  'ecs.ListServices',
  'ecs.DescribeServices',
  'ecs.ListTasks',
  'ecs.DescribeTasks',
  'ecs.GetTaskProtection',
  'ecs.DescribeTaskDefinition',
  'ec2.DescribeInstanceTypes',
];
const SUMMARY_KEYS = ['API calls', 'throttled', 'decided at s', 'simulated s'];

const pages = (n: number) => Math.ceil(n / 100);

function summaryTable(rows: readonly TickRow[], results: readonly Measurement[]): Table {
  return {
    columns: [
      'scenario',
      'API calls (throttled attempts included)',
      '⌈n/100⌉',
      'calls ÷ ⌈n/100⌉',
      'throttled',
      's to decision (50 ms/call)',
      `goal ≤ ${GOAL_TICK_S} s`,
      's whole tick (with the drain)',
      'calls × 50 ms (all serial)',
      'wall median',
      'wall max',
    ],
    rows: results.map((m, i) => {
      const calls = m.counters['API calls'] ?? NaN;
      const decided = m.counters['decided at s'] ?? NaN;
      const simulated = m.counters['simulated s'] ?? NaN;
      const p = pages(rows[i]!.instances);
      return [
        `${m.name}${m.countersStable ? '' : ' ⚠ counters varied between runs'}`,
        calls,
        p,
        (calls / p).toFixed(1),
        m.counters.throttled ?? 0,
        decided.toFixed(2),
        decided <= GOAL_TICK_S ? 'holds' : '⚠ missed',
        simulated.toFixed(2),
        ((calls * LATENCY_MS) / 1000).toFixed(2),
        formatMs(m.wallMs.median),
        formatMs(m.wallMs.high),
      ];
    }),
  };
}

/** Operations whose count differs between 10 and 100 instances (same ⌈n/100⌉) or grows faster than ⌈n/100⌉ up to 1,000. */
function growthNotes(rows: readonly TickRow[], results: readonly Measurement[]): string {
  const at = (n: number, kind: TickRow['expect']) => results[rows.findIndex((r) => r.instances === n && r.expect === kind && !r.cold)];
  const notes: string[] = [];
  for (const kind of ['none', 'scale-in'] as const) {
    const [a, b, c] = [at(10, kind), at(100, kind), at(1000, kind)];
    if (!a || !b || !c) continue;
    const ops = new Set(
      [...Object.keys(a.counters), ...Object.keys(b.counters), ...Object.keys(c.counters)].filter((k) => k.includes('.')),
    );
    const odd: string[] = [];
    for (const op of [...ops].sort()) {
      const [x, y, z] = [a, b, c].map((m) => m.counters[op] ?? 0) as [number, number, number];
      if (x !== y || z > 10 * Math.max(1, y)) odd.push(`${op} ${x} / ${y} / ${z}`);
    }
    notes.push(
      `${kind === 'none' ? 'Steady' : 'Scale-in'} ticks: ${odd.length === 0 ? 'every operation grows like ⌈n/100⌉' : `operations not growing like ⌈n/100⌉ (calls at 10 / 100 / 1,000 instances): ${odd.join('; ')}`}.`,
    );
  }
  return notes.join(' ');
}

/** The day's "launched beyond need" per cluster (bench/capacity-day.ts's definition, in units), goal ≤ 1 unit per scale-out. */
function dayTable(day: DayResult): Table {
  return {
    columns: [
      'cluster (backend)',
      'ticks',
      'scale-outs',
      'units asked',
      'units needed',
      'beyond need',
      'most beyond need in one scale-out',
      'goal ≤ 1 per scale-out',
      'starved minutes',
      'tasks killed by a removal',
      'unit-minutes used',
      'unit-minutes above need',
      'goal ≤ 10 % of used',
    ],
    rows: day.summary.map((s) => {
      const worst = Math.max(0, ...day.scaleOuts.filter((o) => o.cluster === s.cluster).map((o) => o.beyondNeed));
      return [
        `${s.cluster} (${s.backend})`,
        day.ticks,
        s.scaleOuts,
        s.unitsAsked,
        s.unitsNeeded,
        s.beyondNeed,
        worst,
        worst <= 1 ? 'holds' : '⚠ missed',
        s.starvedMinutes,
        s.killedByTermination,
        s.unitMinutesUsed,
        `${s.unitMinutesAboveNeed} (${aboveNeedPercent(s)} %)`,
        aboveNeedPercent(s) <= 10 ? 'holds' : '⚠ missed',
      ];
    }),
  };
}

export async function capacityBenchmarks(
  options: { runs: number; quick: boolean; progress: (line: string) => void } = { runs: 5, quick: false, progress: () => {} },
): Promise<Section> {
  const rows = [...TICK_ROWS, BIG_ROW, ...COLD_ROWS].filter((r) => !options.quick || r.instances <= 100);
  const results: Measurement[] = [];
  for (const row of rows) {
    // Building 5,000 instances takes a minute of wall time: one measured run, no warm-up (its counts are exact anyway).
    const big = row === BIG_ROW;
    results.push(
      await measure(tickScenario(row), {
        runs: big ? 1 : options.runs,
        warmups: big ? 0 : 1,
        progress: (l) => options.progress(`capacity: ${l}`),
      }),
    );
  }

  const starved: StarvationRun[] = [];
  for (const seed of options.quick ? STARVATION_SEEDS.slice(0, 3) : STARVATION_SEEDS) {
    options.progress(`capacity: starvation → request, seed ${seed}`);
    starved.push(await starvationRun(seed));
  }
  const triggers = await triggersSection(options, starved);
  options.progress('capacity: the race of three triggers for one cluster');
  const race = await raceTable(options.quick ? 20 : 100);
  const clusters = await clustersTable(
    CLUSTER_ROWS.filter((r) => !options.quick || r.clusters * r.instances <= 1000),
    options.progress,
  );
  const m = CAPACITY_PROVIDER_MODEL;
  options.progress('capacity: a simulated day');
  const day = await simulateDay(options.quick ? { hours: 6 } : { backends: ['asg', 'ec2Fleet', 'spotFleet'] });

  return {
    title: 'Capacity: scaleTick',
    body: [
      'The real scaleTick handler (logging and metrics silenced) on the simulated account, one cluster of 300 services on one Auto Scaling group (m5.large weight 1, m5.xlarge weight 2; `sim/builders-capacity-large.ts`), every API call taking 50 ms of simulated time, the rate buckets on. ' +
        "Service tasks are spread evenly (max(3, ⌈300/n⌉) per instance, about 40 % CPU and 30 % memory reserved), so the scale-in gates are open and the tick reads the five emptiest instances' tasks. " +
        '*Steady*: every instance also runs one standalone (batch) task, so no candidate can go and the tick decides `none`; *scale-in*: it drains one instance (the drain is part of the tick) and removes it. ' +
        'Each measured tick runs on a container that already ran two dry-run ticks (sizes and instance types cached), except the *cold* rows. ' +
        'Simulated seconds count the handler\'s own parallelism: "s to decision" runs from the tick\'s start to its first call that changes something (for `none`, the whole tick; the goal applies to it), "whole tick" includes the scale-in drain (ECS places replacements 5 s after a stop), "all serial" is the sum of every call\'s 50 ms. ' +
        "Goal: calls grow like ⌈n/100⌉ (ListContainerInstances pages and DescribeContainerInstances take 100 each); DescribeServices is ⌈services/10⌉ whatever n; ListTasks, DescribeTasks, GetTaskProtection (10 tasks a call) and DescribeTaskDefinition follow the tasks on the five candidates, StopTask and the drain's DescribeServices the tasks on the drained instance.",
      '### One tick: calls and time',
      summaryTable(rows, results),
      '### One tick: calls by operation (exact)',
      countersTable(
        results.map((m) => ({ ...m, counters: Object.fromEntries(Object.entries(m.counters).filter(([k]) => !SUMMARY_KEYS.includes(k))) })),
        OP_ORDER,
      ),
      growthNotes(rows, results),
      '### Starvation → capacity request',
      `100 instances, 300 services at 59 % CPU reserved (848 CPU free per instance); at a random second of a minute (one seed each) the service \`burst\` (1024 CPU, 2048 MiB) goes from 0 to 4 tasks, none of which fits. scaleTick runs at every minute mark, 50 ms per call; the figure is the simulated time from the raise to its SetDesiredCapacity call. ` +
        `Beside it, \`capacityProviderSecondsToRequest\` (bench/capacity-starvation.ts) for the same seconds: ECS collects every ${m.collectionPeriodS} s and publishes CapacityProviderReservation (Amazon ECS Developer Guide, "Amazon ECS cluster Auto Scaling"); the scale-out alarm needs ${m.datapointsToScaleOut} data point of ${m.datapointPeriodS} s (EC2 Spot Workshops, "Scaling ECS Workloads": "for 1 datapoints with 1 minute duration. That means it takes 1 minute to scale out"; scale-in needs 15). ` +
        "Assumed: the collection runs at the minute marks (scaleTick's phase here), a data point counts once its minute is over, CloudWatch ingestion and alarm evaluation add nothing (so the model is a lower bound), the alarm sets desired at once.",
      starvationTable(starved),
      ...triggers,
      '### One writer per cluster: the race',
      "One cluster, 2 m5.large with CPU fully reserved; the minute's tick, a RunTask result (2 tasks of 1024 CPU found no room) and a placement failure (4 more tasks of 512 CPU) at random offsets in 0–150 ms of each other (one seed each), 50 ms per call, through scaleTick, runTaskFailure and placementFailure into the capacity FIFO queue and capacityWriter (test/support/capacity-race.ts, the scenario test's run), then two minutes of ticks. " +
        '*Lowered*: a successful SetDesiredCapacity below a value set before it (or a removal with decrement); *killed*: tasks stopped (nothing in the scenario may stop one); *needed*: 4,096 CPU of demand beside 4,096 reserved fits 2 more m5.large by bin-packing and 3 more under the 85 % CPU threshold.',
      race,
      '### Many clusters in one minute',
      "N clusters of M m5.large, 30 services each at 58 % CPU reserved (steady with consolidation off, which would otherwise drain one instance: nothing to do, no scale-in candidate read); after one warm-up minute, the measured minute: scaleTick's fan-out, then capacityWriter consumes the FIFO queue with the event source model (`sim/sqs-poller.ts`, batch size and maximum concurrency from serverless.yml) until the queue is empty. 50 ms per call; ECS's rate buckets are the account's, shared by every invocation. Calls include throttled attempts the SDK retried.",
      clusters,
      '### Instances launched beyond need over a simulated day',
      `\`simulateDay\` (bench/capacity-day.ts, as \`npm run demo:day\` runs it): the day's services on ${day.hours} simulated hour(s), scaleTick every simulated minute with its defaults, one cluster per backend (units: m5.large 1, m5.xlarge 2). ` +
        "A scale-out's units beyond need are those the highest need before the next scale-in never used (successive scale-outs in one window are credited in order). " +
        'Unit-minutes above need: Σ over ticks of desired less the units the day needs that minute (the fewest units holding the desired tasks under the scale-out thresholds, bin-packed: `neededUnits`), against Σ desired (used).',
      dayTable(day),
    ],
  };
}
