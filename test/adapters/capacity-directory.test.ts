import { CLUSTER_TAG, FALLBACK_TAG, LAST_SCALE_OUT_TAG, SCALED_FOR_TAG } from '../../shared/tags';
import { CreateOrUpdateTagsCommand } from '@aws-sdk/client-auto-scaling';
import { InstanceTypesAdapter } from '../../shared/aws/ec2-instance-types';
import { BackendGoneError, backendDirectory } from '../../shared/capacity/backends';
import type { BackendKind, CapacityBackend } from '../../shared/capacity/ports';
import { SimulatedAccount } from '../../sim/account';
import { buildCapacityCluster } from '../../sim/builders';

describe('backendDirectory on the simulated account', () => {
  function account3() {
    const account = new SimulatedAccount();
    const tagged = (['asg', 'ec2Fleet', 'spotFleet'] as const).map((backend, i) =>
      buildCapacityCluster(account, { backend, cluster: `t${i}` }),
    );
    const untagged = (['asg', 'ec2Fleet', 'spotFleet'] as const).map((backend, i) =>
      buildCapacityCluster(account, { backend, cluster: `u${i}`, tagged: false }),
    );
    return { account, tagged, untagged, directory: backendDirectory(account.clients()) };
  }
  const summary = (found: Map<string, CapacityBackend[]>) =>
    Object.fromEntries([...found].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v.map((b) => [b.ref.kind, b.ref.id])]));

  it('finds tagged backends of all three kinds in one pass and skips untagged ones', async () => {
    const { account, tagged, directory } = account3();
    const found = await directory.discover(new Map());
    expect(summary(found)).toEqual(Object.fromEntries(tagged.map((c) => [c.cluster, [[c.backend.kind, c.backend.id]]])));
    expect(
      ['DescribeAutoScalingGroups', 'DescribeFleets', 'DescribeSpotFleetRequests'].map((op) =>
        account.countCalls(op.startsWith('DescribeAuto') ? 'autoscaling' : 'ec2', op),
      ),
    ).toEqual([1, 1, 1]);
    expect(account.calls.find((c) => c.operation === 'DescribeAutoScalingGroups')!.input).toMatchObject({
      Filters: [{ Name: 'tag-key', Values: [CLUSTER_TAG, FALLBACK_TAG, SCALED_FOR_TAG] }],
      MaxRecords: 100,
    });
    expect(found.get('t0')![0]!.ref.tags).toEqual({ [CLUSTER_TAG]: 't0' });
  });

  it('with tag discovery, finds a backend for the cluster its tag names and for the one we last scaled it for; config names ignore the memory', async () => {
    const { account, tagged, directory } = account3();
    const asg = tagged[0]!.backend.id;
    await account.clients().autoscaling.send(
      new CreateOrUpdateTagsCommand({
        Tags: [
          { ResourceId: asg, ResourceType: 'auto-scaling-group', Key: CLUSTER_TAG, Value: 'elsewhere', PropagateAtLaunch: false },
          { ResourceId: asg, ResourceType: 'auto-scaling-group', Key: SCALED_FOR_TAG, Value: 't0', PropagateAtLaunch: false },
        ],
      }),
    );
    const found = await directory.discover(new Map());
    expect(found.get('t0')!.map((b) => b.ref.id)).toEqual([asg]);
    expect(found.get('elsewhere')!.map((b) => b.ref.id)).toEqual([asg]);
    const named = await directory.discover(new Map([['t1', tagged[1]!.backend]]));
    expect([...named.keys()]).toEqual(['t1']);
  });

  it("reuses the pass's read: an ASG's first describe asks nothing more, a fleet's asks only for its instances", async () => {
    const { account, directory } = account3();
    const found = await directory.discover(new Map());
    const before = account.calls.length;
    expect((await found.get('t0')![0]!.describe()).counts.desired).toBe(2);
    expect((await found.get('t1')![0]!.describe()).counts.desired).toBe(2);
    expect(account.calls.slice(before).map((c) => c.operation)).toEqual(['DescribeFleetInstances']);
    await found.get('t0')![0]!.describe();
    expect(account.countCalls('autoscaling', 'DescribeAutoScalingGroups')).toBe(2);
  });

  it('adds backends named in config, even untagged; one AWS does not know is returned and its describe throws', async () => {
    const { untagged, directory } = account3();
    const named = new Map<string, { kind: BackendKind; id: string }>([
      ...untagged.map((c) => [c.cluster, c.backend] as const),
      ['gone', { kind: 'asg', id: 'no-such-group' }],
      ['t0', { kind: 'asg', id: 'ecs-t0' }], // also tagged: one backend, not two
    ]);
    const found = await directory.discover(named);
    for (const c of untagged) expect(found.get(c.cluster)!.map((b) => b.ref.id)).toEqual([c.backend.id]);
    expect(found.get('t0')).toHaveLength(1);
    await expect(found.get('gone')![0]!.describe()).rejects.toBeInstanceOf(BackendGoneError);
    expect((await found.get('u1')![0]!.describe()).counts.inService).toBe(2);
  });

  it('a cluster tagged on two backends gets both (the caller reports it)', async () => {
    const { account, tagged, directory } = account3();
    account.ec2.fleets.fleet(tagged[1]!.backend.id)!.tags[CLUSTER_TAG] = 't0';
    const found = await directory.discover(new Map());
    expect(found.get('t0')!.map((b) => b.ref.kind)).toEqual(['asg', 'ec2Fleet']);
    expect(found.has('t1')).toBe(false);
  });

  it('recordAction on a discovered backend is seen by the next discovery', async () => {
    const { account, directory } = account3();
    const at = Date.parse('2026-12-01T10:00:00Z');
    for (const [b] of (await directory.discover(new Map())).values()) await b!.recordAction('scale-out', at);
    const again = await backendDirectory(account.clients()).discover(new Map());
    for (const [b] of again.values()) expect(b!.ref.tags[LAST_SCALE_OUT_TAG]).toBe('2026-12-01T10:00:00.000Z');
  });
});

describe('InstanceTypesAdapter on the simulated account', () => {
  it('answers vCPUs and MiB, leaves out a type EC2 does not have, and asks once per type', async () => {
    const account = new SimulatedAccount();
    const types = new InstanceTypesAdapter(account.clients().ec2);
    const sizes = await types.sizes(['m5.large', 'm5.xlarge', 'm5.nope']);
    expect([...sizes]).toEqual([
      ['m5.large', { vcpus: 2, memoryMiB: 8192 }],
      ['m5.xlarge', { vcpus: 4, memoryMiB: 16_384 }],
    ]);
    const asked = account.countCalls('ec2', 'DescribeInstanceTypes');
    expect((await types.sizes(['m5.large']))!.get('m5.large')).toEqual({ vcpus: 2, memoryMiB: 8192 });
    expect(account.countCalls('ec2', 'DescribeInstanceTypes')).toBe(asked);
  });
});
