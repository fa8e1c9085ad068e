import { makeHandler as makeAsgHandler } from '../functions/asg-lifecycle-drain/handler';
import { SPOT_NOTICE_MS } from '../functions/spot-interruption/handler';
import { spotHandlers } from '../test/support/spot-world';
import type { DrainReport } from '../shared/drain/report';
import type { Log, MetricSink } from '../shared/lambda/observability';
import { SimulatedAccount } from '../sim/account';
import { buildAsgCluster } from '../sim/builders';
import { SqsEventSource } from '../sim/event-source';
import { ASG_DEFAULTS, DRAIN_DEFAULTS, secondsWithoutHealthy } from '../test/support/drain-checks';
import { buildWave } from '../test/support/wave';
import { ASG_ROWS, server, SPOT_ROWS, type AsgRow, type SpotRow } from './drain-outcome-rows';
import type { Section, Table } from './harness';

/**
 * What a drain achieves, row by row, each beside ECS's own draining on the same simulated
 * cluster in the same run. Every figure is simulated (virtual clock, the simulator's shared
 * rate buckets, 50 ms per call): deterministic for a given seed, so one run per row.
 */

const silentLog = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Log;
const silentMetrics = { addMetric() {} } as unknown as MetricSink;
const LATENCY_MS = 50;

interface Side {
  running: number;
  noHealthy: number;
}

function world(row: SpotRow) {
  const account = new SimulatedAccount({ seed: 5 });
  const w = buildWave(account, {
    victims: row.victims,
    tasksPerVictim: row.tasksPerVictim,
    services: row.services,
    spare: Math.max(2, Math.ceil(row.victims / 3)),
    tasksPerServicePerSpare: row.allOnVictims ? 0 : 1,
    deregistrationDelaySeconds: row.delaySeconds,
  });
  return { account, w };
}

/** ECS's own draining: DRAINING only; ECS replaces service tasks, then deregisters and stops the old ones after the delay. */
async function ecsNative(row: SpotRow): Promise<Side> {
  const { account, w } = world(row);
  const noticeAt = account.clock.now();
  for (const v of w.victims)
    await account.call('ecs', 'UpdateContainerInstancesState', {
      cluster: w.cluster,
      containerInstances: [v.containerInstanceArn],
      status: 'DRAINING',
    });
  account.advance(SPOT_NOTICE_MS - 1);
  const all = [...w.tasksByVictim.values()].flat();
  const running = all.filter((arn) => (account.ecs.task(arn)?.stoppedAt ?? Infinity) > noticeAt + SPOT_NOTICE_MS - 1).length;
  return {
    running,
    noHealthy: Math.max(...w.services.map((s) => secondsWithoutHealthy(account, s.targetGroupArn, noticeAt, noticeAt + SPOT_NOTICE_MS))),
  };
}

async function ours(row: SpotRow) {
  const { account, w } = world(row);
  account.faults.latencyMs = LATENCY_MS;
  account.faults.throttleRate = row.throttle ?? 0;
  const noticeAt = account.clock.now();
  const events = w.victims.map((v) => account.ec2.interruptSpot(v.instanceId));
  if (row.lateSeconds) account.advance(row.lateSeconds * 1000);
  const t0 = account.clock.now();
  const from = account.calls.length;
  if (row.outage)
    account.failDuring(row.outage.service, row.outage.operation, row.outage.error, { from: t0, to: t0 + row.outage.seconds * 1000 });
  const clients = account.clients();
  const { handler } = spotHandlers(() => ({
    clients,
    config: { ...DRAIN_DEFAULTS, clusters: [w.cluster] }, // configured clusters, as the README recommends (every cluster of the region costs one ListClusters first)
    clock: account.clock,
    logger: silentLog,
    metrics: silentMetrics,
  }));
  let threw = 0;
  const reports = await Promise.all(events.map((e) => handler(e).catch(() => (threw++, undefined))));
  const calls = account.calls.slice(from);
  const firstDereg = calls.find((c) => c.operation === 'DeregisterTargets');
  const ok = calls.filter((c) => !c.error);
  const byOp = (op: string) => ok.filter((c) => c.operation === op).length;
  const all = [...w.tasksByVictim.values()].flat();
  const running = all.filter((arn) => (account.ecs.task(arn)?.stoppedAt ?? Infinity) > noticeAt + SPOT_NOTICE_MS - 1).length;
  // The least the API maxima allow per drain: lookup (List + Describe), ListTasks, DescribeTasks, DescribeServices, DRAINING,
  // one DeregisterTargets and one DescribeTargetHealth per group, one StopTask per task, one final DescribeContainerInstances.
  const perDrain =
    2 +
    2 * Math.ceil(row.tasksPerVictim / 100) +
    Math.ceil(Math.min(row.services, row.tasksPerVictim) / 10) +
    1 +
    2 * Math.min(row.services, row.tasksPerVictim) +
    row.tasksPerVictim +
    1;
  const minimum = perDrain * row.victims;
  const spare = (reports.filter((r) => r && 'secondsToSpare' in r) as DrainReport[]).map((r) => r.secondsToSpare);
  return {
    running,
    threw,
    roundTrips: firstDereg ? Math.round((firstDereg.at - t0) / LATENCY_MS) + 1 : NaN,
    toFirstDereg: firstDereg ? (firstDereg.at - t0) / 1000 : NaN,
    calls: ok.length,
    attempts: calls.length,
    minimum,
    byOp: `${byOp('DescribeTasks')}/${byOp('DescribeServices')}/${byOp('ListTasks')}/${byOp('DescribeContainerInstances')}/${byOp('DescribeTargetHealth')}/${byOp('DeregisterTargets')}/${byOp('StopTask')}`,
    noHealthy: Math.max(...w.services.map((s) => secondsWithoutHealthy(account, s.targetGroupArn, noticeAt, noticeAt + SPOT_NOTICE_MS))),
    spare: spare.length ? Math.min(...spare) : NaN,
  };
}

