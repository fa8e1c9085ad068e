import { AutoScalingGroupsAdapter } from '../../../shared/aws/autoscaling-groups';
import { batchedAsgLookups } from '../../../shared/aws/autoscaling-lookups';
import { SimulatedAccount } from '../../../sim/account';
import { buildCapacityCluster } from '../../../sim/builders-capacity';
import { serverError } from '../../../sim/errors';

function hundredInAsg() {
  const account = new SimulatedAccount();
  const b = buildCapacityCluster(account, { backend: 'asg', instances: 100, max: 200, tasksPerInstance: 0 });
  // One attempt per call: the SDK's own retries would hide which callers a failed call carried.
  const lookups = batchedAsgLookups(new AutoScalingGroupsAdapter(account.clients({ maxAttempts: 1 }).autoscaling), account.clock);
  const ids = b.instances.map((i) => i.instanceId);
  return { account, b, lookups, ids };
}

describe('batchedAsgLookups', () => {
  it('sends 101 concurrent instance lookups as DescribeAutoScalingInstances of 50, 50 and 1 ids, each caller getting its own answer', async () => {
    const { account, b, lookups, ids } = hundredInAsg();
    expect(ids).toHaveLength(100);
    const answers = await Promise.all([...ids, 'i-0000nobody'].map((id) => lookups.groupOfInstance(id)));
    expect(account.countCalls('autoscaling', 'DescribeAutoScalingInstances')).toBe(3); // 101 distinct ids: 50 + 50 + 1
    expect(answers.slice(0, 100)).toEqual(ids.map(() => ({ groupName: b.backend.id, lifecycleState: 'InService' })));
    expect(answers[100]).toBeUndefined();
    expect(
      account.calls
        .filter((c) => c.operation === 'DescribeAutoScalingInstances')
        .map((c) => (c.input as { InstanceIds: string[] }).InstanceIds.length),
    ).toEqual([50, 50, 1]);
  });

  it('answers exactly 100 concurrent lookups with exactly 2 calls', async () => {
    const { account, lookups, ids } = hundredInAsg();
    await Promise.all(ids.map((id) => lookups.groupOfInstance(id)));
    expect(account.countCalls('autoscaling', 'DescribeAutoScalingInstances')).toBe(2);
  });

  it('sends the concurrent group reads as one DescribeAutoScalingGroups, an unknown name answering undefined', async () => {
    const { account, b, lookups } = hundredInAsg();
    const names = [...Array.from({ length: 100 }, () => b.backend.id), 'no-such-group'];
    const groups = await Promise.all(names.map((n) => lookups.group(n)));
    expect(account.countCalls('autoscaling', 'DescribeAutoScalingGroups')).toBe(1);
    expect(groups.slice(0, 100).every((g) => g?.name === b.backend.id && g.instances.length === 100)).toBe(true);
    expect(groups[100]).toBeUndefined();
  });

  it('fails only the callers a failed call carried; their retries gather again into one call', async () => {
    const { account, b, lookups, ids } = hundredInAsg();
    account.failNext('autoscaling', 'DescribeAutoScalingInstances', () => serverError('autoscaling'), {
      times: 1,
      when: (input) => input.InstanceIds.includes(ids[0]),
    });
    const settled = await Promise.allSettled(ids.map((id) => lookups.groupOfInstance(id)));
    const failed = ids.filter((_, i) => settled[i]!.status === 'rejected');
    expect(failed).toEqual(ids.slice(0, 50));
    expect(settled.slice(50).every((s) => s.status === 'fulfilled' && s.value?.groupName === b.backend.id)).toBe(true);
    const reason = (settled[0] as PromiseRejectedResult).reason as Error;
    expect(reason.name).toBe('ServiceUnavailable');

    const retried = await Promise.all(failed.map((id) => lookups.groupOfInstance(id)));
    expect(retried.every((m) => m?.groupName === b.backend.id)).toBe(true);
    expect(account.countCalls('autoscaling', 'DescribeAutoScalingInstances')).toBe(3);
  });

  it('rejects a caller whose own signal aborts, without failing the others', async () => {
    const { lookups, ids } = hundredInAsg();
    const gaveUp = new AbortController();
    const mine = lookups.groupOfInstance(ids[0]!, { signal: gaveUp.signal });
    const theirs = lookups.groupOfInstance(ids[1]!);
    gaveUp.abort(new Error('deadline'));
    await expect(mine).rejects.toThrow('deadline');
    await expect(theirs).resolves.toMatchObject({ lifecycleState: 'InService' });
  });
});
