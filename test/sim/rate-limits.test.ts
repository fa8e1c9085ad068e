import { DescribeInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeTasksCommand, ListClustersCommand, ListTasksCommand, UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import { DeregisterTargetsCommand, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { SimulatedAccount } from '../../sim/account';
import { buildSpotCluster } from '../../sim/builders';

/** Clients that give up at the first error, so each call shows what the bucket answered. */
const once = (account: SimulatedAccount) => account.clients({ maxAttempts: 1 });

async function settle<T>(calls: Array<Promise<T>>) {
  const results = await Promise.allSettled(calls);
  const rejected = results
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .map((r) => r.reason as Error & { $metadata?: { httpStatusCode?: number } });
  return { ok: results.length - rejected.length, rejected };
}

describe('request rates as token buckets shared by the whole account', () => {
  it("meets ECS's cluster-resource-read bucket (burst 100, 20 per s) across clients of one account, and refills on the virtual clock", async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account);
    const [a, b] = [once(account).ecs, once(account).ecs];
    const describe = (client: typeof a) => client.send(new DescribeTasksCommand({ cluster: c.cluster, tasks: [c.tasks.batch] }));

    const wave = await settle([...Array.from({ length: 80 }, () => describe(a)), ...Array.from({ length: 70 }, () => describe(b))]);

    expect(wave.ok).toBe(100);
    expect(wave.rejected).toHaveLength(50);
    expect(wave.rejected[0]).toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
    expect(account.calls.filter((x) => x.throttledBy === 'ecs:cluster-resource-read')).toHaveLength(50);
    // ListTasks shares the bucket; UpdateContainerInstancesState draws from cluster-resource-modify.
    await expect(a.send(new ListTasksCommand({ cluster: c.cluster }))).rejects.toMatchObject({ name: 'ThrottlingException' });
    await a.send(
      new UpdateContainerInstancesStateCommand({
        cluster: c.cluster,
        containerInstances: [c.instances[1]!.containerInstanceArn],
        status: 'ACTIVE',
      }),
    );
    await a.send(new ListClustersCommand({}));

    account.advance(1_000);
    expect(account.rateLimits.tokens('ecs:cluster-resource-read')).toBe(20);
    const refilled = await settle(Array.from({ length: 25 }, () => describe(b)));
    expect(refilled.ok).toBe(20);
  });

  it('answers ELBv2 throttling as `Throttling` (HTTP 400), with the account-level bucket shared by every ELBv2 action', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account);
    const { elbv2 } = once(account);
    const tg = c.targetGroups.frontend;
    const deregister = () =>
      elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: 'i-0000000000000000', Port: 80 }] }));
    const health = () => elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }));

    const registrations = await settle(Array.from({ length: 25 }, deregister));
    expect(registrations.ok).toBe(20);
    expect(registrations.rejected[0]).toMatchObject({ name: 'Throttling', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
    // The registration bucket (20) is dry, and 20 of the account bucket's 40 are gone: 20 describes left.
    const reads = await settle(Array.from({ length: 25 }, health));
    expect(reads.ok).toBe(20);
    expect(account.calls.filter((x) => x.operation === 'DescribeTargetHealth' && x.throttledBy).map((x) => x.throttledBy)).toEqual(
      Array(5).fill('elbv2:account'),
    );
  });

  it('answers EC2 throttling as RequestLimitExceeded, per API, with a smaller bucket for unfiltered DescribeInstances', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account);
    const { ec2 } = once(account);
    const unfiltered = await settle(Array.from({ length: 60 }, () => ec2.send(new DescribeInstancesCommand({}))));
    expect(unfiltered.ok).toBe(50);
    expect(unfiltered.rejected[0]).toMatchObject({ name: 'RequestLimitExceeded', message: 'Request limit exceeded.' });
    const filtered = await settle(
      Array.from({ length: 100 }, () =>
        ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: [c.instances[0]!.instanceId] }] })),
      ),
    );
    expect(filtered.ok).toBe(100);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [c.instances[1]!.instanceId] }));
  });

  it('can be switched off, resized per bucket, or given to a service that has none by default', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account);
    const { ecs, sqs } = once(account);
    const list = () => ecs.send(new ListTasksCommand({ cluster: c.cluster }));

    account.rateLimits.enabled = false;
    expect((await settle(Array.from({ length: 150 }, list))).ok).toBe(150);

    account.rateLimits.enabled = true;
    account.rateLimits.set('ecs:cluster-resource-read', { capacity: 2, refillPerSecond: 1 });
    expect((await settle(Array.from({ length: 3 }, list))).ok).toBe(2);
    account.rateLimits.set('ecs:cluster-resource-read', null);
    expect((await settle(Array.from({ length: 150 }, list))).ok).toBe(150);

    const queueUrl = account.sqs.createQueue('q');
    const send = () => sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' }));
    expect((await settle(Array.from({ length: 150 }, send))).ok).toBe(150); // SQS: "nearly unlimited"
    account.rateLimits.set('sqs:SendMessage', { capacity: 1, refillPerSecond: 1 });
    const sqsWave = await settle([send(), send()]);
    expect(sqsWave.rejected[0]).toMatchObject({ name: 'RequestThrottled' });

    account.rateLimits.reset();
    expect(account.rateLimits.tokens('ecs:cluster-resource-read', { service: 'ecs', operation: 'ListTasks' })).toBe(100);
  });

  it('keeps the random throttling knob, answering each service its own throttling error', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account);
    account.faults.throttleRate = 1;
    const { ecs, elbv2, ec2 } = once(account);
    await expect(ecs.send(new ListTasksCommand({ cluster: c.cluster }))).rejects.toMatchObject({ name: 'ThrottlingException' });
    await expect(elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: c.targetGroups.api }))).rejects.toMatchObject({
      name: 'Throttling',
    });
    await expect(ec2.send(new DescribeInstancesCommand({}))).rejects.toMatchObject({ name: 'RequestLimitExceeded' });
    expect(account.calls.every((x) => x.throttledBy === undefined)).toBe(true);
  });

  it('costs simulated time: with the SDK retrying, a wave of 150 reads all succeeds, seconds later on the virtual clock', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account);
    const startedAt = account.clock.now();
    const { ecs } = account.clients();

    const wave = await settle(
      Array.from({ length: 150 }, () => ecs.send(new DescribeTasksCommand({ cluster: c.cluster, tasks: [c.tasks.batch] }))),
    );

    expect(wave.ok).toBe(150);
    expect(account.calls.some((x) => x.throttledBy === 'ecs:cluster-resource-read')).toBe(true);
    // 50 calls over the burst need 50 / 20 per s = 2.5 s of refill at least.
    expect(account.clock.now() - startedAt).toBeGreaterThanOrEqual(2_500);
  });
});
