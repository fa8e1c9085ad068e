import { exclusionOf } from '../../../shared/capacity/choose';
import { planCapacity } from '../../../shared/capacity/plan';
import type { CapacityTask } from '../../../shared/capacity/types';
import { batchTask, inst, settings, snapshot, svc, svcTask, T0 } from './fixtures';

const agentTask = (): CapacityTask => ({ ...batchTask(128, 256), agent: true });

describe('scale-in and per-instance agents', () => {
  it.each<[string, () => CapacityTask[], string | undefined]>([
    ['an agent alone: a candidate', () => [agentTask()], undefined],
    ['service tasks and an agent: a candidate', () => [svcTask('app'), agentTask()], undefined],
    ['a batch task: kept', () => [batchTask()], 'standalone tasks'],
    ['a batch task beside an agent: kept', () => [agentTask(), batchTask()], 'standalone tasks'],
    ['a protected service task beside an agent: kept', () => [svcTask('app', 256, 512, true), agentTask()], 'protected tasks'],
  ])('%s', (_name, tasks, expected) => expect(exclusionOf(inst('i-1', 'a', tasks()))).toBe(expected));

  it('drains one of several quiet instances that each run an agent', () => {
    const snap = snapshot({
      instances: [
        inst('i-1', 'a', [svcTask('app'), agentTask()]),
        inst('i-2', 'b', [svcTask('app'), agentTask()]),
        inst('i-3', 'c', [agentTask()]),
      ],
      services: [svc('app', 2)],
    });
    const d = planCapacity(snap, settings({ scaleInCooldownMs: 0 }), T0);
    expect(d.decision).toBe('scale-in');
    expect(d.instanceToDrain).toBe('i-3');
  });
});
