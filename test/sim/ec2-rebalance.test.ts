import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimulatedAccount } from '../../sim/account';
import { recommendRebalance } from '../../sim/ec2-rebalance';

describe('simulated EC2 rebalance recommendations', () => {
  it('sends the event as AWS documents it (detail: the instance only), and no notice or reclaim follows from it', () => {
    const account = new SimulatedAccount();
    const spot = account.ec2.launchInstance({ lifecycle: 'spot', instanceType: 'c5.large', az: 'eu-west-1b' });
    const event = recommendRebalance(account, spot.instanceId);
    const sample = JSON.parse(readFileSync(join(__dirname, '..', '..', 'events', 'rebalance-recommendation.json'), 'utf8'));
    // The same keys as the sample (the EC2 User Guide's example), the same detail shape.
    expect(Object.keys(event).sort()).toEqual(Object.keys(sample).sort());
    expect(event).toMatchObject({
      source: 'aws.ec2',
      'detail-type': 'EC2 Instance Rebalance Recommendation',
      detail: { 'instance-id': spot.instanceId },
    });
    expect(Object.keys(event.detail)).toEqual(Object.keys(sample.detail));
    expect(event.resources).toEqual([`arn:aws:ec2:${account.region}:${account.accountId}:instance/${spot.instanceId}`]);
    expect(account.ec2.events()).toContainEqual(event);
    account.clock.advance(3 * 3600_000);
    expect(account.ec2.instance(spot.instanceId)!.state).toBe('running');
    expect(account.ec2.events().filter((e) => e['detail-type'] === 'EC2 Spot Instance Interruption Warning')).toEqual([]);
  });

  it('is sent for Spot instances only', () => {
    const account = new SimulatedAccount();
    const od = account.ec2.launchInstance({ lifecycle: 'on-demand' });
    expect(() => recommendRebalance(account, od.instanceId)).toThrow(/not a Spot instance/);
  });
});
