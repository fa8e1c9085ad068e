import {
  DescribeInstancesCommand,
  DescribeSpotFleetInstancesCommand,
  DescribeSpotFleetRequestsCommand,
  ModifySpotFleetRequestCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { DescribeContainerInstancesCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SimulatedAccount } from '../../sim/account';
import { buildSpotCluster } from '../../sim/builders';

describe('simulated EC2 instances', () => {
  it('describes instances with lifecycle, placement, tags and state filters', async () => {
    const account = new SimulatedAccount();
    const spot = account.ec2.launchInstance({ lifecycle: 'spot', instanceType: 'c5.large', az: 'eu-west-1b' });
    const od = account.ec2.launchInstance({ lifecycle: 'on-demand', asgName: 'ecs-od' });
    account.ec2.createSpotFleet({ targetCapacity: 1, instanceIds: [spot.instanceId] });
    const { ec2 } = account.clients();
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [spot.instanceId, od.instanceId] }));
    const [s, o] = out.Reservations!.flatMap((r) => r.Instances!);
    expect(s).toMatchObject({
      InstanceId: spot.instanceId,
      InstanceLifecycle: 'spot',
      InstanceType: 'c5.large',
      PrivateIpAddress: spot.privateIp,
      Placement: { AvailabilityZone: 'eu-west-1b' },
      State: { Name: 'running', Code: 16 },
    });
    expect(s!.Tags).toEqual([{ Key: 'aws:ec2spot:fleet-request-id', Value: expect.stringMatching(/^sfr-/) }]);
    expect(o!.InstanceLifecycle).toBeUndefined();
    expect(o!.Tags).toEqual([{ Key: 'aws:autoscaling:groupName', Value: 'ecs-od' }]);
    expect(o!.LaunchTime).toEqual(new Date('2026-11-23T10:00:00Z'));

    const term = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [od.instanceId] }));
    expect(term.TerminatingInstances![0]).toMatchObject({ PreviousState: { Name: 'running' }, CurrentState: { Name: 'shutting-down' } });
    const running = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['running'] }] }));
    expect(running.Reservations!.map((r) => r.Instances![0]!.InstanceId)).toEqual([spot.instanceId]);
    await expect(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] }))).rejects.toMatchObject({
      name: 'InvalidInstanceID.NotFound',
      message: "The instance ID 'i-0123456789abcdef0' does not exist",
    });
  });
});

describe('simulated Spot interruption', () => {
  it('sends the interruption warning exactly as EventBridge delivers it', () => {
    const account = new SimulatedAccount();
    const { instanceId } = account.ec2.launchInstance({ lifecycle: 'spot', az: 'eu-west-1b' });
    const event = account.ec2.interruptSpot(instanceId);
    expect(event).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      'detail-type': 'EC2 Spot Instance Interruption Warning',
      source: 'aws.ec2',
      account: '123456789012',
      time: '2026-11-23T10:00:00Z',
      region: 'eu-west-1',
      resources: [`arn:aws:ec2:eu-west-1b:instance/${instanceId}`],
      detail: { 'instance-id': instanceId, 'instance-action': 'terminate' },
    });
  });

  it('reclaims two minutes after the notice: kills what still runs, removes its targets, leaves the container instance INACTIVE', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account, { fleetReplacesInstances: false });
    const { ecs, elbv2 } = account.clients();
    const victim = c.instances[0]!;
    const onVictim = c.tasksByInstance[victim.instanceId]!;
    // The notice came 30 s ago (late delivery): the reclaim is 90 s away.
    account.advance(30_000);
    account.ec2.interruptSpot(victim.instanceId, { at: account.clock.now() - 30_000 });
    // The batch task is stopped in time; the rest is left running.
    await ecs.send(new StopTaskCommand({ cluster: 'web', task: c.tasks.batch }));
    account.advance(89_999);
    expect(account.ec2.instance(victim.instanceId)!.state).toBe('running');
    expect(account.ecs.killedByTermination()).toEqual([]);
    account.advance(1);

    expect(account.ec2.instance(victim.instanceId)!.state).toBe('terminated');
    const killed = account.ecs.killedByTermination();
    expect(new Set(killed.map((t) => t.arn))).toEqual(new Set(onVictim.filter((t) => t !== c.tasks.batch)));
    for (const t of killed) expect(t).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'TerminationNotice', stoppedBy: 'termination' });
    expect(account.ecs.task(c.tasks.batch)).toMatchObject({ stoppedBy: 'api', lastStatus: 'STOPPED' });
    expect(account.ecs.task(c.tasks.batch)!.killedByTermination).toBeFalsy();

    const frontendOnVictim = (
      await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: c.targetGroups.frontend }))
    ).TargetHealthDescriptions!.filter((d) => d.Target!.Id === victim.instanceId);
    expect(frontendOnVictim).toEqual([]);
    const lost = account.elbv2.targetHistory().filter((t) => t.deregisteredBy === 'termination');
    expect(lost).toHaveLength(2 + 2); // two frontend targets, the api task in two groups
    for (const t of lost) expect(t).toMatchObject({ state: 'removed', drainedAt: account.clock.now() });

    const ci = (
      await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'web', containerInstances: [victim.containerInstanceArn] }))
    ).containerInstances![0]!;
    expect(ci).toMatchObject({ status: 'INACTIVE', agentConnected: false, runningTasksCount: 0 });
  });
});

