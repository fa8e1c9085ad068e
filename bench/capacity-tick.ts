import { makeHandler, type Result } from '../functions/scale-tick/handler';
import { parseScaleTickConfig } from '../shared/capacity/config';
import type { Log, MetricSink } from '../shared/lambda/observability';
import { SimulatedAccount } from '../sim/account';
import { buildServiceFleet, type ServiceFleetOptions } from '../sim/builders-capacity-large';
import { callCounts, type Scenario } from './harness';

/**
 * One scaleTick through the real handler on the simulated account (logging and metrics
 * silenced), on a container that already ran a dry-run tick: the adapters' caches
 * (DescribeTaskDefinition, DescribeInstanceTypes) are warm, as they are for a scheduled
 * function invoked every minute. Each API call takes `latencyMs` of simulated time.
 */

export const silentLog = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Log;
export const silentMetrics = { addMetric() {} } as unknown as MetricSink;
export const LATENCY_MS = 50;
/** The Lambda's time per tick (the schedule's period). */
const INVOCATION_MS = 60_000;

export type Tick = () => Promise<Result>;

/** The real handler on `account`; `dryRun()` shares its clients (and so its caches) without changing anything. */
export function tickWorld(account: SimulatedAccount, env: Record<string, string> = {}): { tick: Tick; dryRun: Tick } {
  const clients = account.clients();
  const invoke = (config: ReturnType<typeof parseScaleTickConfig>) => {
    const handler = makeHandler(() => ({ clients, config, clock: account.clock, logger: silentLog, metrics: silentMetrics }));
    let n = 0;
    return async () => {
      const startedAt = account.clock.now();
      return handler(
        {},
        { getRemainingTimeInMillis: () => INVOCATION_MS - (account.clock.now() - startedAt), awsRequestId: `tick-${++n}` },
      );
    };
  };
  return { tick: invoke(parseScaleTickConfig(env)), dryRun: invoke(parseScaleTickConfig({ ...env, DRY_RUN: 'true' })) };
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

/** The first tick of a fresh container: every size is read once (one DescribeTaskDefinition per task definition). */
export const COLD_ROWS: TickRow[] = [10, 1000].map((n) => ({
  name: `${n} instances, steady, cold container (first tick)`,
  instances: n,
  services: 300,
  expect: 'none' as const,
  batchOnEach: true,
  cold: true,
}));
