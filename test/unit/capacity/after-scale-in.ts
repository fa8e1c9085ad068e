import type { CapacityDecision, CapacityInstance, CapacitySnapshot } from '../../../shared/capacity/types';

/**
 * The cluster once a scale-in was carried out: the drained instance gone (desired lowered by its
 * weight) and its service tasks started again elsewhere, placed the way ECS's default spread does
 * rather than the planner's first-fit decreasing — on the connected ACTIVE instance with the most
 * free memory that holds the task. `unplaced` counts tasks that found no room (a short scale-in).
 */
export function afterScaleIn(snap: CapacitySnapshot, d: CapacityDecision): { snap: CapacitySnapshot; unplaced: number } {
  const gone = snap.instances.find((i) => i.ec2InstanceId === d.instanceToDrain)!;
  const rest: CapacityInstance[] = snap.instances
    .filter((i) => i !== gone)
    .map((i) => ({ ...i, remaining: { ...i.remaining }, tasks: [...i.tasks] }));
  let unplaced = 0;
  for (const t of gone.tasks.filter((x) => x.kind === 'service')) {
    const room = rest
      .filter((i) => i.status === 'ACTIVE' && i.agentConnected && i.remaining.cpu >= t.cpu && i.remaining.memory >= t.memory)
      .sort((a, b) => b.remaining.memory - a.remaining.memory || (a.ec2InstanceId < b.ec2InstanceId ? -1 : 1))[0];
    if (!room) {
      unplaced++;
      continue;
    }
    room.remaining.cpu -= t.cpu;
    room.remaining.memory -= t.memory;
    room.tasks.push(t);
  }
  return {
    snap: { ...snap, instances: rest, backend: { ...snap.backend, counts: { ...snap.backend.counts, desired: d.desired! } } },
    unplaced,
  };
}
