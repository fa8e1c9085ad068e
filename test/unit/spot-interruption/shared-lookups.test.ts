import { sharedLookups } from '../../../functions/spot-interruption/shared-lookups';
import type { DrainPorts } from '../../../shared/drain/ports';

/** Container-instance ports that count ListContainerInstances calls and fail the ones `failing` says. */
function counting(failing: (n: number) => boolean = () => false) {
  let t = 0;
  const clock = { now: () => t, sleep: async () => undefined };
  const calls: string[] = [];
  const ports = {
    containerInstances: {
      listClusters: async () => ['c'],
      setDraining: async () => [],
      listArns: async (cluster: string, filter: string | undefined) => {
        calls.push(`${cluster} ${filter}`);
        if (failing(calls.length)) throw new Error('ServerException');
        return ['arn:1'];
      },
      describe: async () => ({ instances: [], failures: [] }),
    },
  } as unknown as DrainPorts;
  return { shared: sharedLookups(ports, clock), calls, advance: (ms: number) => (t += ms) };
}

describe('sharedLookups', () => {
  it('sends the same filtered listing asked twice at one moment once, and a third ask again', async () => {
    const { shared, calls } = counting();
    const ci = shared.containerInstances;
    const [a, b] = await Promise.all([ci.listArns('c', 'ec2InstanceId in [i-1]'), ci.listArns('c', 'ec2InstanceId in [i-1]')]);
    expect([a, b, calls.length]).toEqual([['arn:1'], ['arn:1'], 1]);
    await ci.listArns('c', 'ec2InstanceId in [i-1]');
    expect(calls.length).toBe(2);
  });

  it('passes every argument of a listing it does not share through, a caller’s page pace included', async () => {
    const seen: unknown[][] = [];
    const base = {
      containerInstances: {
        listArns: async (...args: unknown[]) => (seen.push(args), ['arn:1']),
      },
    } as unknown as DrainPorts;
    const shared = sharedLookups(base, { now: () => 0, sleep: async () => undefined });
    const pace = async () => undefined;
    await shared.containerInstances.listArns('c', undefined, {}, undefined, 'DRAINING', pace);
    // A filtered listing with a pace is not shared either: two asks, two listings, each with its pace.
    await Promise.all([0, 1].map(() => shared.containerInstances.listArns('c', 'ec2InstanceId in [i-1]', {}, undefined, undefined, pace)));
    expect(seen).toEqual([
      ['c', undefined, {}, undefined, 'DRAINING', pace],
      ['c', 'ec2InstanceId in [i-1]', {}, undefined, undefined, pace],
      ['c', 'ec2InstanceId in [i-1]', {}, undefined, undefined, pace],
    ]);
  });

  it('never shares an answer older than a second, nor a failed one', async () => {
    const late = counting();
    await late.shared.containerInstances.listArns('c', 'f');
    late.advance(1_000);
    await late.shared.containerInstances.listArns('c', 'f');
    expect(late.calls.length).toBe(2);

    const failed = counting((n) => n === 1);
    await expect(failed.shared.containerInstances.listArns('c', 'f')).rejects.toThrow('ServerException');
    expect(await failed.shared.containerInstances.listArns('c', 'f')).toEqual(['arn:1']);
    expect(failed.calls.length).toBe(2);
  });
});
