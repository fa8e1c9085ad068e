import {
  DescribeFleetInstancesCommand,
  DescribeFleetsCommand,
  DescribeInstancesCommand,
  ModifyFleetCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { SimulatedAccount } from '../../sim/account';
import type { FleetOptions } from '../../sim/ec2-fleet';

const TYPES = [
  { instanceType: 'm5.large', weightedCapacity: 2, cpu: 2048, memory: 7680 },
  { instanceType: 'm5.xlarge', weightedCapacity: 4, cpu: 4096, memory: 15_580 },
];

/** A maintain fleet of `n` m5.large (weight 2 each) joined to the ECS cluster `web`. */
function fleetOf(n: number, extra: Partial<FleetOptions> = {}) {
  const account = new SimulatedAccount();
  account.ecs.createCluster('web');
  const ids = Array.from({ length: n }, () => account.ec2.launchInstance({ lifecycle: 'spot', instanceType: 'm5.large' }).instanceId);
  const fleetId = account.ec2.createFleet({
    targetCapacity: 2 * n,
    instanceTypes: TYPES,
    instanceIds: ids,
    tags: { 'ecs-steady:cluster': 'web' },
    instanceTags: { Name: 'web-ecs' },
    ecs: { cluster: 'web' },
    ...extra,
  });
  const { ec2 } = account.clients();
  const describe = async () => (await ec2.send(new DescribeFleetsCommand({ FleetIds: [fleetId] }))).Fleets![0]!;
  const activeIds = async () =>
    (await ec2.send(new DescribeFleetInstancesCommand({ FleetId: fleetId }))).ActiveInstances!.map((i) => i.InstanceId!);
  return { account, ec2, ids, fleetId, describe, activeIds };
}

describe('simulated EC2 Fleet (maintain)', () => {
  it('describes the target and fulfilled capacity in weighted units, its overrides and its tags', async () => {
    const { describe, fleetId } = fleetOf(3);
    expect(await describe()).toMatchObject({
      FleetId: fleetId,
      FleetState: 'active',
      Type: 'maintain',
      ActivityStatus: 'fulfilled',
      TargetCapacitySpecification: { TotalTargetCapacity: 6, DefaultTargetCapacityType: 'spot' },
      FulfilledCapacity: 6,
      ExcessCapacityTerminationPolicy: 'termination',
      LaunchTemplateConfigs: [
        {
          Overrides: [
            { InstanceType: 'm5.large', WeightedCapacity: 2 },
            { InstanceType: 'm5.xlarge', WeightedCapacity: 4 },
          ],
        },
      ],
      Tags: [{ Key: 'ecs-steady:cluster', Value: 'web' }],
    });
  });

  it('lists its active instances with their instance types', async () => {
    const { ec2, fleetId, ids } = fleetOf(2);
    const out = await ec2.send(new DescribeFleetInstancesCommand({ FleetId: fleetId }));
    expect(out.ActiveInstances!.map((i) => [i.InstanceId, i.InstanceType])).toEqual(ids.map((id) => [id, 'm5.large']));
  });

  it('answers InvalidFleetId.NotFound for a fleet that does not exist', async () => {
    const { ec2 } = fleetOf(1);
    const missing = 'fleet-00000000-0000-0000-0000-000000000000';
    await expect(ec2.send(new DescribeFleetsCommand({ FleetIds: [missing] }))).rejects.toMatchObject({
      name: 'InvalidFleetId.NotFound',
    });
    await expect(
      ec2.send(new ModifyFleetCommand({ FleetId: missing, TargetCapacitySpecification: { TotalTargetCapacity: 1 } })),
    ).rejects.toMatchObject({ name: 'InvalidFleetId.NotFound' });
  });

  it('replaces a terminated instance after its launch delay while fulfilled is below target, and the new one joins ECS', async () => {
    const { account, ec2, ids, activeIds } = fleetOf(2, { launchDelayMs: 30_000 });
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [ids[0]!] }));
    account.advance(29_999);
    expect(await activeIds()).toEqual([ids[1]]);
    account.advance(1);
    const now = await activeIds();
    expect(now).toHaveLength(2);
    const fresh = now.find((id) => !ids.includes(id))!;
    const described = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [fresh] }))).Reservations![0]!.Instances![0]!;
    // The fleet's own tags stay on the fleet; the launch template's go on the instance.
    expect(described.Tags).toEqual([
      { Key: 'Name', Value: 'web-ecs' },
      { Key: 'aws:ec2:fleet-id', Value: expect.stringMatching(/^fleet-/) },
    ]);
    account.advance(60_000);
    expect(account.ecs.containerInstanceRecord(fresh)).toMatchObject({ status: 'ACTIVE', cluster: 'web', cpu: 2048 });
  });

  it('replaces a reclaimed Spot instance', async () => {
    const { account, ids, activeIds } = fleetOf(2);
    account.ec2.interruptSpot(ids[0]!);
    account.advance(120_000 + 30_000);
    const now = await activeIds();
    expect(now).toHaveLength(2);
    expect(now).not.toContain(ids[0]);
  });

  it('lowers the target under no-termination without terminating anything', async () => {
    const { account, ec2, fleetId, ids, describe } = fleetOf(3);
    await ec2.send(
      new ModifyFleetCommand({
        FleetId: fleetId,
        ExcessCapacityTerminationPolicy: 'no-termination',
        TargetCapacitySpecification: { TotalTargetCapacity: 4 },
      }),
    );
    account.advance(600_000);
    expect(await describe()).toMatchObject({
      TargetCapacitySpecification: { TotalTargetCapacity: 4 },
      FulfilledCapacity: 6,
      ExcessCapacityTerminationPolicy: 'no-termination',
      ActivityStatus: 'pending_termination',
    });
    expect(ids.map((id) => account.ec2.instance(id)!.state)).toEqual(['running', 'running', 'running']);
  });

  it('does not replace the chosen instance terminated after the target was lowered under no-termination', async () => {
    const { account, ec2, fleetId, ids, activeIds, describe } = fleetOf(3);
    await ec2.send(
      new ModifyFleetCommand({
        FleetId: fleetId,
        ExcessCapacityTerminationPolicy: 'no-termination',
        TargetCapacitySpecification: { TotalTargetCapacity: 4 },
      }),
    );
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [ids[1]!] }));
    account.advance(600_000);
    expect(await activeIds()).toEqual([ids[0], ids[2]]);
    expect(await describe()).toMatchObject({ FulfilledCapacity: 4, ActivityStatus: 'fulfilled' });
  });

  it('picks and terminates instances itself when the target is lowered under termination', async () => {
    const { account, ec2, fleetId, ids, activeIds, describe } = fleetOf(3);
    await ec2.send(
      new ModifyFleetCommand({
        FleetId: fleetId,
        ExcessCapacityTerminationPolicy: 'termination',
        TargetCapacitySpecification: { TotalTargetCapacity: 2 },
      }),
    );
    // Spot instances get the two-minute interruption warning, newest first, and stop counting at once.
    expect(account.ec2.events().map((e) => (e.detail as { 'instance-id': string })['instance-id'])).toEqual([ids[2], ids[1]]);
    expect((await describe()).FulfilledCapacity).toBe(2);
    account.advance(120_000);
    expect(await activeIds()).toEqual([ids[0]]);
    expect(account.ec2.instance(ids[2]!)).toMatchObject({ state: 'terminated', terminatedBy: 'spot' });
  });

  it('terminates excess on-demand instances at once when the target is lowered under termination', async () => {
    const { account, ec2, fleetId, activeIds } = fleetOf(0, { targetCapacity: 0, defaultTargetCapacityType: 'on-demand' });
    await ec2.send(new ModifyFleetCommand({ FleetId: fleetId, TargetCapacitySpecification: { TotalTargetCapacity: 4 } }));
    account.advance(30_000);
    const [first, second] = await activeIds();
    await ec2.send(new ModifyFleetCommand({ FleetId: fleetId, TargetCapacitySpecification: { TotalTargetCapacity: 2 } }));
    expect(await activeIds()).toEqual([first]);
    expect(account.ec2.instance(second!)).toMatchObject({ state: 'terminated', terminatedBy: 'fleet', lifecycle: 'on-demand' });
    expect(account.ec2.events()).toEqual([]);
  });

  it('launches weighted instances until fulfilled reaches the raised target', async () => {
    const { account, ec2, fleetId, describe, activeIds } = fleetOf(1);
    await ec2.send(new ModifyFleetCommand({ FleetId: fleetId, TargetCapacitySpecification: { TotalTargetCapacity: 7 } }));
    expect((await describe()).ActivityStatus).toBe('pending_fulfillment');
    account.advance(30_000);
    // 2 + 2 + 2 + 2 = 8 ≥ 7: the fleet overshoots by less than one weight.
    expect(await activeIds()).toHaveLength(4);
    expect((await describe()).FulfilledCapacity).toBe(8);
  });

  it('falls back to the next instance type when the first has no capacity', async () => {
    const { account, ec2, fleetId, activeIds } = fleetOf(1);
    account.ec2.capacity.exhaust('m5.large');
    await ec2.send(new ModifyFleetCommand({ FleetId: fleetId, TargetCapacitySpecification: { TotalTargetCapacity: 6 } }));
    account.advance(30_000);
    const fresh = (await activeIds()).slice(1);
    expect(fresh.map((id) => account.ec2.instance(id)!.instanceType)).toEqual(['m5.xlarge']);
  });

  it('stays short and records InsufficientInstanceCapacity while no type has capacity, then fills once it returns', async () => {
    const { account, ec2, fleetId, describe } = fleetOf(1);
    account.ec2.capacity.exhaust('m5.large');
    account.ec2.capacity.exhaust('m5.xlarge');
    await ec2.send(new ModifyFleetCommand({ FleetId: fleetId, TargetCapacitySpecification: { TotalTargetCapacity: 4 } }));
    account.advance(30_000);
    expect(await describe()).toMatchObject({ FulfilledCapacity: 2, ActivityStatus: 'error' });
    // The fleet launches Spot by default (DefaultTargetCapacityType): Spot's own sentence.
    expect(account.ec2.fleets.fleet(fleetId)!.launchErrors[0]).toMatchObject({
      code: 'InsufficientInstanceCapacity',
      message: 'There is no Spot capacity available that matches your request.',
    });
    account.ec2.capacity.restore('m5.large');
    account.advance(30_000);
    expect(await describe()).toMatchObject({ FulfilledCapacity: 4, ActivityStatus: 'fulfilled' });
  });

  it('launches on-demand up to OnDemandTargetCapacity and the rest as Spot', async () => {
    const { account, ec2, fleetId, describe } = fleetOf(0, { targetCapacity: 0 });
    await ec2.send(
      new ModifyFleetCommand({ FleetId: fleetId, TargetCapacitySpecification: { TotalTargetCapacity: 6, OnDemandTargetCapacity: 2 } }),
    );
    account.advance(30_000);
    expect(await describe()).toMatchObject({ FulfilledCapacity: 6, FulfilledOnDemandCapacity: 2 });
  });
});
