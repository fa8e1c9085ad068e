import { DescribeClustersCommand, ListTasksCommand, ServerException, StopTaskCommand } from '@aws-sdk/client-ecs';
import { DeregisterTargetsCommand, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SimulatedAccount } from '../../sim/account';
import { buildSpotCluster } from '../../sim/builders';
import { serverError } from '../../sim/errors';

function world() {
  const account = new SimulatedAccount();
  const c = buildSpotCluster(account);
  return { account, c, t0: account.clock.now() };
}

describe('outage windows (failDuring)', () => {
  it('ListTasks answers 500 for 70 s: every attempt inside the window fails, the first one after it succeeds', async () => {
    const { account, c, t0 } = world();
    account.failDuring('ecs', 'ListTasks', () => serverError('ecs'), { from: t0, to: t0 + 70_000 });
    const { ecs } = account.clients();

    const err = await ecs.send(new ListTasksCommand({ cluster: c.cluster })).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ServerException);
    expect(err).toMatchObject({ $fault: 'server', $metadata: { httpStatusCode: 500, attempts: 8 } });
    expect(account.clock.now()).toBeLessThan(t0 + 70_000); // the SDK's backoff ran out first
    await ecs.send(new DescribeClustersCommand({ clusters: [c.cluster] })); // other operations are up
    account.advance(t0 + 70_000 - account.clock.now());
    expect((await ecs.send(new ListTasksCommand({ cluster: c.cluster }))).taskArns!.length).toBeGreaterThan(0);
  });

  it('DeregisterTargets answers 503 ServiceUnavailable for 60 s; DescribeTargetHealth still answers', async () => {
    const { account, c, t0 } = world();
    account.failDuring('elbv2', 'DeregisterTargets', () => serverError('elbv2'), { from: t0, to: t0 + 60_000 });
    const { elbv2 } = account.clients({ maxAttempts: 1 });
    const target = account.elbv2.currentTargets(c.targetGroups.frontend)[0]!;
    const deregister = () =>
      elbv2.send(
        new DeregisterTargetsCommand({ TargetGroupArn: c.targetGroups.frontend, Targets: [{ Id: target.id, Port: target.port }] }),
      );

    await expect(deregister()).rejects.toMatchObject({ name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503 } });
    await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: c.targetGroups.frontend }));
    account.advance(59_999);
    await expect(deregister()).rejects.toMatchObject({ name: 'ServiceUnavailable' });
    account.advance(1);
    await deregister();
    expect(account.elbv2.currentTargets(c.targetGroups.frontend).find((t) => t.id === target.id && t.port === target.port)?.state).toBe(
      'draining',
    );
  });

  it('StopTask answers 500 for 300 ms: the SDK retries outlast the window and the call gets through', async () => {
    const { account, c, t0 } = world();
    account.failDuring('ecs', 'StopTask', () => serverError('ecs', 'internal'), { from: t0, to: t0 + 300 });
    const { ecs } = account.clients();

    const out = await ecs.send(new StopTaskCommand({ cluster: c.cluster, task: c.tasks.batch }));

    expect(out.task!.desiredStatus).toBe('STOPPED');
    expect(out.$metadata.attempts).toBeGreaterThan(1);
    expect(account.clock.now()).toBeGreaterThanOrEqual(t0 + 300);
    expect(account.calls.filter((x) => x.operation === 'StopTask').map((x) => x.error)).toContain('ServerException');
  });

  it("all of ECS down for 15 min ('*'); ELBv2 unaffected; up again at the end", async () => {
    const { account, c, t0 } = world();
    account.failDuring('ecs', '*', () => serverError('ecs'), { from: t0 + 60_000, to: t0 + 60_000 + 15 * 60_000 });
    const { ecs, elbv2 } = account.clients({ maxAttempts: 1 });

    await ecs.send(new ListTasksCommand({ cluster: c.cluster })); // before the window
    account.advance(60_000);
    for (const cmd of [new ListTasksCommand({ cluster: c.cluster }), new DescribeClustersCommand({ clusters: [c.cluster] })]) {
      await expect(ecs.send(cmd as ListTasksCommand)).rejects.toBeInstanceOf(ServerException);
    }
    await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: c.targetGroups.api }));
    account.advance(15 * 60_000);
    await ecs.send(new DescribeClustersCommand({ clusters: [c.cluster] }));
  });

  it('refuses an empty window', () => {
    const { account, t0 } = world();
    expect(() => account.failDuring('ecs', '*', () => serverError('ecs'), { from: t0, to: t0 })).toThrow(/empty window/);
  });
});
