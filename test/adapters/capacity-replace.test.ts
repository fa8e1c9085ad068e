import { asgBackend, ec2FleetBackend, spotFleetBackend } from '../../shared/capacity/backends';
import type { BackendKind, CapacityBackend } from '../../shared/capacity/ports';
import { SimulatedAccount } from '../../sim/account';
import { buildCapacityCluster } from '../../sim/builders';
import { FakeBackend } from '../support/fake-backend';

/**
 * The `replace` contract (shared/capacity/ports.ts), run against the fake and the three backends
 * on the simulated account: exactly that instance goes, desired stays, and the backend launches
 * its replacement on its own; a retried or foreign replacement changes nothing.
 */
const W = 2;
const FIVE_MINUTES = 5 * 60_000;

interface Subject {
  backend: CapacityBackend;
  ids: string[];
  advance(): void;
  /** The backend's instances still running. */
  alive(): string[];
  desired(): Promise<number>;
  mutations(): number;
  account?: SimulatedAccount;
}

function fakeSubject(): Subject {
  const ids = ['i-0aaa', 'i-0bbb', 'i-0ccc'];
  const backend = new FakeBackend({
    id: 'fake',
    shapes: [{ instanceType: 'm5.large', weight: W }],
    instances: ids.map((ec2InstanceId) => ({ ec2InstanceId, instanceType: 'm5.large' })),
  });
  return {
    backend,
    ids,
    advance: () => backend.settle(),
    alive: () => [...backend.instances.keys()].sort(),
    desired: async () => backend.desired,
    // What changed something: a termination or a desired change (a refused replace() is only a call).
    mutations: () => backend.terminated.length + backend.calls.filter((c) => c.startsWith('setDesired')).length,
  };
}

const MAKERS = { asg: asgBackend, ec2Fleet: ec2FleetBackend, spotFleet: spotFleetBackend } as const;

function simSubject(kind: BackendKind): Subject {
  const account = new SimulatedAccount();
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
    ids: c.instances.map((i) => i.instanceId),
    advance: () => account.advance(FIVE_MINUTES),
    alive: () =>
      members()
        .filter((id) => account.ec2.instance(id)?.state === 'running')
        .sort(),
    desired: async () => (await MAKERS[kind](account.clients(), { id: c.backend.id }).describe()).counts.desired,
    mutations: () => account.calls.filter((x) => !/^Describe/.test(x.operation)).length,
  };
}

const SUBJECTS: Array<[string, () => Subject]> = [
  ['the fake', fakeSubject],
  ['asg on the simulated account', () => simSubject('asg')],
  ['ec2Fleet on the simulated account', () => simSubject('ec2Fleet')],
  ['spotFleet on the simulated account', () => simSubject('spotFleet')],
];

describe.each(SUBJECTS)('CapacityBackend replace contract: %s', (_name, make) => {
  it('terminates exactly that instance, keeps desired, and the backend launches its replacement', async () => {
    const s = make();
    const [victim, ...others] = s.ids;
    expect(await s.backend.replace(victim!)).toEqual({ replaced: true });
    expect(await s.desired()).toBe(3 * W);
    expect(s.alive()).not.toContain(victim);
    s.advance();
    const alive = s.alive();
    expect(alive).toHaveLength(3);
    expect(alive).toEqual(expect.arrayContaining(others));
    expect(alive).not.toContain(victim);
  });

  it('a replacement retried for an instance already gone answers replaced: false and costs no second instance', async () => {
    const s = make();
    await s.backend.replace(s.ids[0]!);
    s.advance();
    const before = s.mutations();
    const again = await s.backend.replace(s.ids[0]!);
    expect(again.replaced).toBe(false);
    expect(again.reason).toBeTruthy();
    expect(s.mutations()).toBe(before);
    s.advance();
    expect(s.alive()).toHaveLength(3);
  });

  it('an instance that is not in the backend is left alone', async () => {
    const s = make();
    const r = await s.backend.replace('i-0notours000000001');
    expect(r.replaced).toBe(false);
    expect(s.mutations()).toBe(0);
    expect(s.alive()).toEqual([...s.ids].sort());
  });
});

describe('replace request shapes', () => {
  const callsOf = (account: SimulatedAccount, ...ops: string[]) =>
    account.calls.filter((c) => ops.includes(c.operation)).map((c) => ({ op: c.operation, input: c.input }));

  it('asg: TerminateInstanceInAutoScalingGroup with ShouldDecrementDesiredCapacity false, and nothing else changed', async () => {
    const s = simSubject('asg');
    await s.backend.replace(s.ids[1]!);
    expect(callsOf(s.account!, 'TerminateInstanceInAutoScalingGroup', 'SetDesiredCapacity')).toEqual([
      { op: 'TerminateInstanceInAutoScalingGroup', input: { InstanceId: s.ids[1], ShouldDecrementDesiredCapacity: false } },
    ]);
  });

  it.each(['ec2Fleet', 'spotFleet'] as const)('%s: TerminateInstances of that instance, the target not modified', async (kind) => {
    const s = simSubject(kind);
    await s.backend.replace(s.ids[2]!);
    expect(callsOf(s.account!, 'TerminateInstances', 'ModifyFleet', 'ModifySpotFleetRequest')).toEqual([
      { op: 'TerminateInstances', input: { InstanceIds: [s.ids[2]] } },
    ]);
  });
});
