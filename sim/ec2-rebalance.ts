import type { SimulatedAccount } from './account';
import { eventTime, uuid, type EventBridgeEvent } from './util';

export type RebalanceRecommendationDetail = { 'instance-id': string };

/**
 * EC2 sends a rebalance recommendation for a Spot instance (at `at`, default now), and nothing else.
 * AWS documents it as "a signal that notifies you when a Spot Instance is at elevated risk of
 * interruption" that "can arrive sooner than the two-minute Spot Instance interruption notice" or
 * "along with" it, emitted "on a best effort basis"
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/rebalance-recommendations.html): no notice and
 * no reclaim follow from it here. A test sends the notice (`ec2.interruptSpot`) when, and if, it
 * wants one — well after, with it, or never. The event is shaped as that page's example: the
 * detail names only the instance; `resources` holds the instance ARN.
 */
export function recommendRebalance(
  account: SimulatedAccount,
  instanceId: string,
  options: { at?: number } = {},
): EventBridgeEvent<RebalanceRecommendationDetail> {
  const inst = account.ec2.instance(instanceId);
  if (!inst) throw new Error(`recommendRebalance: unknown instance ${instanceId}`);
  // "Rebalance recommendations are only supported for Spot Instances."
  if (inst.lifecycle !== 'spot') throw new Error(`recommendRebalance: ${instanceId} is not a Spot instance`);
  const at = options.at ?? account.clock.now();
  const event: EventBridgeEvent<RebalanceRecommendationDetail> = {
    version: '0',
    id: uuid(account),
    'detail-type': 'EC2 Instance Rebalance Recommendation',
    source: 'aws.ec2',
    account: account.accountId,
    time: eventTime(at),
    region: account.region,
    resources: [`arn:aws:ec2:${account.region}:${account.accountId}:instance/${instanceId}`],
    detail: { 'instance-id': instanceId },
  };
  account.ec2.emit(event);
  return event;
}
