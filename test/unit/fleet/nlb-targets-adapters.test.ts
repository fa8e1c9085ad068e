import { Ec2NetworkInterfacesAdapter } from '../../../shared/aws/ec2-network-interfaces';
import { Ec2PrivateIpsAdapter } from '../../../shared/aws/ec2-private-ips';
import { IpTargetsAdapter } from '../../../shared/aws/elbv2-ip-targets';
import { nlbTargetPorts, type NlbTargetPorts } from '../../../shared/fleet/nlb-targets/ports';
import { syncTargets } from '../../../shared/fleet/nlb-targets/run';
import { SimulatedAccount } from '../../../sim/account';
import { joinInstances, M5_LARGE } from '../../../sim/builders-common';
import { recordingLogger } from '../../support/recorders';

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

  it('tells which IPs a network interface holds (any interface, any of its IPs), 200 values a call; a terminated instance holds none', async () => {
    const account = new SimulatedAccount();
    const live = account.ec2.launchInstance();
    const gone = account.ec2.launchInstance();
    const secondary = account.ec2.networkInterfaces.create({ instanceId: live.instanceId, secondaryCount: 1 }).privateIps[1]!;
    account.ec2.terminate(gone.instanceId, 'api');
    const others = Array.from({ length: 250 }, (_, i) => `10.250.${Math.floor(i / 200)}.${(i % 200) + 1}`);
    const held = await new Ec2NetworkInterfacesAdapter(account.clients().ec2).heldIps([
      live.privateIp,
      gone.privateIp,
      secondary,
      ...others,
    ]);
    expect([...held].sort()).toEqual([live.privateIp, secondary].sort());
    const calls = inputs(account, 'DescribeNetworkInterfaces');
    expect(calls.map((c) => (c.Filters as Array<{ Name: string; Values: string[] }>)[0]!)).toEqual([
      expect.objectContaining({ Name: 'addresses.private-ip-address' }),
      expect.objectContaining({ Name: 'addresses.private-ip-address' }),
    ]);
    expect(calls.map((c) => (c.Filters as Array<{ Values: string[] }>)[0]!.Values.length)).toEqual([200, 53]);
    for (const c of calls) expect(c).toMatchObject({ MaxResults: 1000 });
  });

  it("reports DescribeContainerInstances' per-item failures in the binding's failures (outcome partial), never drops them", async () => {
    const account = new SimulatedAccount();
    account.ecs.createCluster('web');
    const tg = account.elbv2.createTargetGroup({ name: 'fluentd', targetType: 'ip', port: 24224, protocol: 'TCP' });
    joinInstances(account, 'web', 2, M5_LARGE, { lifecycle: 'on-demand' });
    const real = nlbTargetPorts(account.clients());
    const ports: NlbTargetPorts = {
      ...real,
      clusterInstances: async (cluster, o) => {
        const { instances } = await real.clusterInstances(cluster, o);
        return { instances: instances.slice(1), failures: [`DescribeContainerInstances ${instances[0]!.containerInstanceArn}: MISSING`] };
      },
    };
    const config = {
      bindings: [{ cluster: 'web', targetGroupArn: tg, port: 24224 }],
      prune: false,
      dryRun: false,
      deadLetterQueueName: 'dlq',
    };
    const report = await syncTargets(
      { ports, clock: account.clock, log: recordingLogger() },
      config,
      { kind: 'reconcile', eventId: 'e' },
      Infinity,
    );
    expect(report.bindings[0]).toMatchObject({ outcome: 'partial', registered: 1, failures: [expect.stringMatching(/MISSING/)] });
  });
});
