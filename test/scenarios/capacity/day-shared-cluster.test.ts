import { simulateDay, type DayResult } from '../../../bench/capacity-day';
import type { ClusterTickReport } from '../../../shared/capacity/report';
import type { SimulatedAccount } from '../../../sim/account';
import { addForeignInstances } from '../../../sim/builders-capacity';

/**
 * The day of traffic (3 simulated hours, compressed) on a cluster that also holds an instance of
 * another team's ASG and one launched by hand: both empty at dawn, so the emptiest candidates of
 * every quiet hour. Ours scales out and in as on a cluster of its own; theirs are never named by a
 * step, never drained, never removed or terminated.
 */
describe('a day on a cluster shared with another team’s ASG and a hand-launched instance', () => {
  let day: DayResult;
  let account: SimulatedAccount;
  const theirs: string[] = [];
  const touched: Array<{ minute: number; step: ClusterTickReport['steps'][number] }> = [];
  beforeAll(async () => {
    let minute = 0;
    day = await simulateDay({
      hours: 3,
      setup: (a, cluster) => {
        account = a;
        const { foreign, byHand } = addForeignInstances(a, cluster);
        theirs.push(foreign.instanceId, byHand.instanceId);
      },
      onReports: (reports) => {
        for (const r of reports)
          for (const step of r.steps) if (step.ec2InstanceId && theirs.includes(step.ec2InstanceId)) touched.push({ minute, step });
        minute++;
      },
    });
  });

  it('scales out for the lunchtime spike and back in afterwards, through our ASG, without an error', () => {
    const rows = day.rows.map((r) => r.clusters[0]!);
    expect(rows.some((c) => c.decision === 'scale-out')).toBe(true);
    expect(day.summary[0]!.scaleIns).toBeGreaterThan(0);
    expect(rows[rows.length - 1]!.desired).toBeLessThan(day.summary[0]!.maxDesired);
    expect(day.summary[0]!.errors).toBe(0);
    expect(day.summary[0]!.killedByTermination).toBe(0);
  });

  it('never names their instances in a step, and leaves them running, ACTIVE and in their group', () => {
    expect(touched).toEqual([]);
    const cluster = day.rows[0]!.clusters[0]!.cluster;
    for (const id of theirs) {
      expect(account.ec2.instance(id)!.state).toBe('running');
      expect(account.ecs.containerInstancesOf(cluster).find((ci) => ci.ec2InstanceId === id)!.status).toBe('ACTIVE');
    }
    expect(account.autoscaling.groupState('other-team').instances.map((i) => i.instanceId)).toEqual([theirs[0]]);
  });
});
