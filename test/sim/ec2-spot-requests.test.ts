import { DescribeSpotInstanceRequestsCommand } from '@aws-sdk/client-ec2';
import { SimulatedAccount } from '../../sim/account';
import { SPOT_NOTICE_MS } from '../../sim/ec2';

describe('simulated EC2 Spot instance requests', () => {
  const statusOf = async (account: SimulatedAccount, instanceId: string) => {
    const out = await account
      .clients()
      .ec2.send(new DescribeSpotInstanceRequestsCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] }));
    return (out.SpotInstanceRequests ?? []).map((r) => [r.State, r.Status?.Code]);
  };

  it('follows the documented lifecycle: fulfilled, marked-for-termination at the notice, closed at the reclaim', async () => {
    const account = new SimulatedAccount();
    const spot = account.ec2.launchInstance({ lifecycle: 'spot' });
    expect(await statusOf(account, spot.instanceId)).toEqual([['active', 'fulfilled']]);
    account.ec2.interruptSpot(spot.instanceId);
    expect(await statusOf(account, spot.instanceId)).toEqual([['closed', 'marked-for-termination']]);
    expect(account.ec2.instance(spot.instanceId)!.state).toBe('running');
    account.clock.advance(SPOT_NOTICE_MS);
    expect(await statusOf(account, spot.instanceId)).toEqual([['closed', 'instance-terminated-no-capacity']]);
  });

  it('has no request for an on-demand instance, and refuses a filter it does not model by name', async () => {
    const account = new SimulatedAccount();
    const od = account.ec2.launchInstance({ lifecycle: 'on-demand' });
    expect(await statusOf(account, od.instanceId)).toEqual([]);
    await expect(
      account
        .clients()
        .ec2.send(new DescribeSpotInstanceRequestsCommand({ Filters: [{ Name: 'launch.instance-type', Values: ['m5.large'] }] })),
    ).rejects.toThrow(/launch.instance-type/);
  });
});
