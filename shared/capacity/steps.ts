import { REBALANCE_ACT_MS, type RebalanceCallOffStep, type StaleRebalanceMarkStep } from '../retire/rebalance-plan';
import type { RetireRequest } from '../retire/request';
import type { BackendAction } from './ports';
import { parseRecord, RECORD_MAX_IDS, stillDraining, writeRecord } from './scale-in-record';
import type { ClusterRead } from './cluster-read';
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
    /**
     * Begin the scale-in retirement: retire checks the backend holds it now and writes its one mark,
     * before the drain starts (a crash mid-drain still leaves it ours). Not ours: skipped, nothing after it runs.
     */
    | { kind: 'markScaleIn'; ec2InstanceId: string; containerInstanceArn: string; request: ScaleInRetire; on?: BackendRole }
    /**
     * Set it DRAINING for scale-in, then read its tasks again: detail `clear`, or `late-task` when a
     * standalone task (a batch job) landed after the candidate read — the scale-in is then cancelled.
     */
    | { kind: 'setDraining'; ec2InstanceId: string; containerInstanceArn: string }
    /** Set it ACTIVE again (a cancelled scale-in). */
    | { kind: 'setActive'; ec2InstanceId: string; containerInstanceArn: string }
    /** Remove a stale retiring mark (the instance is ACTIVE); `legacy`: the last release's scale-in tag too. */
    | { kind: 'unmarkScaleIn'; ec2InstanceId: string; containerInstanceArn: string; legacy?: boolean }
    /**
     * Hand the retirement to retire (start or resume): ownership, the drain (bounded by the request's
     * deadline, for at most this invocation's time), ownership again, then exactly this instance removed
     * from the backend `on` names — only once drained. Detail: retire's outcome.
     */
    | { kind: 'retire'; ec2InstanceId: string; request: ScaleInRetire; on?: BackendRole }
    /**
     * Call off a rebalance drain whose bound passed with no Spot notice (shared/retire/rebalance.ts):
     * retire reads EC2 again, then sets it ACTIVE and removes the mark. Detail: called off, or why not.
     */
    | ({ kind: 'endRebalance' } & RebalanceCallOffStep)
    /**
     * Remove a stale rebalance mark from an ACTIVE instance: retire reads it again and removes the
     * attribute only while it is still exactly this mark and the instance still ACTIVE. Detail: removed, or why not.
     */
    | ({ kind: 'clearRebalanceMark' } & StaleRebalanceMarkStep)
  );

/** A scale-in retirement as the planner emits it: the backend is named by its role, the executor names its id. */
export type ScaleInRetire = Omit<RetireRequest, 'backend'>;

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
 * - remove-drained: retire removes exactly each instance (no drain again: it was read empty);
 * - scale-in: record it, retire marks it (if a backend of ours holds it), DRAINING and a re-read
 *   (a late batch job cancels), then retire drains it and removes exactly it in the same tick if the
 *   drain ended `drained` (otherwise a later tick resumes and removes it once empty).
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
      steps.push({
        kind: 'unmarkScaleIn',
        ec2InstanceId: i.ec2InstanceId,
        containerInstanceArn: i.containerInstanceArn,
        ...(read.legacyScaleInTag?.has(i.ec2InstanceId) ? { legacy: true } : {}),
      });
      reasons.push(`${i.ec2InstanceId} is ACTIVE with a scale-in mark: the mark is removed`);
      continue;
    }
    if (i.tasks.length === 0 && !i.tasksStopping) continue;
    if (i.notOwned || !i.drainedForScaleIn) {
      reasons.push(
        `${i.ec2InstanceId} is DRAINING with a scale-in mark, but ${i.notOwned ? 'no backend of ours holds it' : 'retire’s mark and our drain record do not both name it'}: not drained or removed by us`,
      );
      continue;
    }
    const request = scaleIn(read, i.ec2InstanceId, marked, drainMaxMs, { resumed: true });
    resumed.push({ kind: 'retire', ec2InstanceId: i.ec2InstanceId, request, on: roles.ownerOf(i.ec2InstanceId) });
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
        for (const id of decision.instancesToRemove ?? []) {
          const request = scaleIn(read, id, read.scaleInMarkedAt.get(id) ?? now, drainMaxMs, { resumed: true, drained: true });
          steps.push({ kind: 'retire', ec2InstanceId: id, request, on: roles.ownerOf(id) });
        }
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
        const request = scaleIn(read, id, now, drainMaxMs, {});
        // Each step needs the one before it: our record, then the mark, then DRAINING and a re-read of the
        // tasks; a batch job that landed meanwhile cancels (ACTIVE again, unmarked, unrecorded), else the drain and removal go on.
        steps.push(
          writeRecord(owner, [...keep, id], { id: 'record' }),
          { kind: 'markScaleIn', id: 'mark', after: { step: 'record' }, ...ref, request, on: owner },
          { kind: 'setDraining', id: 'draining', after: { step: 'mark' }, ...ref },
          { kind: 'setActive', id: 'cancel', after: { step: 'draining', outcome: 'late-task' }, ...ref },
          { kind: 'unmarkScaleIn', after: { step: 'cancel' }, ...ref },
          writeRecord(owner, keep, { after: { step: 'cancel' } }),
          { kind: 'retire', after: { step: 'draining', outcome: 'clear' }, ec2InstanceId: id, request, on: owner },
        );
        break;
      }
      case 'fallback':
      case 'none':
        break;
    }
  }
}

