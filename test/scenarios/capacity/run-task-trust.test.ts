import { runTaskFailure, runTaskResult } from '../../support/capacity-events';
import { capacityCluster } from '../../support/capacity-world';

/** A full ASG cluster (2 instances, 4 tasks each) and the runTaskFailure forwarder in front of the writer. */
function fullCluster() {
  const { account, built } = capacityCluster({ backend: 'asg', instances: 2, tasksPerInstance: 4 });
  const fn = runTaskFailure(account);
  const desired = () => account.autoscaling.groupState(built.backend.id).desired;
  const noRoom = (cluster: string, at = account.clock.now(), id?: string) =>
    runTaskResult(cluster, `${built.cluster}-app:1`, 3, at, { reasons: ['RESOURCE:CPU'] }, undefined, id);
  return { account, built, fn, desired, noRoom };
}

/** The reasons the forwarder logged for the results it refused. */
const refusals = (fn: ReturnType<typeof runTaskFailure>) =>
  fn.logger.entries.filter((e) => e.message === 'runTask result refused').map((e) => String((e.extra[0] as { reason?: unknown }).reason));

describe('runTaskFailure: results that must not scale the local cluster', () => {
  it('refuses a result naming a cluster of the same name in another region or account, with the reason', async () => {
    const { account, built, fn, desired, noRoom } = fullCluster();
    fn.publish(noRoom(`arn:aws:ecs:us-west-2:${account.accountId}:cluster/${built.cluster}`, undefined, 'other-region'));
    fn.publish(noRoom(`arn:aws:ecs:${account.region}:210987654321:cluster/${built.cluster}`, undefined, 'other-account'));
    await fn.source.run();
    expect(desired()).toBe(2);
    const refused = refusals(fn);
    expect(refused).toEqual([
      expect.stringMatching(/in region us-west-2, account \d+, not this one/),
      expect.stringMatching(/account 210987654321, not this one/),
    ]);
    // The same result naming this account's cluster by ARN scales it out.
    fn.publish(noRoom(account.arn('ecs', `cluster/${built.cluster}`), undefined, 'here'));
    await fn.source.run();
    expect(desired()).toBeGreaterThan(2);
  });

  it('refuses a result older than the bound (3 days) and takes a fresh one', async () => {
    const { account, built, fn, desired, noRoom } = fullCluster();
    fn.publish(noRoom(built.cluster, account.clock.now() - 3 * 24 * 3_600_000, 'stale'));
    await fn.source.run();
    expect(desired()).toBe(2);
    expect(refusals(fn)).toEqual([expect.stringMatching(/4320 minute\(s\) old, over the 15-minute bound/)]);
    fn.publish(noRoom(built.cluster, account.clock.now() - 60_000, 'fresh'));
    await fn.source.run();
    expect(desired()).toBeGreaterThan(2);
  });
});
