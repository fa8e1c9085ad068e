import { SPOT_NOTICE_MS } from '../../../functions/spot-interruption/handler';
import { SimulatedAccount } from '../../../sim/account';
import { buildSpotCluster } from '../../../sim/builders';
import { simError } from '../../../sim/errors';
import { runningAt } from '../../support/drain-checks';
import { asReport, spotWorld } from '../../support/spot-world';
import { buildWave } from '../../support/wave';

describe('the drain report tells what it could not read', () => {
  it('reports tasks left running as unknown, never 0, when the instance could not be looked up', async () => {
    const account = new SimulatedAccount();
    account.ecs.drainingReplacesServiceTasks = false;
    const c = buildSpotCluster(account);
    const { handler, metrics } = spotWorld(account, { clusters: [c.cluster] });
    const noticeAt = account.clock.now();
    account.failDuring('ecs', 'ListContainerInstances', () => simError('ServerException', 'simulated outage', 500), {
      from: noticeAt,
      to: noticeAt + SPOT_NOTICE_MS,
    });

    const report = asReport(await handler(account.ec2.interruptSpot(c.instances[0]!.instanceId)));

    expect(report.outcome).toBe('deadline-reached');
    expect(report.tasksLeftRunning).toBe('unknown');
    expect(metrics.values.get('drainsEndUnknown')).toBe(1);
    expect(metrics.values.has('tasksLeftRunning')).toBe(false);
  });

  it('raises no false alarm when every notice of a wave arrives twice under heavy throttling and the counts cannot be read', async () => {
    const account = new SimulatedAccount({ seed: 21 });
    account.ecs.drainingReplacesServiceTasks = false;
    const w = buildWave(account, { victims: 6, tasksPerVictim: 20, services: 5, spare: 3, tasksPerServicePerSpare: 1 });
    const { handleBatch, metrics } = spotWorld(account, { clusters: [w.cluster] });
    const noticeAt = account.clock.now();
    const events = w.victims.map((v) => account.ec2.interruptSpot(v.instanceId));
    account.faults.throttleRate = 0.5;
    account.faults.latencyMs = 50;
    // ECS's counts cannot be read once the drains are under way: each report must say so, not guess.
    account.failDuring('ecs', 'DescribeContainerInstances', () => simError('ServerException', 'simulated outage', 500), {
      from: noticeAt + 5_000,
      to: noticeAt + SPOT_NOTICE_MS,
    });

    const batches = await Promise.all([handleBatch(events), handleBatch(events)]);

    const all = [...w.tasksByVictim.values()].flat();
    const running = runningAt(account, all, noticeAt + SPOT_NOTICE_MS - 1);
    const reports = batches.flatMap((b) => b.results).map(asReport);
    expect(reports).toHaveLength(12);
    // No report claims tasks left running that were not: a count is ECS's, read after the last stop.
    expect(running).toEqual([]);
    for (const r of reports) expect(r.tasksLeftRunning).toBe('unknown');
    expect(metrics.values.get('tasksLeftRunning') ?? 0).toBe(0);
    expect(metrics.values.get('drainsEndUnknown')).toBe(12);
  }, 120_000);
});
