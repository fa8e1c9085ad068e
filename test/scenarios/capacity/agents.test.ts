import { startAgents } from '../../../sim/builders-daemon';
import type { SimulatedAccount } from '../../../sim/account';
import { AGENT_TAG } from '../../../shared/tags';
import { capacityCluster, capacityWorld, runningOf } from '../../support/capacity-world';

/**
 * Every instance runs a per-instance agent started with StartTask at boot (as DELISH KITCHEN
 * run dd-agent): on half of them a `dd-agent` task (AGENT_FAMILIES), on the other half an
 * `otel-agent` task tagged `ecs-steady:agent=true`. The day is compressed: 30 ticks (simulated
 * minutes) each of morning, midday, evening and night traffic on `app` (512 CPU a task).
 */
describe('scaleTick with a per-instance agent on every instance', () => {
  const PHASES = [
    { name: 'morning', desired: 6 },
    { name: 'midday', desired: 12 },
    { name: 'evening', desired: 6 },
    { name: 'night', desired: 3 },
  ];

  /** A boot script starts the agent on every ACTIVE instance that has none yet (new instances included). */
  function bootAgents(account: SimulatedAccount, cluster: string) {
    const active = account.ecs.containerInstancesOf(cluster).filter((ci) => ci.status === 'ACTIVE');
    active.forEach((ci) => {
      const has = account.ecs.tasksOn(ci.ec2InstanceId).some((t) => t.group.endsWith('-agent') && t.desiredStatus === 'RUNNING');
      if (has) return;
      const tagged = ci.ec2InstanceId.charCodeAt(ci.ec2InstanceId.length - 1) % 2 === 0;
      startAgents(
        account,
        cluster,
        [{ containerInstanceArn: ci.arn }],
        tagged ? { family: 'otel-agent', tags: { [AGENT_TAG]: 'true' } } : {},
      );
    });
  }

  it('scales in over the day: agents are no reason to keep an instance, and each drained one stops its agent last', async () => {
    const { account, built } = capacityCluster({ backend: 'asg', instances: 4, tasksPerInstance: 1 });
    const world = capacityWorld(account, { SCALE_IN_COOLDOWN_SECONDS: '0', AGENT_FAMILIES: 'dd-agent' });
    const drained: string[] = [];
    const desiredAt: Record<string, number> = {};
    for (const phase of PHASES) {
      account.ecs.services.setDesiredCount(built.cluster, built.service, phase.desired);
      for (let minute = 0; minute < 30; minute++) {
        bootAgents(account, built.cluster);
        const r = world.report(await world.minute(), built.cluster);
        expect(r.decision).not.toBe('error');
        if (r.instanceToDrain) drained.push(r.instanceToDrain);
      }
      desiredAt[phase.name] = account.autoscaling.groupState(built.backend.id).desired;
    }

    // The night needs two instances (3 tasks of 512 CPU and the agents: 44 % of two m5.large), not the four of the morning.
    expect(drained.length).toBeGreaterThan(0);
    expect(desiredAt.night).toBeLessThan(4);
    expect(desiredAt.night).toBeLessThan(desiredAt.midday!);
    expect(runningOf(account, built.cluster, built.service)).toBe(3);
    expect(account.ecs.killedByTermination()).toEqual([]);
    // On every drained instance the agent was asked to stop only once everything else there had stopped.
    for (const id of drained) {
      const tasks = account.ecs.tasksOn(id);
      const agents = tasks.filter((t) => t.group.endsWith('-agent'));
      expect(agents.length).toBeGreaterThan(0);
      const firstAgentStop = Math.min(...agents.map((t) => t.stopRequestedAt ?? Infinity));
      expect(tasks.filter((t) => !agents.includes(t) && (t.stoppedAt ?? Infinity) > firstAgentStop)).toEqual([]);
    }
  });
});