/** The scale-in retirement of one instance: drained until `startedAt + drainMaxMs`, then removed from its backend. */
function scaleIn(
  read: ClusterRead,
  ec2InstanceId: string,
  startedAt: number,
  drainMaxMs: number,
  extra: Pick<ScaleInRetire, 'resumed' | 'drained'>,
): ScaleInRetire {
  const containerInstanceArn = read.containerInstanceArnOf.get(ec2InstanceId);
  return {
    cluster: read.snapshot.cluster,
    ec2InstanceId,
    reason: 'scale-in',
    startedAt,
    deadline: startedAt + drainMaxMs,
    then: 'remove',
    ...(containerInstanceArn ? { containerInstanceArn } : {}),
    ...extra,
  };
}

/** scaleTick's schedule: every minute. */
const TICK_MS = 60_000;

/**
 * How long a rebalance mark on an ACTIVE instance is left alone, at least: spotInterruption writes the
 * mark just before DRAINING and retries both for up to REBALANCE_ACT_MS, a retried record may do so
 * again, and the tick's ACTIVE reading may be a tick old — so twice the act bound and one tick.
 */
export const REBALANCE_MARK_GRACE_MS = 2 * REBALANCE_ACT_MS + TICK_MS;

/**
 * The tick's part in a rebalance recommendation (pure): a DRAINING instance with our `rebalance`
 * mark older than the bound, or an ACTIVE one no backend of ours holds (detached at the
 * recommendation), is handed to retire (EC2 and Auto Scaling re-read there: attached back, ACTIVE,
 * unmarked); an ACTIVE instance a backend holds carrying one past both REBALANCE_MARK_GRACE_MS and
 * the bound (a call-off whose unmark failed, a DRAINING that never took, someone set it ACTIVE) has
 * the stale mark removed by retire, which re-reads it first — a younger one may be a drain being
 * begun right now (the mark is written just before DRAINING). Capacity otherwise counts a
 * rebalance-drained instance as leaving: its room is not supply, its service tasks are demand, it
 * counts against MAX_DRAINING while a backend of ours holds it, and it is never `drainedForScaleIn`
 * (the mark is not scale-in's), so scale-in never removes it.
 */
export function planRebalanceCallOffs(read: ClusterRead, boundMs: number, now: number): CapacityStep[] {
  const steps: CapacityStep[] = [];
  for (const i of read.snapshot.instances) {
    const mark = read.rebalanceMarks?.get(i.ec2InstanceId);
    if (!mark || mark.from !== 'mark') continue;
    const ref = { ec2InstanceId: i.ec2InstanceId, containerInstanceArn: i.containerInstanceArn };
    const leaving = read.leaving?.has(i.ec2InstanceId) ?? false;
    if (i.status === 'ACTIVE' && i.notOwned) {
      // Detached at a `replace` recommendation (or marked by someone else): kept until the bound, then
      // retire re-reads Auto Scaling and attaches it back only if a group of ours detached it.
      if (now - mark.at >= boundMs) steps.push({ kind: 'endRebalance', ...ref, status: 'ACTIVE', mark, leaving, boundMs });
    } else if (i.status === 'ACTIVE') {
      // Not before the bound either: a mode that keeps an ACTIVE instance marked until the bound is left to it.
      if (now - mark.at >= Math.max(REBALANCE_MARK_GRACE_MS, boundMs)) steps.push({ kind: 'clearRebalanceMark', ...ref, mark });
    } else if (now - mark.at >= boundMs) {
      steps.push({ kind: 'endRebalance', ...ref, status: 'DRAINING', mark, leaving, boundMs });
    }
  }
  return steps;
}
