import { CLUSTER_TAG, LAST_SCALE_IN_TAG, LAST_SCALE_OUT_TAG } from '../../shared/tags';
import { asgBackend, ec2FleetBackend, spotFleetBackend } from '../../shared/capacity/backends';
import type { BackendKind, CapacityBackend } from '../../shared/capacity/ports';
import { SimulatedAccount } from '../../sim/account';
import { buildCapacityCluster } from '../../sim/builders';
import { FakeBackend } from '../support/fake-backend';

const W = 2; // units per m5.large (an m5.xlarge counts 2W)
const FIVE_MINUTES = 5 * 60_000;
const byId = (ids: string[]) => [...ids].sort();

/** One implementation under contract: three m5.large of weight W to start with, desired 3W. */
interface Subject {
  backend: CapacityBackend;
  cluster: string;
  ids: string[];
  /** Time passes (the simulated clock moves 5 minutes; the fake settles). */
  advance(): void;
  /** The backend's instances still running, by id. */
  alive(): string[];
  /** Calls that could change something, so far. */
  mutations(): number;
}

function fakeSubject(): Subject {
  const ids = ['i-0aaa', 'i-0bbb', 'i-0ccc'];
  const backend = new FakeBackend({
    id: 'fake',
    tags: { [CLUSTER_TAG]: 'cap-fake' },
    shapes: [
      { instanceType: 'm5.large', weight: W },
      { instanceType: 'm5.xlarge', weight: 2 * W },
    ],
    instances: ids.map((ec2InstanceId) => ({ ec2InstanceId, instanceType: 'm5.large' })),
  });
  return {
    backend,
    cluster: 'cap-fake',
    ids,
    advance: () => backend.settle(),
    alive: () => byId([...backend.instances.keys()]),
    mutations: () => backend.calls.filter((c) => c !== 'describe').length,
  };
}

const MAKERS = { asg: asgBackend, ec2Fleet: ec2FleetBackend, spotFleet: spotFleetBackend } as const;

function simSubject(kind: BackendKind, account = new SimulatedAccount()): Subject & { account: SimulatedAccount } {
  const c = buildCapacityCluster(account, { backend: kind, instances: 3, weight: W });
  const backend = MAKERS[kind](account.clients(), { id: c.backend.id });
  const members = () =>
    kind === 'asg'
      ? account.autoscaling.groupState(c.backend.id).instances.map((i) => i.instanceId)
      : kind === 'ec2Fleet'
        ? account.ec2.fleets.fleet(c.backend.id)!.instanceIds
        : account.ec2.spotFleets.fleet(c.backend.id)!.instanceIds;
  return {
    account,
    backend,
    cluster: c.cluster,
    ids: c.instances.map((i) => i.instanceId),
    advance: () => account.advance(FIVE_MINUTES),
    alive: () => byId(members().filter((id) => account.ec2.instance(id)?.state === 'running')),
    mutations: () => account.calls.filter((x) => !/^Describe/.test(x.operation)).length,
  };
}

const SUBJECTS: Array<[string, () => Subject]> = [
  ['the fake', fakeSubject],
  ['asg on the simulated account', () => simSubject('asg')],
  ['ec2Fleet on the simulated account', () => simSubject('ec2Fleet')],
  ['spotFleet on the simulated account', () => simSubject('spotFleet')],
];

describe.each(SUBJECTS)('CapacityBackend contract: %s', (_name, make) => {
  it('describes counts in units, the shapes with their weights, every instance and the cluster tag', async () => {
    const s = make();
    const view = await s.backend.describe();
    expect(view.counts).toMatchObject({ desired: 3 * W, inService: 3 * W, min: 0 });
    expect(view.counts.max).toBeGreaterThanOrEqual(10 * W);
    expect(view.shapes).toEqual([
      { instanceType: 'm5.large', weight: W },
      { instanceType: 'm5.xlarge', weight: 2 * W },
    ]);
    expect(byId(view.instances.map((i) => i.ec2InstanceId))).toEqual(byId(s.ids));
    for (const i of view.instances) {
      expect(i).toEqual({
        ec2InstanceId: i.ec2InstanceId,
        instanceType: 'm5.large',
        weight: W,
        state: 'in-service',
        protectedFromScaleIn: false,
      });
    }
    expect(view.ref).toMatchObject({ kind: s.backend.ref.kind, id: s.backend.ref.id });
    expect(view.ref.tags[CLUSTER_TAG]).toBe(s.cluster);
  });

  it('describe changes nothing', async () => {
    const s = make();
    const before = s.mutations();
    await s.backend.describe();
    await s.backend.describe();
    expect(s.mutations()).toBe(before);
  });

  it('setDesired raises desired and the backend launches up to it, terminating nothing', async () => {
    const s = make();
    await s.backend.setDesired(5 * W);
    expect((await s.backend.describe()).counts.desired).toBe(5 * W);
    s.advance();
    const view = await s.backend.describe();
    expect(view.counts).toMatchObject({ desired: 5 * W, inService: 5 * W });
    expect(s.alive()).toEqual(expect.arrayContaining(s.ids));
    expect(s.alive()).toHaveLength(5);
  });

  it('setDesired below min is refused and changes nothing', async () => {
    const s = make();
    await expect(s.backend.setDesired(-1)).rejects.toThrow();
    expect((await s.backend.describe()).counts.desired).toBe(3 * W);
  });

  it('remove terminates exactly that instance, lowers desired by its weight, and nothing replaces it', async () => {
    const s = make();
    const [keep1, chosen, keep2] = s.ids as [string, string, string];
    expect(await s.backend.remove(chosen)).toEqual({ removed: true });
    expect((await s.backend.describe()).counts.desired).toBe(2 * W);
    s.advance();
    expect(s.alive()).toEqual(byId([keep1, keep2]));
    const view = await s.backend.describe();
    expect(view.counts).toMatchObject({ desired: 2 * W, inService: 2 * W });
    expect(byId(view.instances.map((i) => i.ec2InstanceId))).toEqual(byId([keep1, keep2]));
  });

  it('remove of an instance already removed answers removed: false and leaves desired alone', async () => {
    const s = make();
    const chosen = s.ids[0]!;
    await s.backend.remove(chosen);
    const again = await s.backend.remove(chosen);
    expect(again.removed).toBe(false);
    expect(again.reason).toEqual(expect.any(String));
    s.advance();
    expect((await s.backend.remove(chosen)).removed).toBe(false);
    expect((await s.backend.describe()).counts.desired).toBe(2 * W);
    expect(s.alive()).toHaveLength(2);
  });

  it('remove of an instance that is not in the backend changes nothing', async () => {
    const s = make();
    expect((await s.backend.remove('i-0123456789abcdef0')).removed).toBe(false);
    s.advance();
    expect((await s.backend.describe()).counts.desired).toBe(3 * W);
    expect(s.alive()).toEqual(byId(s.ids));
  });

  it('recordAction writes the last-action tag, read back by describe', async () => {
    const s = make();
    const at = Date.parse('2026-12-01T10:00:00Z');
    await s.backend.recordAction('scale-out', at);
    await s.backend.recordAction('scale-in', at + 60_000);
    const { tags } = (await s.backend.describe()).ref;
    expect(tags[LAST_SCALE_OUT_TAG]).toBe('2026-12-01T10:00:00.000Z');
    expect(tags[LAST_SCALE_IN_TAG]).toBe('2026-12-01T10:01:00.000Z');
    expect(tags[CLUSTER_TAG]).toBe(s.cluster);
  });
});

