import {
  ClusterNotFoundException,
  DescribeContainerInstancesCommand,
  InvalidParameterException,
  ListContainerInstancesCommand,
  paginateListContainerInstances,
  StopTaskCommand,
  UpdateContainerInstancesStateCommand,
} from '@aws-sdk/client-ecs';
import { SimulatedAccount } from '../../sim/account';
import { buildSpotCluster } from '../../sim/builders';

function manyInstances(n: number) {
  const account = new SimulatedAccount();
  account.ecs.createCluster('big');
  const ids = Array.from({ length: n }, () => {
    const { instanceId } = account.ec2.launchInstance({ lifecycle: 'on-demand' });
    return {
      instanceId,
      arn: account.ecs.registerContainerInstance({ cluster: 'big', ec2InstanceId: instanceId, cpu: 1024, memory: 2048 }),
    };
  });
  return { account, ecs: account.clients().ecs, ids };
}

const resource = (list: Array<{ name?: string; integerValue?: number }> | undefined, name: string) =>
  list?.find((r) => r.name === name)?.integerValue;

describe('simulated ECS container instances', () => {
  it('pages ListContainerInstances 100 at a time and finds one instance with the ec2InstanceId filter, spaces or not', async () => {
    const { ecs, ids } = manyInstances(250);
    const pages: number[] = [];
    for await (const p of paginateListContainerInstances({ client: ecs, pageSize: 100 }, { cluster: 'big' }))
      pages.push(p.containerInstanceArns!.length);
    expect(pages).toEqual([100, 100, 50]);

    const target = ids[137]!;
    for (const filter of [`ec2InstanceId == ${target.instanceId}`, `ec2InstanceId==${target.instanceId}`]) {
      const out = await ecs.send(new ListContainerInstancesCommand({ cluster: 'big', filter }));
      expect(out.containerInstanceArns).toEqual([target.arn]);
      expect(out.nextToken).toBeUndefined();
    }
    const none = await ecs.send(new ListContainerInstancesCommand({ cluster: 'big', filter: 'ec2InstanceId == i-0000000000000000' }));
    expect(none.containerInstanceArns).toEqual([]);
  });

  it('filters by status and never lists INACTIVE (deregistered) instances', async () => {
    const { account, ecs, ids } = manyInstances(3);
    await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'big', containerInstances: [ids[0]!.arn], status: 'DRAINING' }));
    account.ec2.terminate(ids[1]!.instanceId, 'api');
    expect((await ecs.send(new ListContainerInstancesCommand({ cluster: 'big', status: 'DRAINING' }))).containerInstanceArns).toEqual([
      ids[0]!.arn,
    ]);
    expect((await ecs.send(new ListContainerInstancesCommand({ cluster: 'big' }))).containerInstanceArns).toEqual([
      ids[0]!.arn,
      ids[2]!.arn,
    ]);
    const inactive = new ListContainerInstancesCommand({ cluster: 'big', status: 'INACTIVE' as 'ACTIVE' });
    await expect(ecs.send(inactive)).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('answers ClusterNotFoundException for an unknown cluster and InvalidParameterException for maxResults 101', async () => {
    const { ecs } = manyInstances(1);
    await expect(ecs.send(new ListContainerInstancesCommand({ cluster: 'nope' }))).rejects.toBeInstanceOf(ClusterNotFoundException);
    await expect(ecs.send(new ListContainerInstancesCommand({ cluster: 'big', maxResults: 101 }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
  });

  it('enforces 100 per DescribeContainerInstances and 10 per UpdateContainerInstancesState with AWS wording', async () => {
    const { ecs, ids } = manyInstances(101);
    const arns = ids.map((i) => i.arn);
    // AWS names the field instanceIds in its answer, not containerInstances (sim/limits.ts cites where it was seen).
    await expect(ecs.send(new DescribeContainerInstancesCommand({ cluster: 'big', containerInstances: arns }))).rejects.toThrow(
      'instanceIds can have at most 100 items.',
    );
    await expect(
      ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'big', containerInstances: arns.slice(0, 11), status: 'DRAINING' })),
    ).rejects.toThrow('instanceIds can have at most 10 items.');
    const ok = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'big', containerInstances: arns.slice(0, 100) }));
    expect(ok.containerInstances).toHaveLength(100);
  });

  it('reports unknown instances as MISSING and treats DRAINING twice as success', async () => {
    const { ecs, ids } = manyInstances(2);
    const refs = [ids[0]!.arn, 'arn:aws:ecs:eu-west-1:123456789012:container-instance/big/unknown'];
    for (let i = 0; i < 2; i++) {
      const out = await ecs.send(
        new UpdateContainerInstancesStateCommand({ cluster: 'big', containerInstances: refs, status: 'DRAINING' }),
      );
      expect(out.containerInstances?.map((c) => c.status)).toEqual(['DRAINING']);
      expect(out.failures).toEqual([{ arn: refs[1], reason: 'MISSING' }]);
    }
  });

  it('reports remaining CPU/memory as registered minus every task not yet STOPPED', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account);
    const { ecs } = account.clients();
    const first = c.instances[0]!;
    const describe = async () =>
      (await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'web', containerInstances: [first.containerInstanceArn] })))
        .containerInstances![0]!;
    let ci = await describe();
    // 2 × frontend (256/512) + api (512/1024) + worker (256/512) + batch (512/1024)
    expect(resource(ci.registeredResources, 'CPU')).toBe(2048);
    expect(resource(ci.remainingResources, 'CPU')).toBe(2048 - 1792);
    expect(resource(ci.remainingResources, 'MEMORY')).toBe(7680 - 3584);
    expect(ci.runningTasksCount).toBe(5);

    await ecs.send(new StopTaskCommand({ cluster: 'web', task: c.tasks.batch }));
    ci = await describe();
    expect(resource(ci.remainingResources, 'CPU')).toBe(256); // still stopping: still reserved
    account.advance(1_000);
    ci = await describe();
    expect(resource(ci.remainingResources, 'CPU')).toBe(256 + 512);
    expect(ci.runningTasksCount).toBe(4);
  });
});
