import type { SQSRecord } from 'aws-lambda';
import { makeHandler } from '../functions/capacity-writer/handler';
import { parseEventScaleConfig } from '../shared/capacity/config';
import type { ClusterTickReport } from '../shared/capacity/report';
import { tickMessage } from '../shared/capacity/writer-messages';
import type { Log, MetricSink } from '../shared/lambda/observability';
import { SimulatedAccount } from '../sim/account';
import { buildServiceFleet, type ServiceFleetOptions } from '../sim/builders-capacity-large';
import { callCounts, type Scenario } from './harness';

/**
 * One cluster's tick through the real capacity writer handler on the simulated account (logging
 * and metrics silenced), handed the tick message as Lambda's event source would, on a container
 * that already ran a dry-run tick: the adapters' caches (DescribeTaskDefinition,
 * DescribeInstanceTypes) are warm, as they are for a function invoked every minute. Each API
 * call takes `latencyMs` of simulated time.
 */

export const silentLog = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Log;
export const silentMetrics = { addMetric() {} } as unknown as MetricSink;
export const LATENCY_MS = 50;
/** The writer's Lambda timeout. */
const INVOCATION_MS = 60_000;

export interface Result {
  clusters: ClusterTickReport[];
}
export type Tick = () => Promise<Result>;

/** An SQS record of the capacity queue carrying this message (its group is the cluster). */
export function capacityRecord(account: SimulatedAccount, body: unknown, id: string, cluster: string): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: JSON.stringify(body),
    attributes: { ApproximateReceiveCount: '1', MessageGroupId: cluster } as unknown as SQSRecord['attributes'],
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: account.arn('sqs', 'ecs-steady-bench-capacity.fifo'),
    awsRegion: account.region,
  };
}

/** The real writer on `account`, ticking `cluster`; `dryRun()` shares its clients (and so its caches) without changing anything. */
export function tickWorld(account: SimulatedAccount, env: Record<string, string> = {}, cluster = 'fleet'): { tick: Tick; dryRun: Tick } {
  const clients = account.clients();
  const invoke = (config: ReturnType<typeof parseEventScaleConfig>) => {
    let reports: ClusterTickReport[] = [];
    const handler = makeHandler(() => ({
      clients,
      config,
      clock: account.clock,
      logger: silentLog,
      metrics: silentMetrics,
      onReports: (r) => (reports = r),
    }));
    let n = 0;
    return async () => {
      const startedAt = account.clock.now();
      const id = `tick-${++n}`;
      await handler(
        { Records: [capacityRecord(account, tickMessage(cluster, startedAt), id, cluster)] },
        { getRemainingTimeInMillis: () => INVOCATION_MS - (account.clock.now() - startedAt), awsRequestId: id },
      );
      return { clusters: reports };
    };
  };
  const base = { QUEUE_NAME: 'ecs-steady-bench-capacity.fifo', ...env };
  return { tick: invoke(parseEventScaleConfig(base)), dryRun: invoke(parseEventScaleConfig({ ...base, DRY_RUN: 'true' })) };
}

export interface TickRow {
  name: string;
  instances: number;
  services: number;
  /** What the tick must decide (the row throws otherwise: it would measure something else). */
  expect: 'none' | 'scale-in';
  /** Every instance runs a batch task: scale-in gates open, candidates read, none of them can go. */
  batchOnEach: boolean;
  /** Run on a fresh container (no dry-run tick first). */
  cold?: boolean;
}

/**
 * Service tasks per instance and their size: 300 services' tasks spread evenly, about 40 % of
 * an m5.large's CPU and 30 % of its memory reserved (under the 50 % scale-in thresholds, so the
 * tick reads the scale-in candidates), at least 3 tasks per instance.
 */
export function fleetOptions(row: TickRow): ServiceFleetOptions {
  const perInstance = Math.max(3, Math.ceil(row.services / row.instances));
  return {
    instances: row.instances,
    services: row.services,
    tasksPerInstance: perInstance,
    task: { cpu: Math.floor((2048 * 0.4) / perInstance), memory: Math.floor((7680 * 0.3) / perInstance) },
    ...(row.batchOnEach ? { standalonePerInstance: { cpu: 64, memory: 128 } } : {}),
  };
}

interface TickCtx {
  account: SimulatedAccount;
  tick: Tick;
  from: number;
  startedAt: number;
}

const isCall = (k: string) => !k.endsWith(':error');

export function tickScenario(row: TickRow): Scenario<TickCtx, Result> {
  return {
    name: row.name,
    async setup() {
      const account = new SimulatedAccount({ seed: 5 });
      buildServiceFleet(account, fleetOptions(row));
      const world = tickWorld(account);
      // Two dry-run ticks a minute apart: a cold container's first tick can leave a size uncached (throttled DescribeTaskDefinition).
      for (let i = 0; i < (row.cold ? 0 : 2); i++) {
        await world.dryRun();
        account.advance(INVOCATION_MS); // the next scheduled tick: rate buckets refilled
      }
      account.faults.latencyMs = LATENCY_MS;
      return { account, tick: world.tick, from: account.calls.length, startedAt: account.clock.now() };
    },
    async run(ctx) {
      const result = await ctx.tick();
      const got = result.clusters.map((c) => c.decision).join(', ');
      if (got !== row.expect)
        throw new Error(`${row.name}: expected decision ${row.expect}, got ${got}: ${JSON.stringify(result.clusters)}`);
      return result;
    },
    counters(ctx) {
      const calls = callCounts(ctx.account, ctx.from);
      const total = Object.entries(calls)
        .filter(([k]) => isCall(k))
        .reduce((a, [, v]) => a + v, 0);
      const throttled = Object.entries(calls)
        .filter(([k]) => !isCall(k))
        .reduce((a, [, v]) => a + v, 0);
      const end = ctx.account.clock.now();
      // The decision is carried out from the first call that is not a read (mark, set desired, …); a `none` tick ends with its reads.
      const acted = ctx.account.calls.slice(ctx.from).find((c) => !/^(Describe|List|Get)/.test(c.operation));
      return {
        ...calls,
        'API calls': total,
        throttled,
        'decided at s': Math.round((acted?.at ?? end) - ctx.startedAt) / 1000,
        'simulated s': Math.round(end - ctx.startedAt) / 1000,
      };
    },
  };
}

export const TICK_ROWS: TickRow[] = [10, 100, 1000].flatMap((n) => [
  {
    name: `${n} instances, steady (candidates read, none can go)`,
    instances: n,
    services: 300,
    expect: 'none' as const,
    batchOnEach: true,
  },
  {
    name: `${n} instances, scale-in (one instance drained and removed)`,
    instances: n,
    services: 300,
    expect: 'scale-in' as const,
    batchOnEach: false,
  },
]);

/** The largest cluster the writer plans inside the goal: 5,000 instances, 1,000 services. */
export const BIG_ROW: TickRow = {
  name: '5,000 instances, 1,000 services, steady (candidates read, none can go)',
  instances: 5000,
  services: 1000,
  expect: 'none',
  batchOnEach: true,
};

/** The first tick of a fresh container: every size is read once (one DescribeTaskDefinition per task definition). */
export const COLD_ROWS: TickRow[] = [10, 1000].map((n) => ({
  name: `${n} instances, steady, cold container (first tick)`,
  instances: n,
  services: 300,
  expect: 'none' as const,
  batchOnEach: true,
  cold: true,
}));
