import { SimulatedAccount } from '../sim/account';
import { buildServiceFleet } from '../sim/builders-capacity-large';
import { LATENCY_MS, tickWorld } from './capacity-tick';
import { stats, type Table } from './harness';

/**
 * From a starvation to the capacity request, simulated: a service's desired count is raised at
 * a random second of a minute on a 100-instance, 300-service cluster whose free room cannot
 * hold the new tasks; scaleTick runs at every minute mark (50 ms per API call); the figure is
 * the time from the raise to the SetDesiredCapacity call. Beside it, a model of ECS cluster
 * auto scaling (capacity providers' managed scaling) for the same seconds.
 */

/**
 * ECS managed scaling's path from a starvation to SetDesiredCapacity, as documented:
 * - "Every minute, Amazon ECS collects information, which determines whether the Auto Scaling
 *   group needs to scale in or out" and publishes CapacityProviderReservation to CloudWatch
 *   (Amazon ECS Developer Guide, "Amazon ECS cluster Auto Scaling"; awsdocs/amazon-ecs-developer-guide,
 *   doc_source/cluster-auto-scaling.md);
 * - "The scale-out activity is triggered if CapacityProviderReservation > Target capacity for 1
 *   datapoints with 1 minute duration. That means it takes 1 minute to scale out the capacity
 *   in the ASG." (EC2 Spot Workshops, "Scaling ECS Workloads",
 *   https://ec2spotworkshops.com/ecs-spot-capacity-providers/introduction/scaling_ecs_workloads.html);
 *   scale-in needs 15 data points (15 minutes) (the same Developer Guide page).
 *
 * Assumed, not documented: the collection runs at the minute marks (the phase scaleTick's
 * schedule has here); a datapoint counts once its 1-minute period is over; CloudWatch's own
 * ingestion and alarm-evaluation delay is 0 (so this is a lower bound); the alarm's action
 * sets the group's desired capacity at once.
 */
export const CAPACITY_PROVIDER_MODEL = {
  collectionPeriodS: 60,
  datapointsToScaleOut: 1,
  datapointPeriodS: 60,
  alarmEvaluationDelayS: 0,
} as const;

/** Seconds from a starvation at `second` (0 ≤ second < 60) of a minute to the alarm's SetDesiredCapacity, by the model above. */
export function capacityProviderSecondsToRequest(second: number, m: typeof CAPACITY_PROVIDER_MODEL = CAPACITY_PROVIDER_MODEL): number {
  const toCollection = (m.collectionPeriodS - (second % m.collectionPeriodS)) % m.collectionPeriodS;
  return toCollection + m.datapointsToScaleOut * m.datapointPeriodS + m.alarmEvaluationDelayS;
}

const MINUTE = 60_000;
const MAX_TICKS = 6;

export interface StarvationRun {
  seed: number;
  /** The second of the minute the desired count was raised at. */
  second: number;
  /** Seconds from the raise to scaleTick's SetDesiredCapacity (NaN: none within MAX_TICKS minutes). */
  seconds: number;
  /** Desired capacity asked for, from → to. */
  desired: string;
}

/** One seed: a tick at the minute mark, the raise at second s of the next minute, ticks each minute until the request. */
export async function starvationRun(seed: number): Promise<StarvationRun> {
  const account = new SimulatedAccount({ seed });
  const second = Math.round(account.random() * 600) / 10;
  const built = buildServiceFleet(account, {
    instances: 100,
    services: 300,
    tasksPerInstance: 3,
    task: { cpu: 400, memory: 1024 }, // 59 % of an m5.large's CPU: 848 CPU free each, less than one burst task
    burst: { cpu: 1024, memory: 2048 },
  });
  const world = tickWorld(account);
  account.faults.latencyMs = LATENCY_MS;
  const t0 = account.clock.now();
  const starvedAt = t0 + MINUTE + second * 1000;
  account.at(starvedAt, () => account.ecs.services.setDesiredCount(built.cluster, 'burst', 4));
  for (let i = 0; i < MAX_TICKS; i++) {
    const startedAt = account.clock.now();
    await world.tick();
    account.clock.set(startedAt + MINUTE);
    if (startedAt > starvedAt && requestAfter(account, starvedAt)) break;
  }
  const request = requestAfter(account, starvedAt);
  const input = request?.input as { DesiredCapacity?: number } | undefined;
  return {
    seed,
    second,
    seconds: request ? (request.at - starvedAt) / 1000 : NaN,
    desired: input ? `100 → ${input.DesiredCapacity}` : '—',
  };
}

function requestAfter(account: SimulatedAccount, at: number) {
  return account.calls.find((c) => c.operation === 'SetDesiredCapacity' && !c.error && c.at >= at);
}

export const STARVATION_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9];

/** The side-by-side table: scaleTick simulated vs the capacity-provider model, median / max / min over the seeds. */
export function starvationTable(runs: readonly StarvationRun[]): Table {
  const ours = stats(runs.map((r) => r.seconds));
  const model = stats(runs.map((r) => capacityProviderSecondsToRequest(r.second)));
  const s = (x: number) => x.toFixed(1);
  const list = (xs: number[]) => xs.map(s).join(' / ');
  return {
    columns: ['path', 'runs', 'median s', 'max s', 'min s', 'per run (raised at second → s to request)'],
    rows: [
      [
        'scaleTick (simulated, 50 ms per call)',
        runs.length,
        s(ours.median),
        s(ours.high),
        s(ours.min),
        runs.map((r) => `${s(r.second)} → ${s(r.seconds)}`).join(', '),
      ],
      [
        'ECS managed scaling (model, lower bound)',
        runs.length,
        s(model.median),
        s(model.high),
        s(model.min),
        list(runs.map((r) => capacityProviderSecondsToRequest(r.second))),
      ],
    ],
  };
}
