import type { BackendAction } from './ports';
import { parseRecord, RECORD_MAX_IDS, stillDraining, writeRecord } from './scale-in-record';
import type { ClusterRead } from './snapshot';
import type { CapacityDecision } from './types';

/**
 * A step that runs only after another step of the same plan (named by its `id`) ended ok, and, when
 * `outcome` is given, with that outcome (its result's `detail`). The executor skips it otherwise and
 * reports it skipped: a failed step never lets what depends on it go on.
 */
export interface After {
  step: string;
  outcome?: string;
}

/** What every step may carry: an id other steps depend on, and the step it depends on. */
interface Linked {
  id?: string;
  after?: After;
}

/** A side effect of one tick on one cluster. Every one is a step, so dry-run and the report see it. */
export type CapacityStep = Linked &
  (
    | { kind: 'setDesired'; desired: number; from: number; on?: BackendRole }
    /** `tags`: our own keys written in the same call (the demand held in flight, with a scale-out). */
    | { kind: 'recordAction'; action: BackendAction; at?: number; on?: BackendRole; tags?: Record<string, string> }
    /** Tag the container instance as drained for scale-in, before the drain starts (a crash mid-drain still leaves it ours). */
    | { kind: 'markScaleIn'; ec2InstanceId: string; containerInstanceArn: string }
    /**
     * Set it DRAINING for scale-in, then read its tasks again: detail `clear`, or `late-task` when a
     * standalone task (a batch job) landed after the candidate read — the scale-in is then cancelled.
     */
    | { kind: 'setDraining'; ec2InstanceId: string; containerInstanceArn: string }
    /** Set it ACTIVE again (a cancelled scale-in). */
    | { kind: 'setActive'; ec2InstanceId: string; containerInstanceArn: string }
    /** Remove a stale scale-in mark (the instance is ACTIVE). */
    | { kind: 'unmarkScaleIn'; ec2InstanceId: string; containerInstanceArn: string }
    /** Drain it (start or resume) through the drain, bounded by `deadline`, for at most this invocation's time. */
    | { kind: 'drain'; ec2InstanceId: string; startedAt: number; deadline: number; resumed: boolean }
    /** Remove exactly this instance from the backend; `afterDrain`: only if the drain step before it ended `drained`. */
    | { kind: 'remove'; ec2InstanceId: string; afterDrain: boolean; on?: BackendRole }
  );

/** Which of the cluster's backends a step acts on (default: its backend; `fallback`: its fallback backend). */
export type BackendRole = 'primary' | 'fallback';

export interface TickPlan {
  steps: CapacityStep[];
  reasons: string[];
}

/**
 * The steps that carry out one cluster's decision. Pure. In order:
 * - drains we started earlier and that still have tasks are resumed (scale-in drains span ticks:
 *   a target group's deregistration delay is often 300 s); a drain past its bound is resumed too
 *   and stops what remains, as the drain does at its force time;
 * - scale-out: set desired, then remember the time on the backend (cooldown, capacity in flight);
 * - remove-drained: remove exactly each instance;
 * - scale-in: mark the instance, drain it, and remove exactly it in the same tick if the drain
 *   ended `drained` (otherwise a later tick removes it once empty).
 */
