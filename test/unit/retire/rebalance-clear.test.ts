import { formatMark } from '../../../shared/retire/mark';
import type { RetirePorts } from '../../../shared/retire/ports';
import { clearRebalanceMark } from '../../../shared/retire/rebalance';
import { RETIRING_ATTRIBUTE } from '../../../shared/tags';
import { MIN, T0 } from '../capacity/fixtures';

const ARN = 'arn:aws:ecs:eu-west-1:123456789012:container-instance/c/abc';
const step = {
  ec2InstanceId: 'i-0123456789abcdef0',
  containerInstanceArn: ARN,
  mark: { reason: 'rebalance' as const, at: T0, from: 'mark' as const },
};

/** Retire's ports over one container instance as ECS holds it now; removals are recorded. */
function retireWith(now: { status: string; attributes: Record<string, string> } | undefined) {
  const removed: string[][] = [];
  const ports = {
    backends: [],
    putMark: async () => undefined,
    removeMarks: async (_arn: string, names: readonly string[]) => void removed.push([...names]),
    drain: async () => {
      throw new Error('not used');
    },
    rebalance: {
      ec2Facts: async () => undefined,
      setActive: async () => undefined,
      readInstance: async () => now,
    },
  } as unknown as RetirePorts;
  return {
    deps: { ports, log: { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never },
    removed,
  };
}

describe('clearRebalanceMark', () => {
  it('removes only the retiring attribute while the re-read finds exactly our mark on an ACTIVE instance', async () => {
    const { deps, removed } = retireWith({ status: 'ACTIVE', attributes: { [RETIRING_ATTRIBUTE]: formatMark('rebalance', T0) } });
    expect((await clearRebalanceMark(deps, step)).removed).toBe(true);
    expect(removed).toEqual([[RETIRING_ATTRIBUTE]]);
  });

  it.each([
    ['a scale-in mark written meanwhile', { status: 'ACTIVE', attributes: { [RETIRING_ATTRIBUTE]: formatMark('scale-in', T0 + 5 * MIN) } }],
    [
      'a newer rebalance mark (another recommendation)',
      { status: 'ACTIVE', attributes: { [RETIRING_ATTRIBUTE]: formatMark('rebalance', T0 + MIN) } },
    ],
    [
      'DRAINING now (the drain took since the tick read it)',
      { status: 'DRAINING', attributes: { [RETIRING_ATTRIBUTE]: formatMark('rebalance', T0) } },
    ],
    ['unknown to ECS', undefined],
  ])('leaves it when the re-read finds %s', async (_name, now) => {
    const { deps, removed } = retireWith(now);
    const r = await clearRebalanceMark(deps, step);
    expect(r.removed).toBe(false);
    expect(removed).toEqual([]);
  });
});