async function asgRow(row: AsgRow) {
  const account = new SimulatedAccount({ seed: 5 });
  account.ecs.drainingReplacesServiceTasks = false; // the rows measure our drain's own waits
  const c = buildAsgCluster(account, { heartbeatTimeout: 300, deregistrationDelaySeconds: row.delaySeconds });
  const queueUrl = account.sqs.createQueue('bench-asg-drain', { VisibilityTimeout: '1800' });
  const clients = account.clients();
  const config = { ...DRAIN_DEFAULTS, ...ASG_DEFAULTS, maxWaitMs: ASG_DEFAULTS.drainMaxMs, drainQueueName: 'bench-asg-drain' };
  const handler = makeAsgHandler(() => ({ clients, config, clock: account.clock, logger: silentLog, metrics: silentMetrics }));
  const source = new SqsEventSource(account, queueUrl, (e) => handler(e), { maxReceiveCount: 5 });
  const victim = c.instances[0]!;
  const event = account.autoscaling.beginTermination(c.asgName, victim.instanceId);
  const t0 = account.clock.now();
  if (row.ecsDownSeconds)
    account.failDuring('ecs', '*', server('ServerException', 500), { from: t0 + 20_000, to: t0 + 20_000 + row.ecsDownSeconds * 1000 });
  account.sqs.deliver(queueUrl, JSON.stringify(event));
  await source.run();
  const action = account.autoscaling.lifecycleAction(event.detail.LifecycleActionToken)!;
  const end = action.completedAt ?? action.timeoutAt;
  const killed = account.ecs
    .tasksOn(victim.instanceId)
    .filter((t) => t.stoppedBy === 'termination' || (t.stoppedAt ?? Infinity) > end).length;
  const deadline = action.startedAt + ASG_DEFAULTS.drainMaxMs;
  return {
    killed,
    heartbeats: action.heartbeats.length,
    invocations: source.invocations,
    completed: action.timedOut ? 'hook timed out' : `${action.result} at ${((end - action.startedAt) / 1000).toFixed(0)} s`,
    toDeadline: ((deadline - end) / 1000).toFixed(0),
  };
}

export async function drainOutcomeBenchmarks(options: { quick: boolean; progress: (line: string) => void }): Promise<Section> {
  const rows = options.quick ? SPOT_ROWS.filter((r) => r.victims <= 20 && r.tasksPerVictim <= 50).slice(0, 4) : SPOT_ROWS;
  const spot: Table = {
    columns: [
      'row',
      'tasks',
      'running at deadline (ours / ECS-native)',
      'handlers that threw',
      'round trips to 1st DeregisterTargets',
      's to 1st DeregisterTargets',
      'calls ok (attempts) / minimum',
      'DescribeTasks/Services/ListTasks/DescribeCI/TargetHealth/Deregister/Stop',
      'max s without healthy target (ours / native)',
      'min s to spare',
    ],
    rows: [],
  };
  for (const row of rows) {
    options.progress(`drain outcomes: ${row.name}`);
    const [o, n] = [await ours(row), await ecsNative(row)];
    spot.rows.push([
      row.name,
      row.victims * row.tasksPerVictim,
      `${o.running} / ${n.running}`,
      o.threw,
      o.roundTrips,
      o.toFirstDereg.toFixed(2),
      `${o.calls} (${o.attempts}) / ${o.minimum} = ${(o.calls / o.minimum).toFixed(2)}×`,
      o.byOp,
      `${o.noHealthy.toFixed(1)} / ${n.noHealthy.toFixed(1)}`,
      o.spare.toFixed(1),
    ]);
  }
  const asg: Table = {
    columns: ['row', 'tasks killed while the hook lived', 'heartbeats', 'invocations', 'completion', 's before the 1 h drain bound'],
    rows: [],
  };
  for (const row of options.quick ? ASG_ROWS.slice(0, 1) : ASG_ROWS) {
    options.progress(`drain outcomes: asg ${row.name}`);
    const r = await asgRow(row);
    asg.rows.push([row.name, r.killed, r.heartbeats, r.invocations, r.completed, r.toDeadline]);
  }
  return {
    title: 'Drain outcomes (simulated, one run per row)',
    body: [
      `Each spotInterruption row runs the real handler for every interrupted instance at once, under the simulator's shared per-account rate buckets (ECS, ELBv2), ${LATENCY_MS} ms per call, with ECS's own draining on (as on AWS); ` +
        'beside it, the same cluster drained the ECS-native way (DRAINING only: ECS replaces the service tasks, then deregisters and stops the old ones after the deregistration delay). ' +
        '"running at deadline" counts tasks on the interrupted instances not yet STOPPED at the reclaim (goal 0). Round trips: sequential calls up to and including the first DeregisterTargets, clusters configured (goal ≤ 5; NaN: ECS\'s own draining deregistered the targets first). ' +
        '"minimum": the fewest calls the API maxima allow for these drains (goal ≤ 1.5×). "without healthy target": the longest stretch in the 2 minutes a service\'s target group had no healthy target, from the simulator\'s target history (goal 0 where spare room exists).',
      spot,
      'asgLifecycleDrain: hook heartbeat timeout 300 s, drain bound 1 h, 240 s steps, ECS\'s own draining off (the rows measure our waits); "killed" counts tasks stopped by the instance going away or after the action ended (goal 0).',
      asg,
    ],
  };
}