export function planTick(
  read: ClusterRead,
  decision: CapacityDecision,
  now: number,
  drainMaxMs: number,
  /** `scale-out-only`: an event's re-plan; drains and removals stay the tick's. */
  scope: 'all' | 'scale-out-only' = 'all',
  /** The backend a scale-out raises, the backend that owns each instance (for removals), each backend's tags (our drain record). */
  roles: {
    active: BackendRole;
    ownerOf: (ec2InstanceId: string) => BackendRole;
    tags?: Partial<Record<BackendRole, Readonly<Record<string, string>>>>;
  } = { active: 'primary', ownerOf: () => 'primary' },
): TickPlan {
  const steps: CapacityStep[] = [];
  const reasons: string[] = [];
  const resumed: CapacityStep[] = [];
  for (const i of scope === 'all' ? read.snapshot.instances : []) {
    const marked = read.scaleInMarkedAt.get(i.ec2InstanceId);
    if (marked === undefined) continue;
    if (i.status === 'ACTIVE') {
      // A mark on an ACTIVE instance is stale (our DRAINING never took, or someone set it ACTIVE again):
      // left there, a later drain by someone else would look like ours and be removed with a decrement.
      steps.push({ kind: 'unmarkScaleIn', ec2InstanceId: i.ec2InstanceId, containerInstanceArn: i.containerInstanceArn });
      reasons.push(`${i.ec2InstanceId} is ACTIVE with a scale-in mark: the mark is removed`);
      continue;
    }
    if (i.tasks.length === 0 && !i.tasksStopping) continue;
    if (i.notOwned || !i.drainedForScaleIn) {
      reasons.push(
        `${i.ec2InstanceId} is DRAINING with a scale-in mark, but ${i.notOwned ? 'no backend of ours holds it' : 'our drain record does not name it'}: not drained or removed by us`,
      );
      continue;
    }
    resumed.push({ kind: 'drain', ec2InstanceId: i.ec2InstanceId, startedAt: marked, deadline: marked + drainMaxMs, resumed: true });
    reasons.push(`resume the scale-in drain of ${i.ec2InstanceId}: ${i.tasks.length + (i.tasksStopping ?? 0)} task(s) still on it`);
  }
  const counts = read.snapshot.backend.counts;
  const recorded = (role: BackendRole) => parseRecord(roles.tags?.[role] ?? {});
  const scaleInOn = decision.decision === 'scale-in' && scope === 'all' ? roles.ownerOf(decision.instanceToDrain!) : undefined;
  // Ids of instances no longer draining for us leave the record (a cancelled or reverted drain must not stay ours).
  for (const role of ['primary', 'fallback'] as const) {
    const ids = recorded(role);
    const keep = stillDraining(ids, read.snapshot.instances);
    if (scope === 'all' && role !== scaleInOn && keep.length < ids.length) steps.push(writeRecord(role, keep));
  }
  // Resumed drains run after the decision's own steps: a scale-out is never held behind a drain's wait.
  try {
    decide();
  } finally {
    steps.push(...resumed);
  }
  return { steps, reasons };

  function decide(): void {
    switch (decision.decision) {
      case 'scale-out':
        steps.push(
          { kind: 'setDesired', id: 'raise', desired: decision.desired!, from: counts.desired, on: roles.active },
          // Remembered only once written: a refused raise must not start the cooldown or count as in flight.
          { kind: 'recordAction', action: 'scale-out', on: roles.active, after: { step: 'raise' } },
        );
        break;
      case 'remove-drained':
        for (const id of decision.instancesToRemove ?? [])
          steps.push({ kind: 'remove', ec2InstanceId: id, afterDrain: false, on: roles.ownerOf(id) });
        break;
      case 'scale-in': {
        const id = decision.instanceToDrain!;
        const arn = read.containerInstanceArnOf.get(id)!;
        const owner = roles.ownerOf(id);
        const keep = stillDraining(recorded(owner), read.snapshot.instances);
        if (keep.length >= RECORD_MAX_IDS) {
          reasons.push(
            `no scale-in: ${keep.length} drains already recorded on the ${owner} backend, at most ${RECORD_MAX_IDS} fit its tag`,
          );
          break;
        }
        const ref = { ec2InstanceId: id, containerInstanceArn: arn };
        // Each step needs the one before it: our record, then the mark, then DRAINING and a re-read of the
        // tasks; a batch job that landed meanwhile cancels (ACTIVE again, unmarked, unrecorded), else the drain and removal go on.
        steps.push(
          writeRecord(owner, [...keep, id], { id: 'record' }),
          { kind: 'markScaleIn', id: 'mark', after: { step: 'record' }, ...ref },
          { kind: 'setDraining', id: 'draining', after: { step: 'mark' }, ...ref },
          { kind: 'setActive', id: 'cancel', after: { step: 'draining', outcome: 'late-task' }, ...ref },
          { kind: 'unmarkScaleIn', after: { step: 'cancel' }, ...ref },
          writeRecord(owner, keep, { after: { step: 'cancel' } }),
          {
            kind: 'drain',
            id: 'drain',
            after: { step: 'draining', outcome: 'clear' },
            ec2InstanceId: id,
            startedAt: now,
            deadline: now + drainMaxMs,
            resumed: false,
          },
          { kind: 'remove', ec2InstanceId: id, afterDrain: true, on: owner, after: { step: 'drain' } },
        );
        break;
      }
      case 'fallback':
      case 'none':
        break;
    }
  }
}
