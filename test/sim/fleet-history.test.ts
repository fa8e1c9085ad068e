import {
  DescribeFleetHistoryCommand,
  DescribeSpotFleetRequestHistoryCommand,
  ModifyFleetCommand,
  ModifySpotFleetRequestCommand,
} from '@aws-sdk/client-ec2';
import { SimulatedAccount } from '../../sim/account';
import { FLEET_EVENT_DELAY_MAX_MS } from '../../sim/fleet-history';

/** A Spot Fleet request and an EC2 Fleet (Spot by default) of m5.large, one instance each, with the pool dry. */
function dryFleets() {
  const account = new SimulatedAccount();
  account.ecs.createCluster('web');
  const spotIds = [account.ec2.launchInstance({ lifecycle: 'spot', instanceType: 'm5.large' }).instanceId];
  const sfr = account.ec2.createSpotFleet({ targetCapacity: 1, instanceIds: spotIds, launch: { instanceType: 'm5.large' } });
  const fleetIds = [account.ec2.launchInstance({ lifecycle: 'spot', instanceType: 'm5.large' }).instanceId];
  const fleet = account.ec2.createFleet({ targetCapacity: 1, instanceIds: fleetIds, instanceTypes: [{ instanceType: 'm5.large' }] });
  account.ec2.capacity.exhaust('m5.large');
  return { account, ec2: account.clients().ec2, sfr, fleet };
}

describe('simulated fleet history: launch failures as DescribeFleetHistory / DescribeSpotFleetRequestHistory answer them', () => {
  it('a Spot Fleet attempt with no capacity is an `error` record carrying the Spot error, shown within 30 s', async () => {
    const { account, ec2, sfr } = dryFleets();
    const start = new Date(account.clock.now());
    await ec2.send(new ModifySpotFleetRequestCommand({ SpotFleetRequestId: sfr, TargetCapacity: 2 }));
    const record = account.ec2.spotFleets.fleet(sfr)!.history[0]!;
    expect(record.visibleAt - record.at).toBeLessThan(FLEET_EVENT_DELAY_MAX_MS);
    expect(record.visibleAt).toBeGreaterThan(record.at);
    expect(
      (await ec2.send(new DescribeSpotFleetRequestHistoryCommand({ SpotFleetRequestId: sfr, StartTime: start }))).HistoryRecords,
    ).toEqual([]);
    account.clock.set(record.visibleAt);
    const out = await ec2.send(new DescribeSpotFleetRequestHistoryCommand({ SpotFleetRequestId: sfr, StartTime: start }));
    expect(out.HistoryRecords).toEqual([
      {
        EventType: 'error',
        Timestamp: new Date(record.at),
        EventInformation: {
          EventSubType: 'allLaunchSpecsTemporarilyBlacklisted',
          EventDescription: `m5.large, ${account.region}a: InsufficientInstanceCapacity: There is no Spot capacity available that matches your request.`,
        },
      },
    ]);
    // Another event type, or a start after it, shows nothing.
    expect(
      (
        await ec2.send(
          new DescribeSpotFleetRequestHistoryCommand({ SpotFleetRequestId: sfr, StartTime: start, EventType: 'instanceChange' }),
        )
      ).HistoryRecords,
    ).toEqual([]);
    const later = new Date(record.at + 1);
    expect(
      (await ec2.send(new DescribeSpotFleetRequestHistoryCommand({ SpotFleetRequestId: sfr, StartTime: later }))).HistoryRecords,
    ).toEqual([]);
  });

  it('an EC2 Fleet attempt with no capacity is a `service-error` record, not shown before its delay has passed', async () => {
    const { account, ec2, fleet } = dryFleets();
    const start = new Date(account.clock.now());
    await ec2.send(new ModifyFleetCommand({ FleetId: fleet, TargetCapacitySpecification: { TotalTargetCapacity: 2 } }));
    account.advance(30_000); // the fleet's own launch delay
    const record = account.ec2.fleets.fleet(fleet)!.history[0]!;
    account.clock.set(Math.max(account.clock.now(), record.visibleAt));
    const shown = await ec2.send(new DescribeFleetHistoryCommand({ FleetId: fleet, StartTime: start, EventType: 'service-error' }));
    expect(shown.HistoryRecords![0]).toMatchObject({
      EventType: 'service-error',
      EventInformation: { EventSubType: 'allLaunchSpecsTemporarilyBlacklisted' },
    });
    expect(shown.FleetId).toBe(fleet);
  });

  it('refuses a page size outside 1–1000 and a request without StartTime', async () => {
    const { ec2, sfr } = dryFleets();
    await expect(
      ec2.send(new DescribeSpotFleetRequestHistoryCommand({ SpotFleetRequestId: sfr, StartTime: new Date(0), MaxResults: 1001 })),
    ).rejects.toThrow(/maxResults/);
    await expect(ec2.send(new DescribeSpotFleetRequestHistoryCommand({ SpotFleetRequestId: sfr } as never))).rejects.toThrow(/StartTime/);
  });
});
