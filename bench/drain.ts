import { makeHandler as makeAsgHandler } from '../functions/asg-lifecycle-drain/handler';
import { SPOT_NOTICE_MS } from '../functions/spot-interruption/handler';
import { spotHandlers } from '../test/support/spot-world';
import type { DrainReport } from '../shared/drain/report';
import type { Log, MetricSink } from '../shared/lambda/observability';
import { SimulatedAccount } from '../sim/account';
import { buildAsgCluster, buildLargeCluster, buildSpotCluster } from '../sim/builders';
import { SqsEventSource } from '../sim/event-source';
import { ASG_DEFAULTS, DRAIN_DEFAULTS, deregisteredBeforeStopped } from '../test/support/drain-checks';
import { callCounts, countersTable, measure, timingTable, type Measurement, type Scenario, type Section } from './harness';

/**
 * spotInterruption and asgLifecycleDrain through their real handlers on the simulated
 * account. Wall time is what the code costs (the virtual clock makes the waits free);
 * simulated seconds are how long the drain would take against AWS with the given latency.
 */

const silentLog = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Log;
const silentMetrics = { addMetric() {} } as unknown as MetricSink;

interface SpotWorld {
  account: SimulatedAccount;
  event: unknown;
  taskArns: string[];
  noticeAt: number;
  callsFrom: number;
}

function spotScenario(
  name: string,
  build: (account: SimulatedAccount) => string[] | { instanceId: string; taskArns: string[] },
  faults: { throttle?: number; latencyMs?: number } = {},
): Scenario<SpotWorld, DrainReport> {
  return {
    name,
    setup() {
      const account = new SimulatedAccount({ seed: 5 });
      const built = build(account);
      const { instanceId, taskArns } = Array.isArray(built) ? { instanceId: built[0]!, taskArns: built.slice(1) } : built;
      const noticeAt = account.clock.now();
      const event = account.ec2.interruptSpot(instanceId);
      account.faults.throttleRate = faults.throttle ?? 0;
      account.faults.latencyMs = faults.latencyMs ?? 0;
      return { account, event, taskArns, noticeAt, callsFrom: account.calls.length };
    },
    async run(w) {
      const clients = w.account.clients();
      const { handler } = spotHandlers(() => ({
        clients,
        config: DRAIN_DEFAULTS,
        clock: w.account.clock,
        logger: silentLog,
        metrics: silentMetrics,
      }));
      return (await handler(w.event)) as DrainReport;
    },
    counters(w, report) {
      const calls = callCounts(w.account, w.callsFrom);
      w.account.advance(w.noticeAt + SPOT_NOTICE_MS - w.account.clock.now() + 1);
      return {
        tasks: w.taskArns.length,
        'simulated s': (Date.parse(report.finishedAt) - w.noticeAt) / 1000,
        secondsToSpare: report.secondsToSpare,
        'killed at reclaim': w.account.ecs.killedByTermination().length,
        'stopped before deregistered': deregisteredBeforeStopped(w.account, w.taskArns, 'api-or-ecs').length,
        'API calls': Object.entries(calls)
          .filter(([k]) => !k.endsWith(':error'))
          .reduce((a, [, v]) => a + v, 0),
        throttled: Object.entries(calls)
          .filter(([k]) => k.endsWith(':error'))
          .reduce((a, [, v]) => a + v, 0),
        ...pick(calls, ['ecs.DescribeTasks', 'ecs.StopTask', 'elbv2.DeregisterTargets', 'elbv2.DescribeTargetHealth']),
      };
    },
  };
}

function pick(calls: Record<string, number>, keys: string[]): Record<string, number> {
  return Object.fromEntries(keys.map((k) => [k, calls[k] ?? 0]));
}

interface AsgWorld {
  account: SimulatedAccount;
  source: SqsEventSource;
  token: string;
  callsFrom: number;
  startedAt: number;
}

