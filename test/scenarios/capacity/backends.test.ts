import { SimulatedAccount } from '../../../sim/account';
import { buildCapacityCluster, type CapacityBackendKind } from '../../../sim/builders-capacity';
import { capacityWorld, runningOf } from '../../support/capacity-world';

const KINDS: CapacityBackendKind[] = ['asg', 'ec2Fleet', 'spotFleet'];

/** Instances of the cluster's backend, running, by id (ASG members or fleet instances). */
function runningIds(account: SimulatedAccount, cluster: string): string[] {
  return account.ecs
    .containerInstancesOf(cluster)
    .filter((ci) => account.ec2.instance(ci.ec2InstanceId)?.state === 'running')
    .map((ci) => ci.ec2InstanceId)
    .sort();
}

describe('scaleTick: ASG, EC2 Fleet and Spot Fleet side by side', () => {
  it('scales each cluster in through its own backend, removing exactly the instance it drained, with no replacement', async () => {
    const account = new SimulatedAccount();
    const built = KINDS.map((backend) => buildCapacityCluster(account, { backend, instances: 4, tasksPerInstance: 1 }));
    const world = capacityWorld(account, { SCALE_IN_COOLDOWN_SECONDS: '0' });
    const drained = new Map<string, string[]>(built.map((b) => [b.cluster, []]));
    for (let minute = 0; minute < 12; minute++) {
      const result = await world.minute();
      expect(result.clusters.map((c) => c.cluster).sort()).toEqual(built.map((b) => b.cluster).sort());
      for (const r of result.clusters) {
        expect(r.error).toBeUndefined();
        if (r.instanceToDrain) drained.get(r.cluster)!.push(r.instanceToDrain);
      }
    }
    account.clock.advance(10 * 60_000); // a maintain fleet would have replaced a removed instance by now
    for (const b of built) {
      const removed = drained.get(b.cluster)!;
      expect(removed).toHaveLength(2); // 4 tasks of 512 CPU: 25 % → 33 % → 50 %
      const initial = b.instances.map((i) => i.instanceId);
      expect(runningIds(account, b.cluster)).toEqual(initial.filter((id) => !removed.includes(id)).sort());
      for (const id of removed) expect(account.ec2.instance(id)?.state).not.toBe('running');
      expect(runningOf(account, b.cluster, 'app')).toBe(4);
    }
    expect(account.autoscaling.groupState(built[0]!.backend.id).desired).toBe(2);
    expect(account.ec2.fleets.fleet(built[1]!.backend.id)!.target).toBe(2);
    expect(account.ec2.spotFleets.fleet(built[2]!.backend.id)!.targetCapacity).toBe(2);
    expect(account.ecs.killedByTermination()).toEqual([]);
  });

  it.each(KINDS)(
    'answers a starved service on a %s with exactly the units bin-packing and the threshold ask, weights respected',
    async (backend) => {
      const account = new SimulatedAccount();
      // m5.large counts 2 units, m5.xlarge 4: desired moves in units, never in instances.
      const b = buildCapacityCluster(account, { backend, instances: 2, tasksPerInstance: 2, weight: 2, max: 40 });
      const world = capacityWorld(account);
      account.ecs.services.setDesiredCount(b.cluster, 'app', 12);
      const r = world.report(await world.minute(), b.cluster);
      expect(r.decision).toBe('scale-out');
      // From 4 units: 2 more m5.large (4 units) place the 4 waiting tasks and keep CPU under 85 %.
      expect(r.counts?.desired).toBe(8);
      for (let minute = 0; minute < 5; minute++) await world.minute();
      expect(runningOf(account, b.cluster, 'app')).toBe(12);
    },
  );
});
