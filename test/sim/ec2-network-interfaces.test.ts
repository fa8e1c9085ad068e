import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { SimulatedAccount } from '../../sim/account';
import { container, joinInstances, M5_LARGE } from '../../sim/builders-common';

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: Error) => ({ name: e.name, message: e.message }),
  );

/** An instance in cluster `c` running one awsvpc task (its own ENI and IP). */
function world() {
  const account = new SimulatedAccount();
  account.ecs.createCluster('c');
  const [host] = joinInstances(account, 'c', 1, M5_LARGE, { lifecycle: 'on-demand' });
  const def = account.ecs.registerTaskDefinition({
    family: 'api',
    networkMode: 'awsvpc',
    containerDefinitions: [container('api', 'app', 128, 256, [80])],
  });
  const taskArn = account.ecs.startTask({
    cluster: 'c',
    containerInstanceArn: host!.containerInstanceArn,
    taskDefinition: def.taskDefinitionArn!,
  });
  const taskIp = account.ecs.task(taskArn)!.eni!.privateIp;
  return { account, host: host!, taskArn, taskIp, ec2: account.clients({ maxAttempts: 1 }).ec2 };
}

const byAddress = (ips: string[]) =>
  new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'addresses.private-ip-address', Values: ips }], MaxResults: 1000 });

describe('simulated EC2 network interfaces', () => {
  it('finds the interface holding any of its IPs (addresses.private-ip-address): an instance, an awsvpc task, a secondary IP', async () => {
    const { account, host, taskIp, ec2 } = world();
    const extra = account.ec2.networkInterfaces.create({ instanceId: host.instanceId, secondaryCount: 1 });
    const secondary = extra.privateIps[1]!;
    const out = await ec2.send(byAddress([host.privateIp, taskIp, secondary, '10.9.9.9']));
    const held = out.NetworkInterfaces!.flatMap((n) => n.PrivateIpAddresses!.map((a) => a.PrivateIpAddress)).sort();
    expect(held).toEqual([host.privateIp, taskIp, ...extra.privateIps].sort());
    const task = out.NetworkInterfaces!.find((n) => n.PrivateIpAddress === taskIp)!;
    expect(task).toMatchObject({ Status: 'in-use', RequesterManaged: true, Attachment: { InstanceId: host.instanceId } });
    expect(task.Description).toMatch(/^arn:aws:ecs:.*:attachment\//);
    // The primary-only filter does not see a secondary IP.
    const primary = await ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'private-ip-address', Values: [secondary] }] }),
    );
    expect(primary.NetworkInterfaces).toEqual([]);
  });

  it("forgets a stopped task's interface and a terminated instance's", async () => {
    const { account, host, taskArn, taskIp, ec2 } = world();
    account.ecs.tasks.stop(account.ecs.tasks.get(taskArn)!, { by: 'api', reason: 'test', stopCode: 'UserInitiated' });
    account.advance(60_000);
    expect((await ec2.send(byAddress([taskIp]))).NetworkInterfaces).toEqual([]);
    account.ec2.terminate(host.instanceId, 'api');
    expect((await ec2.send(byAddress([host.privateIp]))).NetworkInterfaces).toEqual([]);
  });

  it('refuses MaxResults out of 5-1000, with NetworkInterfaceIds, and an unknown filter', async () => {
    const { ec2 } = world();
    expect(await errorOf(ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 1001 })))).toMatchObject({
      name: 'InvalidParameterValue',
    });
    expect(
      await errorOf(ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 5, NetworkInterfaceIds: ['eni-0abc'] }))),
    ).toMatchObject({
      name: 'InvalidParameterCombination',
    });
    expect(await errorOf(ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'nope', Values: ['x'] }] })))).toMatchObject({
      name: 'InvalidParameterValue',
    });
  });
});
