import {
  AttributeLimitExceededException,
  DeleteAttributesCommand,
  DescribeContainerInstancesCommand,
  InvalidParameterException,
  PutAttributesCommand,
  TagResourceCommand,
  TargetNotFoundException,
} from '@aws-sdk/client-ecs';
import { SimulatedAccount } from '../../sim/account';
import { buildCapacityCluster } from '../../sim/builders-capacity';

function world() {
  const account = new SimulatedAccount();
  const built = buildCapacityCluster(account, { backend: 'asg', instances: 2, tasksPerInstance: 0 });
  const ecs = account.clients().ecs;
  const arn = built.instances[0]!.containerInstanceArn;
  const custom = async () => {
    const d = await ecs.send(new DescribeContainerInstancesCommand({ cluster: built.cluster, containerInstances: [arn] }));
    return (d.containerInstances![0]!.attributes ?? []).filter((a) => !a.name!.startsWith('ecs.'));
  };
  return { account, built, ecs, arn, custom };
}

describe('simulated ECS: custom attributes on container instances', () => {
  it('puts, overwrites and deletes an attribute; DescribeContainerInstances returns it beside the ecs.* ones', async () => {
    const { built, ecs, arn, custom } = world();
    const put = (value: string) =>
      ecs.send(new PutAttributesCommand({ cluster: built.cluster, attributes: [{ name: 'team.mark', value, targetId: arn }] }));
    await put('2026-01-01T00:00:00.000Z');
    await put('2026-01-02T00:00:00.000Z');
    expect(await custom()).toEqual([{ name: 'team.mark', value: '2026-01-02T00:00:00.000Z' }]);
    await ecs.send(new DeleteAttributesCommand({ cluster: built.cluster, attributes: [{ name: 'team.mark', targetId: arn }] }));
    expect(await custom()).toEqual([]);
  });

  it('is not written by tagging: a tag of the same meaning leaves the attributes as they were', async () => {
    const { ecs, arn, custom } = world();
    await ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'team.mark', value: 'x' }] }));
    expect(await custom()).toEqual([]);
  });

  it('refuses a name with a colon, a value with a leading space, and a short id without targetType, as ECS documents', async () => {
    const { built, ecs, arn } = world();
    const put = (a: { name: string; value: string; targetId: string; targetType?: 'container-instance' }) =>
      ecs.send(new PutAttributesCommand({ cluster: built.cluster, attributes: [a] }));
    await expect(put({ name: 'team:mark', value: 'v', targetId: arn })).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(put({ name: 'team.mark', value: ' v', targetId: arn })).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(put({ name: 'team.mark', value: 'v', targetId: arn.split('/').pop()! })).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      put({ name: 'team.mark', value: 'v', targetId: arn.split('/').pop()!, targetType: 'container-instance' }),
    ).resolves.toBeDefined();
  });

  it('allows 10 custom attributes per container instance (AttributeLimitExceededException beyond), all or none', async () => {
    const { built, ecs, arn, custom } = world();
    const attrs = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ name: `a${from + i}`, value: 'v', targetId: arn }));
    await ecs.send(new PutAttributesCommand({ cluster: built.cluster, attributes: attrs(0, 9) }));
    await expect(ecs.send(new PutAttributesCommand({ cluster: built.cluster, attributes: attrs(9, 2) }))).rejects.toBeInstanceOf(
      AttributeLimitExceededException,
    );
    expect(await custom()).toHaveLength(9);
  });

  it('answers TargetNotFoundException for a container instance not in the named cluster', async () => {
    const { account, ecs, arn } = world();
    account.ecs.createCluster('other');
    await expect(
      ecs.send(new PutAttributesCommand({ cluster: 'other', attributes: [{ name: 'team.mark', value: 'v', targetId: arn }] })),
    ).rejects.toBeInstanceOf(TargetNotFoundException);
  });
});
