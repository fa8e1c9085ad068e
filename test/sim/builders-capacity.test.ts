import {
  DescribeAutoScalingGroupsCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeFleetsCommand,
  DescribeSpotFleetRequestsCommand,
  ModifyFleetCommand,
  ModifySpotFleetRequestCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { SimulatedAccount } from '../../sim/account';
import { buildCapacityCluster, CLUSTER_TAG, type CapacityBackendKind } from '../../sim/builders';

/** What a capacity backend would do through the API: find by tag, read counts, raise, remove exactly one. */
function backendOps(account: SimulatedAccount, kind: CapacityBackendKind, id: string) {
  const { ec2, autoscaling } = account.clients();
  const findByTag = async (cluster: string): Promise<{ id: string; target: number; fulfilled: number } | undefined> => {
    if (kind === 'asg') {
      const out = await autoscaling.send(
        new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: `tag:${CLUSTER_TAG}`, Values: [cluster] }] }),
      );
      const g = out.AutoScalingGroups![0];
      const units = (g?.Instances ?? []).reduce((s, i) => s + Number(i.WeightedCapacity ?? 1), 0);
      return g && { id: g.AutoScalingGroupName!, target: g.DesiredCapacity!, fulfilled: units };
    }
    if (kind === 'ec2Fleet') {
      const f = (await ec2.send(new DescribeFleetsCommand({}))).Fleets!.find((x) =>
        x.Tags?.some((t) => t.Key === CLUSTER_TAG && t.Value === cluster),
      );
      return f && { id: f.FleetId!, target: f.TargetCapacitySpecification!.TotalTargetCapacity!, fulfilled: f.FulfilledCapacity! };
    }
    const r = (await ec2.send(new DescribeSpotFleetRequestsCommand({}))).SpotFleetRequestConfigs!.find((x) =>
      x.Tags?.some((t) => t.Key === CLUSTER_TAG && t.Value === cluster),
    );
    return (
      r && {
        id: r.SpotFleetRequestId!,
        target: r.SpotFleetRequestConfig!.TargetCapacity!,
        fulfilled: r.SpotFleetRequestConfig!.FulfilledCapacity!,
      }
    );
  };
  const setTarget = async (units: number, policy: 'keep' | 'default' = 'default') => {
    if (kind === 'asg') await autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: id, DesiredCapacity: units }));
    else if (kind === 'ec2Fleet')
      await ec2.send(
        new ModifyFleetCommand({
          FleetId: id,
          TargetCapacitySpecification: { TotalTargetCapacity: units },
          ...(policy === 'keep' ? { ExcessCapacityTerminationPolicy: 'no-termination' } : {}),
        }),
      );
    else
      await ec2.send(
        new ModifySpotFleetRequestCommand({
          SpotFleetRequestId: id,
          TargetCapacity: units,
          ...(policy === 'keep' ? { ExcessCapacityTerminationPolicy: 'noTermination' } : {}),
        }),
      );
  };
  const removeExactly = async (instanceId: string, target: number, weight: number) => {
    if (kind === 'asg') {
      await autoscaling.send(
        new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: instanceId, ShouldDecrementDesiredCapacity: true }),
      );
      return;
    }
    await setTarget(target - weight, 'keep');
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
  };
  return { findByTag, setTarget, removeExactly };
}

describe.each<CapacityBackendKind>(['asg', 'ec2Fleet', 'spotFleet'])('a cluster whose capacity comes from %s', (kind) => {
  it('is found by its ecs-steady:cluster tag, with target and fulfilled capacity in units', async () => {
    const account = new SimulatedAccount();
    const c = buildCapacityCluster(account, { backend: kind, instances: 3, weight: 2 });
    const found = await backendOps(account, kind, c.backend.id).findByTag(c.cluster);
    expect(found).toEqual({ id: c.backend.id, target: 6, fulfilled: 6 });
    expect(account.ecs.containerInstancesOf(c.cluster)).toHaveLength(3);
  });

  it('removes exactly the chosen instance and launches nothing in its place', async () => {
    const account = new SimulatedAccount();
    const c = buildCapacityCluster(account, { backend: kind, instances: 3, weight: 2 });
    const ops = backendOps(account, kind, c.backend.id);
    const chosen = c.instances[1]!.instanceId;
    await ops.removeExactly(chosen, 6, 2);
    account.advance(600_000);
    expect(c.instances.map((i) => account.ec2.instance(i.instanceId)!.state)).toEqual(['running', 'terminated', 'running']);
    expect(await ops.findByTag(c.cluster)).toMatchObject({ target: 4, fulfilled: 4 });
  });

  it('raises the target: new instances register with ECS and the starved service tasks are placed on them', async () => {
    const account = new SimulatedAccount();
    const c = buildCapacityCluster(account, { backend: kind, instances: 1, tasksPerInstance: 4 });
    account.ecs.createService({ cluster: c.cluster, name: 'more', taskDefinition: c.taskDefinitionArn, desiredCount: 4 });
    account.ecs.services.reconcile(c.cluster, 'more');
    expect(account.ecs.unplaced('more', c.cluster)).toBe(4);
    await backendOps(account, kind, c.backend.id).setTarget(2);
    account.advance(30_000 + 60_000 + 5_000);
    expect(account.ecs.containerInstancesOf(c.cluster)).toHaveLength(2);
    expect(account.ecs.unplaced('more', c.cluster)).toBe(0);
  });
});
