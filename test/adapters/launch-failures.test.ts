import { SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { ModifySpotFleetRequestCommand } from '@aws-sdk/client-ec2';
import { LaunchFailuresAdapter, SCALING_ACTIVITIES_PAGE_MAX } from '../../shared/aws/launch-failures';
import { SimulatedAccount } from '../../sim/account';
import { buildCapacityCluster } from '../../sim/builders-capacity';

const inputsOf = (account: SimulatedAccount, operation: string) =>
  account.calls.filter((c) => c.operation === operation).map((c) => c.input);

describe('LaunchFailuresAdapter: one bounded read of a backend’s failed launches since a time', () => {
  it('ASG: Failed activities since the time, 100 a page, reading no further than the first older activity', async () => {
    const account = new SimulatedAccount();
    const b = buildCapacityCluster(account, { backend: 'asg', instances: 1, max: 200 });
    const { autoscaling, ec2 } = account.clients();
    const adapter = new LaunchFailuresAdapter(autoscaling, ec2);
    // 150 successful launches (two pages of activities), then the pools run dry.
    await autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: b.backend.id, DesiredCapacity: 150 }));
    account.advance(60_000);
    const since = account.clock.now();
    account.ec2.capacity.exhaust('m5.large');
    account.ec2.capacity.exhaust('m5.xlarge');
    await autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: b.backend.id, DesiredCapacity: 152 }));
    const failures = await adapter.asg(b.backend.id, since);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.message).toMatch(/^We currently do not have sufficient m5.large capacity/);
    expect(inputsOf(account, 'DescribeScalingActivities')).toEqual([
      { AutoScalingGroupName: b.backend.id, MaxRecords: SCALING_ACTIVITIES_PAGE_MAX },
    ]);
    // Nothing since a later time.
    expect(await adapter.asg(b.backend.id, account.clock.now() + 1)).toEqual([]);
  });

  it('Spot Fleet: error records from StartTime, with sub-type and description', async () => {
    const account = new SimulatedAccount();
    const b = buildCapacityCluster(account, { backend: 'spotFleet', instances: 1 });
    const { autoscaling, ec2 } = account.clients();
    const adapter = new LaunchFailuresAdapter(autoscaling, ec2);
    account.ec2.capacity.exhaust('m5.large');
    account.ec2.capacity.exhaust('m5.xlarge');
    const since = account.clock.now();
    await ec2.send(new ModifySpotFleetRequestCommand({ SpotFleetRequestId: b.backend.id, TargetCapacity: 3 }));
    account.advance(30_000); // shown up to 30 s late
    const failures = await adapter.spotFleet(b.backend.id, since);
    expect(failures[0]!.message).toMatch(/^allLaunchSpecsTemporarilyBlacklisted: m5.large, .*There is no Spot capacity available/);
    expect(inputsOf(account, 'DescribeSpotFleetRequestHistory')[0]).toEqual({
      SpotFleetRequestId: b.backend.id,
      StartTime: new Date(since),
      EventType: 'error',
      MaxResults: 1000,
    });
  });
});
