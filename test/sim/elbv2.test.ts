import {
  DeregisterTargetsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  InvalidConfigurationRequestException,
  ModifyTargetGroupAttributesCommand,
  paginateDescribeTargetGroups,
  RegisterTargetsCommand,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { SimulatedAccount } from '../../sim/account';

function setup(delaySeconds = 30) {
  const account = new SimulatedAccount();
  const { instanceId } = account.ec2.launchInstance();
  const tg = account.elbv2.createTargetGroup({ name: 'web', targetType: 'instance', port: 80, deregistrationDelaySeconds: delaySeconds });
  return { account, elbv2: account.clients().elbv2, instanceId, tg };
}

const health = async (account: SimulatedAccount, tg: string, targets?: Array<{ Id: string; Port: number }>) =>
  (await account.clients().elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg, Targets: targets }))).TargetHealthDescriptions!;

describe('simulated ELBv2', () => {
  it('registers a target initial, healthy after the health check delay', async () => {
    const { account, elbv2, instanceId, tg } = setup();
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: instanceId, Port: 32768 }] }));
    expect((await health(account, tg))[0]!.TargetHealth).toEqual({
      State: 'initial',
      Reason: 'Elb.RegistrationInProgress',
      Description: 'Target registration is in progress',
    });
    account.advance(5_000);
    expect((await health(account, tg))[0]!.TargetHealth).toEqual({ State: 'healthy' });
  });

  it('keeps a deregistered target draining for exactly the deregistration delay, then reports it not registered', async () => {
    const { account, elbv2, instanceId, tg } = setup(30);
    const target = { Id: instanceId, Port: 32768 };
    account.elbv2.registerTarget(tg, { id: instanceId, port: 32768 }, { by: 'ecs', healthy: true });
    const start = account.clock.now();
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: [target] }));
    expect((await health(account, tg, [target]))[0]!.TargetHealth).toMatchObject({
      State: 'draining',
      Reason: 'Target.DeregistrationInProgress',
    });

    account.advance(29_999);
    expect((await health(account, tg, [target]))[0]!.TargetHealth!.State).toBe('draining');
    account.advance(1);
    expect((await health(account, tg, [target]))[0]).toMatchObject({
      Target: target,
      TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered' },
    });
    expect(await health(account, tg)).toEqual([]); // without Targets: only what is in the group

    const [record] = account.elbv2.targetHistory(tg);
    expect(record).toMatchObject({ deregisterRequestedAt: start, deregisteredBy: 'api', drainedAt: start + 30_000, state: 'removed' });
  });

  it('treats deregistering an unregistered or already draining target as a successful no-op', async () => {
    const { account, elbv2, instanceId, tg } = setup(30);
    account.elbv2.registerTarget(tg, { id: instanceId, port: 80 }, { by: 'ecs', healthy: true });
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: instanceId, Port: 80 }] }));
    account.advance(20_000);
    // A repeated drain must not restart the delay.
    await elbv2.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: tg,
        Targets: [
          { Id: instanceId, Port: 80 },
          { Id: 'i-0ffffffffffffffff', Port: 80 },
        ],
      }),
    );
    account.advance(10_000);
    expect((await health(account, tg, [{ Id: instanceId, Port: 80 }]))[0]!.TargetHealth!.State).toBe('unused');
    expect(account.elbv2.targetHistory(tg)).toHaveLength(1);
  });

  it('answers TargetGroupNotFoundException for an unknown group', async () => {
    const { elbv2 } = setup();
    const arn = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/gone/0123456789abcdef';
    await expect(elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: 'i-1' }] }))).rejects.toBeInstanceOf(
      TargetGroupNotFoundException,
    );
    await expect(elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))).rejects.toBeInstanceOf(TargetGroupNotFoundException);
  });

  it('identifies a target by id and port: another port of the same instance stays healthy', async () => {
    const { account, elbv2, instanceId, tg } = setup(30);
    account.elbv2.registerTarget(tg, { id: instanceId, port: 32768 }, { by: 'ecs', healthy: true });
    account.elbv2.registerTarget(tg, { id: instanceId, port: 32769 }, { by: 'ecs', healthy: true });
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: instanceId, Port: 32768 }] }));
    const states = (await health(account, tg)).map((d) => [d.Target!.Port, d.TargetHealth!.State]);
    expect(states).toEqual([
      [32768, 'draining'],
      [32769, 'healthy'],
    ]);
  });

  it('reads and changes deregistration_delay.timeout_seconds, and drains with the new value', async () => {
    const { account, elbv2, instanceId, tg } = setup(300);
    const read = await elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg }));
    expect(read.Attributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '300' });
    await elbv2.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: tg,
        Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '5' }],
      }),
    );
    await expect(
      elbv2.send(
        new ModifyTargetGroupAttributesCommand({
          TargetGroupArn: tg,
          Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '3601' }],
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidConfigurationRequestException);

    account.elbv2.registerTarget(tg, { id: instanceId, port: 80 }, { by: 'ecs', healthy: true });
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: instanceId, Port: 80 }] }));
    account.advance(5_000);
    expect((await health(account, tg, [{ Id: instanceId, Port: 80 }]))[0]!.TargetHealth!.State).toBe('unused');
  });

  it('describes target groups by ARN (at most 20), by name and by load balancer, paging with Marker', async () => {
    const account = new SimulatedAccount();
    const lb = account.elbv2.createLoadBalancer('alb');
    const arns = Array.from({ length: 25 }, (_, i) =>
      account.elbv2.createTargetGroup({
        name: `tg-${i}`,
        targetType: i % 2 ? 'ip' : 'instance',
        port: 80,
        loadBalancerArns: i < 7 ? [lb] : [],
      }),
    );
    const { elbv2 } = account.clients();
    await expect(elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: arns.slice(0, 21) }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
    const byArn = await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: arns.slice(0, 20) }));
    expect(byArn.TargetGroups).toHaveLength(20);
    expect(byArn.TargetGroups![1]).toMatchObject({ TargetGroupName: 'tg-1', TargetType: 'ip', Port: 80, Protocol: 'HTTP' });
    const byName = await elbv2.send(new DescribeTargetGroupsCommand({ Names: ['tg-3'] }));
    expect(byName.TargetGroups!.map((g) => g.TargetGroupArn)).toEqual([arns[3]]);
    await expect(elbv2.send(new DescribeTargetGroupsCommand({ Names: ['nope'] }))).rejects.toBeInstanceOf(TargetGroupNotFoundException);

    const seen: string[] = [];
    let pages = 0;
    for await (const p of paginateDescribeTargetGroups({ client: elbv2 }, { LoadBalancerArn: lb, PageSize: 3 })) {
      pages += 1;
      seen.push(...p.TargetGroups!.map((g) => g.TargetGroupName!));
    }
    expect(seen).toEqual(['tg-0', 'tg-1', 'tg-2', 'tg-3', 'tg-4', 'tg-5', 'tg-6']);
    expect(pages).toBe(3);
  });
});