describe('simulated Spot Fleet', () => {
  function fleetOf(n: number) {
    const account = new SimulatedAccount();
    account.ecs.createCluster('web');
    const ids = Array.from({ length: n }, () => account.ec2.launchInstance({ lifecycle: 'spot' }).instanceId);
    const fleet = account.ec2.createSpotFleet({
      targetCapacity: n,
      instanceIds: ids,
      launch: { instanceType: 'm5.large', ecs: { cluster: 'web', cpu: 2048, memory: 7680 } },
    });
    return { account, ec2: account.clients().ec2, ids, fleet };
  }

  it('lowers the target without terminating anything under noTermination', async () => {
    const { account, ec2, ids, fleet } = fleetOf(3);
    await ec2.send(
      new ModifySpotFleetRequestCommand({ SpotFleetRequestId: fleet, TargetCapacity: 2, ExcessCapacityTerminationPolicy: 'noTermination' }),
    );
    account.advance(600_000);
    const cfg = (await ec2.send(new DescribeSpotFleetRequestsCommand({ SpotFleetRequestIds: [fleet] }))).SpotFleetRequestConfigs![0]!;
    expect(cfg.SpotFleetRequestConfig).toMatchObject({ TargetCapacity: 2, FulfilledCapacity: 3 });
    expect(ids.map((id) => account.ec2.instance(id)!.state)).toEqual(['running', 'running', 'running']);
    // Then we terminate the instance we drained: the fleet is at target and does not replace it.
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [ids[0]!] }));
    const active = await ec2.send(new DescribeSpotFleetInstancesCommand({ SpotFleetRequestId: fleet }));
    expect(active.ActiveInstances!.map((i) => i.InstanceId)).toEqual(ids.slice(1));
  });

  it('scales in with the default policy through the same two-minute interruption warning', async () => {
    const { account, ec2, ids, fleet } = fleetOf(3);
    await ec2.send(new ModifySpotFleetRequestCommand({ SpotFleetRequestId: fleet, TargetCapacity: 2 }));
    const warnings = account.ec2.events();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ 'detail-type': 'EC2 Spot Instance Interruption Warning', detail: { 'instance-id': ids[2] } });
    account.advance(120_000);
    expect(account.ec2.instance(ids[2]!)!.state).toBe('terminated');
    expect(account.ec2.spotFleets.fleet(fleet)!.instanceIds.filter((id) => account.ec2.instance(id)!.state === 'running')).toHaveLength(2);
  });

  it('replaces a reclaimed instance, which joins the ECS cluster after it boots', async () => {
    const { account, ids, fleet } = fleetOf(2);
    account.ec2.interruptSpot(ids[0]!);
    account.advance(120_000);
    const running = account.ec2.spotFleets.fleet(fleet)!.instanceIds.filter((id) => account.ec2.instance(id)!.state === 'running');
    expect(running).toHaveLength(2);
    const fresh = running.find((id) => !ids.includes(id))!;
    expect(account.ecs.containerInstanceRecord(fresh)).toBeUndefined();
    account.advance(60_000);
    expect(account.ecs.containerInstanceRecord(fresh)).toMatchObject({ status: 'ACTIVE', cluster: 'web', cpu: 2048 });
  });
});
