import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { simulateDay, type DayClusterRow } from '../../../bench/capacity-day';
import { container } from '../../../sim/builders-common';
import { capacityCluster, capacityWorld } from '../../support/capacity-world';

/**
 * A release goes out with the lunchtime traffic: at 12:00 `app` steps from 10 to 18 tasks and a
 * new revision of it is deployed (minimumHealthyPercent 100, maximumPercent 200: up to 36 app
 * tasks while it rolls). The day is compressed into 3 simulated hours, one tick a simulated minute.
 */
describe('scaleTick while a service deploys (a simulated day)', () => {
  let rows: DayClusterRow[];
  let window: { from: number; to: number };
  let killed = -1;
  beforeAll(async () => {
    const day = await simulateDay({ hours: 3, deploy: { service: 'app', hour: 12 } });
    rows = day.rows.map((r) => r.clusters[0]!);
    const from = rows.findIndex((c) => c.deploying.includes('app'));
    let to = from;
    while (to < rows.length && rows[to]!.deploying.includes('app')) to++;
    window = { from, to };
    killed = day.summary[0]!.killedByTermination;
  });

  it('sizes the scale-out for the surge at once, so the deployment completes within two ticks', () => {
    expect(window.from).toBe(90); // 12:00 of the compressed day
    expect(rows[window.from]!.decision).toBe('scale-out');
    expect(window.to - window.from).toBeLessThanOrEqual(2);
    expect(rows[window.to]!.running).toBe(rows[window.to]!.desiredTasks);
  });

  it('starves nothing while it runs: the surge does not take the room the other services grow into', () => {
    // The tick at 12:00 sees the traffic step itself (the day's own starvation); every tick after it, while the deployment runs, none.
    for (let m = window.from + 1; m < window.to; m++) expect({ minute: m, starved: rows[m]!.starved }).toEqual({ minute: m, starved: [] });
    expect(rows[window.to]!.starved).toEqual([]);
  });

  it('triggers no scale-in while it runs, and kills no task', () => {
    for (let m = window.from; m <= window.to; m++)
      expect({ minute: m, decision: rows[m]!.decision }).not.toEqual({ minute: m, decision: 'scale-in' });
    expect(killed).toBe(0);
  });
});

describe('scaleTick and a deployment that cannot finish', () => {
  it('holds scale-in while a deployment is in progress, then reports it stuck (report, metric, log) and scales in after the hold', async () => {
    const { account, built } = capacityCluster({ backend: 'asg', instances: 4, tasksPerInstance: 1 });
    const world = capacityWorld(account, { SCALE_IN_COOLDOWN_SECONDS: '0', DEPLOYMENT_HOLD_MINUTES: '10' });
    // A small service on the first instance; its new revision no instance shape holds (m5.xlarge gives 4096 CPU):
    // the new task never places and the rollout never completes.
    const revision = (cpu: number) =>
      account.ecs.registerTaskDefinition({
        family: 'pinned',
        networkMode: 'bridge',
        containerDefinitions: [container('pinned', 'pinned', cpu, 256)],
      }).taskDefinitionArn!;
    account.ecs.createService({ cluster: built.cluster, name: 'pinned', taskDefinition: revision(256), desiredCount: 1 });
    account.ecs.startTask({
      cluster: built.cluster,
      containerInstanceArn: built.instances[0]!.containerInstanceArn,
      taskDefinition: revision(256).replace(/:\d+$/, ':1'),
      serviceName: 'pinned',
    });
    await account
      .clients()
      .ecs.send(new UpdateServiceCommand({ cluster: built.cluster, service: 'pinned', taskDefinition: revision(8192) }));
    const reports = [];
    for (let minute = 0; minute < 14; minute++) reports.push(world.report(await world.minute(), built.cluster));
    expect(account.ecs.services.get(built.cluster, 'pinned')!.rollout?.state).toBe('IN_PROGRESS');
    // 4 tasks of 512 CPU on 4 m5.large (25 %): a quiet cluster, held only by the deployment for its first 10 minutes.
    const firstScaleIn = reports.findIndex((r) => r.decision === 'scale-in');
    expect(
      reports
        .slice(0, 10)
        .every((r) => r.decision === 'none' && r.reasons.some((x) => /deployment or replacement in progress: pinned/.test(x))),
    ).toBe(true);
    expect(firstScaleIn).toBe(10);
    expect(reports[10]!.stuckDeployments).toEqual(['pinned']);
    expect(reports[9]!.stuckDeployments).toBeUndefined();
    expect(reports[9]!.unplaceable!.map((u) => u.source)).toEqual(['pinned']);
    expect(world.logger.entries.some((e) => e.level === 'warn' && e.message === 'deployment stuck: scale-in no longer waits for it')).toBe(
      true,
    );
    // One count per tick that reported it stuck (the 4 from minute 10 on), none before.
    expect(world.clusterMetrics.get(built.cluster)!.values.get('stuckDeployments')).toBe(reports.filter((r) => r.stuckDeployments).length);
    expect(reports.filter((r) => r.stuckDeployments)).toHaveLength(4);
    expect(account.ecs.killedByTermination()).toEqual([]);
  });
});
