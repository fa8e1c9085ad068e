import { SPOT_NOTICE_MS } from '../../../functions/spot-interruption/handler';
import { drainPorts } from '../../../shared/drain/ports';
import { runDrain } from '../../../shared/drain/run';
import { SimulatedAccount } from '../../../sim/account';
import { buildSpotCluster } from '../../../sim/builders';
import { DRAIN_DEFAULTS, deregisteredBeforeStopped, runningAt } from '../../support/drain-checks';
import { recordingLogger } from '../../support/recorders';
import { asReport, spotWorld } from '../../support/spot-world';
import { buildWave } from '../../support/wave';

const LATENCY_MS = 50;

describe('spotInterruption drains a batch of notices as one wave', () => {
  it('sends one lookup, DRAINING 10 a call and one DeregisterTargets per target group carrying every victim', async () => {
    const account = new SimulatedAccount({ seed: 7 });
    account.ecs.drainingReplacesServiceTasks = false; // our own calls are counted here, not ECS's
    const w = buildWave(account, { victims: 12, tasksPerVictim: 20, services: 10, spare: 4, tasksPerServicePerSpare: 1 });
    const { handleBatch } = spotWorld(account, { clusters: [w.cluster] });
    const noticeAt = account.clock.now();
    const from = account.calls.length;

    const { response, results } = await handleBatch(w.victims.map((v) => account.ec2.interruptSpot(v.instanceId)));

    expect(response.batchItemFailures).toEqual([]);
    expect(results.map(asReport).map((r) => r.outcome)).toEqual(w.victims.map(() => 'drained'));
    const calls = account.calls.slice(from);
    const count = (op: string) => calls.filter((c) => c.operation === op).length;
    const lists = calls.filter((c) => c.operation === 'ListContainerInstances' && (c.input as { filter?: string }).filter);
    expect(lists).toHaveLength(1); // the lookup (the others read how many instances are DRAINING: the wave's share)
    expect((lists[0]!.input as { filter: string }).filter).toMatch(/^ec2InstanceId in \[/);
    expect(count('UpdateContainerInstancesState')).toBe(2); // 12 instances, 10 a call
    expect(count('DescribeServices')).toBe(1); // 10 services, each once for the whole wave
    // Each group's first DeregisterTargets carries the targets of all 12 victims.
    const firstPerGroup = new Map<string, number>();
    for (const c of calls.filter((x) => x.operation === 'DeregisterTargets' && !x.error)) {
      const input = c.input as { TargetGroupArn: string; Targets: unknown[] };
      if (!firstPerGroup.has(input.TargetGroupArn)) firstPerGroup.set(input.TargetGroupArn, input.Targets.length);
    }
    expect(firstPerGroup.size).toBe(10);
    for (const n of firstPerGroup.values()) expect(n).toBe(24); // 2 tasks of each service on each of 12 victims
    const all = [...w.tasksByVictim.values()].flat();
    expect(runningAt(account, all, noticeAt + SPOT_NOTICE_MS - 1)).toEqual([]);
    expect(deregisteredBeforeStopped(account, all)).toEqual([]);
  }, 120_000);

  it('a lone notice reaches its first DeregisterTargets in at most 5 round trips', async () => {
    const account = new SimulatedAccount();
    account.ecs.drainingReplacesServiceTasks = false;
    account.faults.latencyMs = LATENCY_MS;
    const c = buildSpotCluster(account, { deregistrationDelaySeconds: 30 });
    const { handler } = spotWorld(account, { clusters: [c.cluster] });
    const t0 = account.clock.now();

    asReport(await handler(account.ec2.interruptSpot(c.instances[0]!.instanceId)));

    const first = account.calls.find((x) => x.operation === 'DeregisterTargets')!;
    expect(Math.round((first.at - t0) / LATENCY_MS) + 1).toBeLessThanOrEqual(5);
  });

  it('batches that run at once with the same notices never double the work', async () => {
    const account = new SimulatedAccount({ seed: 11 });
    account.ecs.drainingReplacesServiceTasks = false;
    const w = buildWave(account, { victims: 6, tasksPerVictim: 10, services: 5, spare: 3, tasksPerServicePerSpare: 1 });
    const { handleBatch, metrics } = spotWorld(account, { clusters: [w.cluster] });
    const noticeAt = account.clock.now();
    const events = w.victims.map((v) => account.ec2.interruptSpot(v.instanceId));
    const from = account.calls.length;

    // The first four in one batch, the last four (two of them again) in another, at once.
    const [a, b] = await Promise.all([handleBatch(events.slice(0, 4)), handleBatch(events.slice(2))]);

    const all = [...w.tasksByVictim.values()].flat();
    expect(runningAt(account, all, noticeAt + SPOT_NOTICE_MS - 1)).toEqual([]);
    const stops = account.calls.slice(from).filter((c) => c.operation === 'StopTask' && !c.error);
    // Every task is stopped, and counted as stopped by exactly one drain.
    const counted = [...a.results, ...b.results].map(asReport).reduce((n, r) => n + r.tasksStopped.service + r.tasksStopped.standalone, 0);
    expect(counted).toBe(all.length);
    expect(new Set(stops.map((c) => (c.input as { task: string }).task))).toEqual(new Set(all));
    expect(metrics.values.get('tasksStopped')).toBe(all.length);
  }, 120_000);

  it('batches that run at once all set DRAINING before any of them lists tasks (so the listings delay no other batch’s DRAINING)', async () => {
    const account = new SimulatedAccount({ seed: 5 });
    account.faults.latencyMs = LATENCY_MS;
    const w = buildWave(account, { victims: 30, tasksPerVictim: 4, services: 4, spare: 10, tasksPerServicePerSpare: 1 });
    const { handleBatch } = spotWorld(account, { clusters: [w.cluster] });
    const events = w.victims.map((v) => account.ec2.interruptSpot(v.instanceId));
    const from = account.calls.length;

    await Promise.all([handleBatch(events.slice(0, 10)), handleBatch(events.slice(10, 20)), handleBatch(events.slice(20))]);

    const calls = account.calls.slice(from);
    const lastDraining = Math.max(...calls.filter((c) => c.operation === 'UpdateContainerInstancesState' && !c.error).map((c) => c.at));
    const listings = calls.filter((c) => c.operation === 'ListTasks');
    expect(listings.length).toBeGreaterThan(0);
    expect(listings.filter((c) => c.at < lastDraining)).toEqual([]);
    const all = [...w.tasksByVictim.values()].flat();
    expect(runningAt(account, all, account.clock.now())).toEqual([]);
  }, 120_000);

  it('a waiting drain of a wave looks at its lead again, so a lead that grew while it waited still starts its stops in time', async () => {
    const account = new SimulatedAccount({ seed: 3 });
    account.ecs.drainingReplacesServiceTasks = false;
    const c = buildSpotCluster(account, { deregistrationDelaySeconds: 300 });
    const t0 = account.clock.now();
    const forceAt = t0 + SPOT_NOTICE_MS - DRAIN_DEFAULTS.safetyMarginMs;
    // 20 s in, the wave's share is read lower (another batch counted): its stops now need 60 s before the force time.
    const lead = () => (account.clock.now() >= t0 + 20_000 ? 60_000 : 0);

    const report = await runDrain(
      { ports: drainPorts(account.clients()), clock: account.clock, log: recordingLogger(), stopLeadMs: lead, retimeEveryMs: 2_000 },
      { ...DRAIN_DEFAULTS, clusters: [c.cluster] },
      { ec2InstanceId: c.instances[0]!.instanceId, noticeAt: t0, deadline: t0 + SPOT_NOTICE_MS, startedAt: t0, drainId: 'lead' },
    );

    expect(report.tasksStopped.service).toBeGreaterThan(0);
    // The service tasks' stops (a standalone task is stopped at once).
    const firstStop = account.calls.find((x) => x.operation === 'StopTask' && x.at >= t0 + 20_000)!;
    // Without the second look it would sleep until its drain wait ends (90 s in), 35 s after the moment the new lead asks for.
    expect(firstStop.at).toBeLessThanOrEqual(forceAt - 60_000 + 2_000);
  }, 60_000);
});
