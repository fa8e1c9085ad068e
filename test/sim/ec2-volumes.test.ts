import { CreateTagsCommand, DeleteTagsCommand, DeleteVolumeCommand, DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import { SimulatedAccount } from '../../sim/account';

const clients = (account: SimulatedAccount) => account.clients({ maxAttempts: 1 });
const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: Error) => ({ name: e.name, message: e.message }),
  );

describe('simulated EBS volumes', () => {
  it('keeps a volume attached with DeleteOnTermination=false when its instance terminates, and deletes one with true', async () => {
    const account = new SimulatedAccount();
    const { instanceId } = account.ec2.launchInstance({ lifecycle: 'spot' });
    const kept = account.ec2.volumes.create({ attachTo: { instanceId, deleteOnTermination: false } });
    const gone = account.ec2.volumes.create({ attachTo: { instanceId, deleteOnTermination: true } });
    const { ec2 } = clients(account);
    const before = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [kept] }));
    expect(before.Volumes![0]).toMatchObject({ State: 'in-use', Attachments: [{ InstanceId: instanceId, DeleteOnTermination: false }] });

    account.advance(60_000);
    account.ec2.terminate(instanceId, 'spot');
    const after = await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'volume-id', Values: [kept, gone] }] }));
    expect(after.Volumes!.map((v) => [v.VolumeId, v.State, v.Attachments])).toEqual([
      [kept, 'available', []],
      [gone, 'deleting', []],
    ]);
    account.advance(10_000);
    expect(account.ec2.volumes.volume(gone)).toBeUndefined();
  });

  it('filters by status, tag:<key> (with wildcards) and tag-key', async () => {
    const account = new SimulatedAccount();
    const { instanceId } = account.ec2.launchInstance();
    const a = account.ec2.volumes.create({ tags: { owner: 'web' } });
    const b = account.ec2.volumes.create({ tags: { owner: 'web-batch' }, attachTo: { instanceId } });
    account.ec2.volumes.create({ tags: { team: 'x' } });
    const { ec2 } = clients(account);
    const ids = async (Filters: Array<{ Name: string; Values: string[] }>) =>
      ((await ec2.send(new DescribeVolumesCommand({ Filters }))).Volumes ?? []).map((v) => v.VolumeId);
    expect(await ids([{ Name: 'tag-key', Values: ['owner'] }])).toEqual([a, b]);
    expect(await ids([{ Name: 'tag:owner', Values: ['web'] }])).toEqual([a]);
    expect(await ids([{ Name: 'tag:owner', Values: ['web*'] }])).toEqual([a, b]);
    expect(
      await ids([
        { Name: 'tag-key', Values: ['owner'] },
        { Name: 'status', Values: ['available'] },
      ]),
    ).toEqual([a]);
    expect(await errorOf(ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'colour', Values: ['x'] }] })))).toEqual({
      name: 'InvalidParameterValue',
      message: "The filter 'colour' is invalid",
    });
  });

  it('pages at most 500 volumes with MaxResults, refuses fewer than 5 and MaxResults with VolumeIds, answers all without it', async () => {
    const account = new SimulatedAccount();
    const all = Array.from({ length: 1_203 }, () => account.ec2.volumes.create({ tags: { owner: 'web' } }));
    const { ec2 } = clients(account);
    const sizes: number[] = [];
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const out = await ec2.send(new DescribeVolumesCommand({ MaxResults: 1000, ...(NextToken ? { NextToken } : {}) }));
      sizes.push(out.Volumes!.length);
      seen.push(...out.Volumes!.map((v) => v.VolumeId!));
      NextToken = out.NextToken;
    } while (NextToken);
    expect(sizes).toEqual([500, 500, 203]);
    expect(seen).toEqual(all);
    expect((await ec2.send(new DescribeVolumesCommand({}))).Volumes).toHaveLength(1_203);
    expect(await errorOf(ec2.send(new DescribeVolumesCommand({ MaxResults: 4 })))).toMatchObject({ name: 'InvalidParameterValue' });
    expect(await errorOf(ec2.send(new DescribeVolumesCommand({ MaxResults: 5, VolumeIds: [all[0]!] })))).toMatchObject({
      name: 'InvalidParameterCombination',
    });
  });

  it('DeleteVolume refuses a volume in use and one it does not know, with AWS error codes', async () => {
    const account = new SimulatedAccount();
    const { instanceId } = account.ec2.launchInstance();
    const attached = account.ec2.volumes.create({ attachTo: { instanceId } });
    const { ec2 } = clients(account);
    expect(await errorOf(ec2.send(new DeleteVolumeCommand({ VolumeId: attached })))).toEqual({
      name: 'VolumeInUse',
      message: `Volume ${attached} is currently attached to ${instanceId}`,
    });
    expect(await errorOf(ec2.send(new DeleteVolumeCommand({ VolumeId: 'vol-0123456789abcdef0' })))).toEqual({
      name: 'InvalidVolume.NotFound',
      message: "The volume 'vol-0123456789abcdef0' does not exist.",
    });
    expect(account.ec2.volumes.volume(attached)?.state).toBe('in-use');
  });

  it('DeleteVolume takes an available volume through deleting to gone; VolumeIds naming it then answers InvalidVolume.NotFound', async () => {
    const account = new SimulatedAccount();
    const v = account.ec2.volumes.create();
    const { ec2 } = clients(account);
    await ec2.send(new DeleteVolumeCommand({ VolumeId: v }));
    expect((await ec2.send(new DescribeVolumesCommand({ VolumeIds: [v] }))).Volumes![0]!.State).toBe('deleting');
    account.advance(10_000);
    expect(await errorOf(ec2.send(new DescribeVolumesCommand({ VolumeIds: [v] })))).toMatchObject({ name: 'InvalidVolume.NotFound' });
    expect((await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'volume-id', Values: [v] }] }))).Volumes).toEqual([]);
  });

  it('CreateTags and DeleteTags act on vol- ids (DeleteTags with a value only when it matches)', async () => {
    const account = new SimulatedAccount();
    const v = account.ec2.volumes.create({ tags: { owner: 'web' } });
    const { ec2 } = clients(account);
    await ec2.send(
      new CreateTagsCommand({
        Resources: [v],
        Tags: [
          { Key: 'flushed', Value: 'yes' },
          { Key: 'owner', Value: 'api' },
        ],
      }),
    );
    expect(account.ec2.volumes.volume(v)!.tags).toEqual({ owner: 'api', flushed: 'yes' });
    await ec2.send(new DeleteTagsCommand({ Resources: [v], Tags: [{ Key: 'owner', Value: 'web' }, { Key: 'flushed' }] }));
    expect(account.ec2.volumes.volume(v)!.tags).toEqual({ owner: 'api' });
    expect(
      await errorOf(ec2.send(new CreateTagsCommand({ Resources: ['vol-0000000000000000f'], Tags: [{ Key: 'a', Value: 'b' }] }))),
    ).toMatchObject({ name: 'InvalidVolume.NotFound' });
  });
});
