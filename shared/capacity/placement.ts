import type { FreeRoom } from './bin-pack';
import type { CapacityService, CapacitySettings, CapacitySnapshot, InstanceShape, Resources } from './types';

/**
 * What ECS places before any service or RunTask demand, so sizing must leave it out.
 *
 * DAEMON services run "exactly one task on each active container instance"
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service-options.html), and ECS
 * places the daemon's task first on an instance that registers: every instance — one already in
 * the cluster that lacks it, or one still to launch — gives its daemons' reservations before
 * anything else. Their tasks never move elsewhere, so they are not demand to bin-pack.
 */

const isDaemon = (v: CapacityService) => v.daemon === true;

/** CPU, memory and fixed host ports every instance gives its DAEMON services (one task of each). */
export function daemonReserve(snap: CapacitySnapshot): Resources & { ports: number[] } {
  const out = { cpu: 0, memory: 0, ports: [] as number[] };
  for (const v of snap.services.filter(isDaemon)) {
    out.cpu += v.task.cpu;
    out.memory += v.task.memory;
    out.ports.push(...(v.hostPorts ?? []));
  }
  return out;
}

/** The backend's shapes less the daemons' reservation; a shape the daemons fill is left out (it holds nothing else). */
export function shapesAfterDaemons(snap: CapacitySnapshot): InstanceShape[] {
  const d = daemonReserve(snap);
  if (d.cpu === 0 && d.memory === 0) return snap.backend.shapes;
  return snap.backend.shapes
    .map((s) => ({ ...s, cpu: s.cpu - d.cpu, memory: s.memory - d.memory }))
    .filter((s) => s.cpu > 0 && s.memory > 0);
}

/**
 * Existing free room less the daemon tasks not placed yet: a DAEMON service short of k tasks
 * (desired − running − pending; ECS sets its desired to the instances that qualify) lacks them on
 * k instances ECS will fill first. Which ones is not read (tasks of ACTIVE instances are not), so
 * they are taken from the roomiest k — an instance that just registered, the usual one lacking
 * its daemon, is the roomiest. The rooms keep their order.
 */
export function roomsAfterDaemons(snap: CapacitySnapshot, rooms: readonly FreeRoom[]): FreeRoom[] {
  const out = rooms.map((r) => ({ ...r, ports: new Set(r.ports ?? []) }));
  for (const v of snap.services.filter(isDaemon)) {
    const missing = Math.max(0, v.desired - v.running - v.pending);
    if (missing === 0) continue;
    const roomiest = [...out].sort((a, b) => b.cpu + b.memory / 4 - (a.cpu + a.memory / 4) || (a.id < b.id ? -1 : 1)).slice(0, missing);
    for (const r of roomiest) {
      r.cpu -= v.task.cpu;
      r.memory -= v.task.memory;
      for (const p of v.hostPorts ?? []) r.ports.add(p);
    }
  }
  return out;
}

/**
 * Per capacity unit, the room a shape adds toward bringing `key`'s reservation back to
 * `threshold`: a new instance registers its shape and reserves its daemons at once, so n of them
 * take (reserved + n·daemon) / (registered + n·shape) to the threshold when
 * n ≥ (reserved·100/threshold − registered) / (shape − daemon·100/threshold).
 */
export function perUnitToward(snap: CapacitySnapshot, key: 'cpu' | 'memory', threshold: number): number {
  const d = daemonReserve(snap)[key];
  const per = snap.backend.shapes.map((s) => (s[key] - (d * 100) / threshold) / s.weight).filter((x) => x > 0);
  return per.length > 0 ? Math.min(...per) : 0;
}

/**
 * Services whose deployment holds scale-in now, and those past the hold (`deploymentHoldMs` from
 * the PRIMARY deployment's creation): a deployment that cannot finish is reported, not waited for
 * forever. A service with no deployment under way but whose counts are off (running ≠ desired, or
 * tasks pending) is a replacement under way: it holds, as it always did.
 */
export function deploymentHolds(snap: CapacitySnapshot, s: CapacitySettings, now: number): { holding: string[]; stuck: string[] } {
  const out = { holding: [] as string[], stuck: [] as string[] };
  for (const v of snap.services) {
    if (v.deployment) (!v.deployment.stuck && now - v.deployment.startedAt < s.deploymentHoldMs ? out.holding : out.stuck).push(v.name);
    else if (v.running !== v.desired || v.pending > 0) out.holding.push(v.name);
  }
  return out;
}

/**
 * The snapshot with each deployment past the hold marked stuck: its surge is no longer demand
 * either (a deployment that cannot finish — a revision no shape holds, an image that never
 * starts — would otherwise keep asking for room, and keep every instance "needed" for scale-in).
 */
export function markStuck(snap: CapacitySnapshot, s: CapacitySettings, now: number): CapacitySnapshot {
  const { stuck } = deploymentHolds(snap, s, now);
  if (stuck.length === 0) return snap;
  return {
    ...snap,
    services: snap.services.map((v) =>
      v.deployment && stuck.includes(v.name) ? { ...v, deployment: { ...v.deployment, stuck: true } } : v,
    ),
  };
}

/** Tasks of a deploying service that need room: the PRIMARY's missing ones, as many as maximumPercent lets run beside what runs now. */
export function surgeOf(v: CapacityService): number {
  if (!v.deployment || v.deployment.stuck || v.daemon) return 0;
  return Math.max(0, Math.min(v.deployment.newMissing, v.deployment.maxTasks - v.running - v.pending));
}
