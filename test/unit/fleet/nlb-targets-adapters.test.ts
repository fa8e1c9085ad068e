import { Ec2PrivateIpsAdapter } from '../../../shared/aws/ec2-private-ips';
import { IpTargetsAdapter } from '../../../shared/aws/elbv2-ip-targets';
import { SimulatedAccount } from '../../../sim/account';

const inputs = (account: SimulatedAccount, operation: string) =>
  account.calls.filter((c) => c.operation === operation).map((c) => c.input as Record<string, unknown>);

describe('nlbTargetSync adapters: request shapes', () => {
  it('registers and deregisters ip targets 100 a call, with their ports', async () => {
    const account = new SimulatedAccount();
    const tg = account.elbv2.createTargetGroup({ name: 'fluentd', targetType: 'ip', port: 24224, protocol: 'TCP' });
    const adapter = new IpTargetsAdapter(account.clients().elbv2);
    const targets = Array.from({ length: 250 }, (_, i) => ({ ip: `10.0.${Math.floor(i / 200)}.${(i % 200) + 1}`, port: 24224 }));

    expect(await adapter.register(tg, targets)).toEqual([]);
    expect(inputs(account, 'RegisterTargets').map((i) => (i.Targets as unknown[]).length)).toEqual([100, 100, 50]);
    expect(inputs(account, 'RegisterTargets')[0]!.Targets).toContainEqual({ Id: '10.0.0.1', Port: 24224 });
    expect(await adapter.health(tg)).toHaveLength(250);

    expect(await adapter.deregister(tg, targets.slice(0, 120))).toEqual([]);
    expect(inputs(account, 'DeregisterTargets').map((i) => (i.Targets as unknown[]).length)).toEqual([100, 20]);
  });

  it("answers a refused chunk as a failure with AWS's words and still sends the next", async () => {
    const account = new SimulatedAccount();
    account.elbv2.targetsPerGroupQuota = 150;
    const tg = account.elbv2.createTargetGroup({ name: 'fluentd', targetType: 'ip', port: 24224, protocol: 'TCP' });
    const adapter = new IpTargetsAdapter(account.clients().elbv2);
    const targets = Array.from({ length: 200 }, (_, i) => ({ ip: `10.1.0.${i + 1}`, port: 24224 }));
    const failures = await adapter.register(tg, targets);
    expect(failures).toEqual([
      { targets: targets.slice(100), reason: "TooManyTargetsException: You've reached the limit on the number of targets." },
    ]);
    expect(account.elbv2.currentTargets(tg)).toHaveLength(100);
  });

  it('reads private IPs with filters, 200 values a call and 1,000 a page, unknown ids no error', async () => {
    const account = new SimulatedAccount();
    const launched = Array.from({ length: 450 }, () => account.ec2.launchInstance());
    const adapter = new Ec2PrivateIpsAdapter(account.clients().ec2);
    const found = await adapter.byInstanceIds([...launched.map((l) => l.instanceId), 'i-0ffffffffffffffff']);
    expect(found).toHaveLength(450);
    const calls = inputs(account, 'DescribeInstances');
    expect(calls.map((i) => (i.Filters as Array<{ Values: string[] }>)[0]!.Values.length)).toEqual([200, 200, 51]);
    for (const c of calls) expect(c).toMatchObject({ MaxResults: 1000 });
    expect(calls.every((c) => c.InstanceIds === undefined)).toBe(true);
  });

  it('tells which IPs a live instance holds, a terminated one holding none', async () => {
    const account = new SimulatedAccount();
    const live = account.ec2.launchInstance();
    const gone = account.ec2.launchInstance();
    account.ec2.terminate(gone.instanceId, 'api');
    const held = await new Ec2PrivateIpsAdapter(account.clients().ec2).heldIps([live.privateIp, gone.privateIp, '10.200.0.1']);
    expect([...held]).toEqual([live.privateIp]);
    expect(inputs(account, 'DescribeInstances')[0]!.Filters).toContainEqual({
      Name: 'instance-state-name',
      Values: ['pending', 'running', 'stopping', 'stopped'],
    });
  });
});
