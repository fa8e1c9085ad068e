import {
  DescribeSpotFleetInstancesCommand,
  DescribeSpotFleetRequestsCommand,
  ModifySpotFleetRequestCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { SimulatedAccount } from '../../sim/account';

/** A Spot Fleet of `n` m5.large (2 units each; m5.xlarge 4) for the cluster `web`, tagged for it. */
function weightedFleet(n: number) {
  const account = new SimulatedAccount();
  account.ecs.createCluster('web');
  const ids = Array.from({ length: n }, () => account.ec2.launchInstance({ lifecycle: 'spot', instanceType: 'm5.large' }).instanceId);
  const fleet = account.ec2.createSpotFleet({
    targetCapacity: 2 * n,
    instanceIds: ids,
    tags: { 'ecs-steady:cluster': 'web' },
    launch: {
      ecs: { cluster: 'web', cpu: 2048, memory: 7680 },
      instanceTypes: [
        { instanceType: 'm5.large', weightedCapacity: 2 },
        { instanceType: 'm5.xlarge', weightedCapacity: 4, cpu: 4096, memory: 15_580 },
      ],
    },
  });
  const { ec2 } = account.clients();
  const config = async () =>
    (await ec2.send(new DescribeSpotFleetRequestsCommand({ SpotFleetRequestIds: [fleet] }))).SpotFleetRequestConfigs![0]!;
  const active = async () =>
    (await ec2.send(new DescribeSpotFleetInstancesCommand({ SpotFleetRequestId: fleet }))).ActiveInstances!.map((i) => i.InstanceId!);
  return { account, ec2, ids, fleet, config, active };
}

describe('simulated Spot Fleet capacity', () => {
  it('describes the request with its tags, weighted overrides and fulfilled capacity in units', async () => {
    const { config } = weightedFleet(2);
    const c = await config();
    expect(c.Tags).toEqual([{ Key: 'ecs-steady:cluster', Value: 'web' }]);
    expect(c.SpotFleetRequestConfig).toMatchObject({
      TargetCapacity: 4,
      FulfilledCapacity: 4,
      TagSpecifications: [{ ResourceType: 'spot-fleet-request', Tags: [{ Key: 'ecs-steady:cluster', Value: 'web' }] }],
    });
    expect(c.SpotFleetRequestConfig!.LaunchTemplateConfigs![0]!.Overrides!.map((o) => [o.InstanceType, o.WeightedCapacity])).toEqual([
      ['m5.large', 2],
      ['m5.xlarge', 4],
    ]);
  });

  it('keeps the excess capacity termination policy given to ModifySpotFleetRequest', async () => {
    const { ec2, fleet, config } = weightedFleet(2);
    await ec2.send(
      new ModifySpotFleetRequestCommand({ SpotFleetRequestId: fleet, TargetCapacity: 2, ExcessCapacityTerminationPolicy: 'noTermination' }),
    );
    expect((await config()).SpotFleetRequestConfig).toMatchObject({
      TargetCapacity: 2,
      FulfilledCapacity: 4,
      ExcessCapacityTerminationPolicy: 'noTermination',
    });
  });

  it('replaces a terminated instance while fulfilled is below target', async () => {
    const { ec2, ids, active } = weightedFleet(2);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [ids[0]!] }));
    const now = await active();
    expect(now).toHaveLength(2);
    expect(now).not.toContain(ids[0]);
  });

  it('does not replace the chosen instance once the target was lowered under noTermination', async () => {
    const { account, ec2, ids, fleet, active } = weightedFleet(3);
    await ec2.send(
      new ModifySpotFleetRequestCommand({ SpotFleetRequestId: fleet, TargetCapacity: 4, ExcessCapacityTerminationPolicy: 'noTermination' }),
    );
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [ids[1]!] }));
    account.advance(600_000);
    expect(await active()).toEqual([ids[0], ids[2]]);
  });

  it('scales in by weight: only the instances whose units exceed the new target get the warning', async () => {
    const { account, ec2, ids, fleet } = weightedFleet(3);
    await ec2.send(
      new ModifySpotFleetRequestCommand({ SpotFleetRequestId: fleet, TargetCapacity: 3, ExcessCapacityTerminationPolicy: 'default' }),
    );
    // 6 units, target 3: one m5.large (2 units) goes; a second would leave 2 < 3.
    expect(account.ec2.events().map((e) => (e.detail as { 'instance-id': string })['instance-id'])).toEqual([ids[2]]);
  });

  it('launches the next instance type when the first has no capacity, and records the shortage while none has', async () => {
    const { account, ec2, fleet, config, active } = weightedFleet(1);
    account.ec2.capacity.exhaust('m5.large');
    account.ec2.capacity.exhaust('m5.xlarge');
    await ec2.send(new ModifySpotFleetRequestCommand({ SpotFleetRequestId: fleet, TargetCapacity: 6 }));
    expect(await config()).toMatchObject({ ActivityStatus: 'error', SpotFleetRequestConfig: { FulfilledCapacity: 2 } });
    expect(account.ec2.spotFleets.fleet(fleet)!.launchErrors[0]).toMatchObject({ code: 'InsufficientInstanceCapacity' });
    account.ec2.capacity.restore('m5.xlarge');
    account.advance(30_000);
    const fresh = (await active()).slice(1);
    expect(fresh.map((id) => account.ec2.instance(id)!.instanceType)).toEqual(['m5.xlarge']);
    account.advance(60_000);
    expect(account.ecs.containerInstanceRecord(fresh[0]!)).toMatchObject({ status: 'ACTIVE', cpu: 4096 });
  });
});

describe('simulated Spot Fleet launches', () => {
  it('launches after launchDelayMs, with the launch template tags on the instance', async () => {
    const account = new SimulatedAccount();
    const fleet = account.ec2.createSpotFleet({
      targetCapacity: 0,
      instanceIds: [],
      tags: { 'ecs-steady:cluster': 'web' },
      launch: { instanceType: 'm5.large', instanceTags: { Name: 'web-spot' }, launchDelayMs: 20_000 },
    });
    const { ec2 } = account.clients();
    await ec2.send(new ModifySpotFleetRequestCommand({ SpotFleetRequestId: fleet, TargetCapacity: 1 }));
    const active = async () =>
      (await ec2.send(new DescribeSpotFleetInstancesCommand({ SpotFleetRequestId: fleet }))).ActiveInstances!.map((i) => i.InstanceId!);
    account.advance(19_999);
    expect(await active()).toEqual([]);
    account.advance(1);
    const [id] = await active();
    expect(account.ec2.instance(id!)!.tags).toEqual({ Name: 'web-spot', 'aws:ec2spot:fleet-request-id': fleet });
  });
});