function asgScenario(name: string, opts: { delaySeconds: number; stepMs: number }): Scenario<AsgWorld, void> {
  return {
    name,
    setup() {
      const account = new SimulatedAccount({ seed: 5 });
      const c = buildAsgCluster(account, { heartbeatTimeout: 900, deregistrationDelaySeconds: opts.delaySeconds });
      const queueUrl = account.sqs.createQueue('bench-asg-drain', { VisibilityTimeout: '360' });
      const clients = account.clients();
      const config = { ...DRAIN_DEFAULTS, ...ASG_DEFAULTS, maxWaitMs: 600_000, stepMs: opts.stepMs, drainQueueName: 'bench-asg-drain' };
      const handler = makeAsgHandler(() => ({ clients, config, clock: account.clock, logger: silentLog, metrics: silentMetrics }));
      const source = new SqsEventSource(account, queueUrl, (e) => handler(e));
      const event = account.autoscaling.beginTermination(c.asgName, c.instances[0]!.instanceId);
      account.sqs.deliver(queueUrl, JSON.stringify(event));
      return { account, source, token: event.detail.LifecycleActionToken, callsFrom: account.calls.length, startedAt: account.clock.now() };
    },
    async run(w) {
      await w.source.run();
    },
    counters(w) {
      const action = w.account.autoscaling.lifecycleAction(w.token)!;
      const calls = callCounts(w.account, w.callsFrom);
      return {
        invocations: w.source.invocations,
        'simulated s': ((action.completedAt ?? NaN) - w.startedAt) / 1000,
        heartbeats: action.heartbeats.length,
        'completed by drain': action.timedOut ? 0 : 1,
        'API calls': Object.entries(calls)
          .filter(([k]) => !k.endsWith(':error'))
          .reduce((a, [, v]) => a + v, 0),
        ...pick(calls, ['ecs.StopTask', 'elbv2.DeregisterTargets', 'elbv2.DescribeTargetHealth', 'sqs.SendMessage']),
      };
    },
  };
}

export async function drainBenchmarks(
  options: { runs: number; quick: boolean; progress: (line: string) => void } = { runs: 5, quick: false, progress: () => {} },
): Promise<Section> {
  const large = (tasks: number, groups: number) => (account: SimulatedAccount) => {
    const c = buildLargeCluster(account, { tasks, targetGroups: groups, deregistrationDelaySeconds: 30 });
    return { instanceId: c.victim.instanceId, taskArns: c.taskArns };
  };
  const spot: Array<Scenario<SpotWorld, DrainReport>> = [
    spotScenario('spot: demo cluster (5 tasks, 3 target groups)', (account) => {
      const c = buildSpotCluster(account);
      const id = c.instances[0]!.instanceId;
      return { instanceId: id, taskArns: c.tasksByInstance[id]!.filter((a) => a !== c.tasks.batch) };
    }),
    spotScenario('spot: 50 tasks, 10 target groups', large(50, 10)),
    spotScenario('spot: 50 tasks, 10 target groups, 10 % throttled, 20 ms latency', large(50, 10), { throttle: 0.1, latencyMs: 20 }),
    ...(options.quick
      ? []
      : [
          spotScenario('spot: 120 tasks, 20 target groups, 10 % throttled, 50 ms latency', large(120, 20), {
            throttle: 0.1,
            latencyMs: 50,
          }),
        ]),
  ];
  const asg: Array<Scenario<AsgWorld, void>> = [
    asgScenario('asg: 30 s deregistration delay, one invocation', { delaySeconds: 30, stepMs: 240_000 }),
    asgScenario('asg: 300 s deregistration delay, 60 s steps (handed on)', { delaySeconds: 300, stepMs: 60_000 }),
  ];
  const measured: { spot: Measurement[]; asg: Measurement[] } = { spot: [], asg: [] };
  for (const s of spot) measured.spot.push(await measure(s, { runs: options.runs, progress: (l) => options.progress(`drain: ${l}`) }));
  for (const s of asg) measured.asg.push(await measure(s, { runs: options.runs, progress: (l) => options.progress(`drain: ${l}`) }));
  return {
    title: 'Drain functions',
    body: [
      'Real handlers on the simulated account (logging and metrics silenced). Spot: notice at t=0, reclaim at 120 s, safety margin 15 s, drain wait ≤ 90 s. ' +
        '"stopped before deregistered" counts tasks stopped while a target of theirs was still registered, by us or by ECS\'s own draining (must be 0); "killed at reclaim" counts tasks still running at 120 s (must be 0).',
      '### spotInterruption',
      timingTable(measured.spot),
      countersTable(measured.spot),
      '### asgLifecycleDrain (SQS event source emulated; heartbeat timeout 900 s)',
      timingTable(measured.asg),
      countersTable(measured.asg),
    ],
  };
}