describe('capacity backends: exact requests on the simulated account', () => {
  const callsOf = (account: SimulatedAccount, ...ops: string[]) =>
    account.calls.filter((c) => ops.includes(c.operation)).map((c) => ({ op: c.operation, input: c.input }));

  it('asg: removes with TerminateInstanceInAutoScalingGroup and ShouldDecrementDesiredCapacity true; tags without propagating', async () => {
    const s = simSubject('asg');
    await s.backend.remove(s.ids[1]!);
    await s.backend.recordAction('scale-in', 0);
    expect(callsOf(s.account, 'TerminateInstanceInAutoScalingGroup', 'CreateOrUpdateTags')).toEqual([
      { op: 'TerminateInstanceInAutoScalingGroup', input: { InstanceId: s.ids[1], ShouldDecrementDesiredCapacity: true } },
      {
        op: 'CreateOrUpdateTags',
        input: {
          Tags: [
            {
              ResourceId: s.backend.ref.id,
              ResourceType: 'auto-scaling-group',
              Key: LAST_SCALE_IN_TAG,
              Value: '1970-01-01T00:00:00.000Z',
              PropagateAtLaunch: false,
            },
          ],
        },
      },
    ]);
  });

  it('ec2Fleet: ModifyFleet with no-termination comes before TerminateInstances of the chosen instance', async () => {
    const s = simSubject('ec2Fleet');
    await s.backend.remove(s.ids[1]!);
    expect(callsOf(s.account, 'ModifyFleet', 'TerminateInstances')).toEqual([
      {
        op: 'ModifyFleet',
        input: {
          FleetId: s.backend.ref.id,
          TargetCapacitySpecification: { TotalTargetCapacity: 2 * W },
          ExcessCapacityTerminationPolicy: 'no-termination',
        },
      },
      { op: 'TerminateInstances', input: { InstanceIds: [s.ids[1]] } },
    ]);
  });

  it('spotFleet: ModifySpotFleetRequest with noTermination comes before TerminateInstances; tags with CreateTags', async () => {
    const s = simSubject('spotFleet');
    await s.backend.remove(s.ids[1]!);
    await s.backend.recordAction('scale-out', 0);
    expect(callsOf(s.account, 'ModifySpotFleetRequest', 'TerminateInstances', 'CreateTags')).toEqual([
      {
        op: 'ModifySpotFleetRequest',
        input: { SpotFleetRequestId: s.backend.ref.id, TargetCapacity: 2 * W, ExcessCapacityTerminationPolicy: 'noTermination' },
      },
      { op: 'TerminateInstances', input: { InstanceIds: [s.ids[1]] } },
      {
        op: 'CreateTags',
        input: { Resources: [s.backend.ref.id], Tags: [{ Key: LAST_SCALE_OUT_TAG, Value: '1970-01-01T00:00:00.000Z' }] },
      },
    ]);
  });

  it('a fleet removal retried after its termination failed does not lower the target twice', async () => {
    const s = simSubject('ec2Fleet');
    s.account.failNext('ec2', 'TerminateInstances', () =>
      Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation' }),
    );
    await expect(s.backend.remove(s.ids[1]!)).rejects.toThrow();
    expect(await s.backend.remove(s.ids[1]!)).toEqual({ removed: true });
    s.advance();
    expect(await s.backend.describe()).toMatchObject({ counts: { desired: 2 * W, inService: 2 * W } });
    expect(callsOf(s.account, 'ModifyFleet')).toHaveLength(1);
  });
});
