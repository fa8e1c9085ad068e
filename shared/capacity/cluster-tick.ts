import { BACKOFF_TAG, DEMAND_IN_FLIGHT_TAG } from '../tags';
import type { CallOptions } from '../aws/call';
import { backoffDelay, jitterOf } from '../aws/retry';
import type { Clock } from '../lambda/clock';
import { errorMessage } from '../lambda/errors';
import type { Log } from '../lambda/observability';
import { isAgentTask } from '../retire/agents';
import type { RetireBackend, RetirePorts } from '../retire/ports';
import { callOffRebalance } from '../retire/rebalance';
import { carryOutRetire, markRetiring, unmarkRetiring } from '../retire/run';
import { resolveHeadroom, settingsFor, shapesFromTags, type ScaleTickConfig } from './config';
import { notArrivedUnits } from './demand';
import { executeCapacitySteps, type CapacityRetire, type CapacityStepResult } from './execute';
import { planFallback, withBackends } from './fallback';
import { readCapacityFailure, type LaunchFailureReader } from './launch-failures';
import { exclusionOf, MAX_EXAMINED } from './choose';
import { planCapacity, scaleInBlocks } from './plan';
import { decodeHeld, encodeHeld, mergeDemand } from './held-demand';
import type { BackendView, CapacityBackend } from './ports';
import { rolesOf } from './roles';
import type { ClusterTickReport } from './report';
import { CANDIDATES_READ, readCandidates, readCluster, time, type CapacityReadPorts } from './snapshot';
import { parseRecord } from './scale-in-record';
import { planRebalanceCallOffs, planTick, type CapacityStep } from './steps';
import { onActiveBackend, retryAfterFailure, scopeDecision, TICK_RETRY } from './tick-choices';
import type { CapacityDecision, CapacitySnapshot } from './types';

export interface TickDeps {
  reads: CapacityReadPorts;
  /** UpdateContainerInstancesState for one instance of `cluster` (throws when ECS reports a failure). */
  setInstanceStatus(cluster: string, containerInstanceArn: string, status: 'ACTIVE' | 'DRAINING', o?: CallOptions): Promise<void>;
  /**
   * Retire's ports for one cluster (shared/retire/wiring.ts): the scale-in's mark, drain and removal
   * go through retire. Absent for the event functions, which only scale out (their bundles and roles
   * carry no drain).
   */
  retire?: (cluster: string, backends: readonly RetireBackend[]) => RetirePorts;
  /** A backend's failed launches (absent: only the arrival time makes capacity late). */
  launchFailures?: LaunchFailureReader;
  clock: Clock;
  log: Log;
}

/**
 * A cluster re-planned at once for an event (a RunTask failure, a placement failure): only a
 * scale-out is carried out (scale-in, removals and drains stay the tick's); `extra` is the
 * demand the event names beyond what ECS shows (tasks RunTask could not place).
 */
export interface EventRequest {
  /** Sized only once the cluster is known to be managed here (a failure is retried like a read). */
  demand?: (o?: CallOptions) => Promise<NonNullable<CapacitySnapshot['extraDemand']>>;
  /** When the trigger happened (RunTask's answer, the event's time): the latency metric starts here. */
  triggeredAt: number;
  trigger: string;
  /** Events only scale out (scale-in, removals and drains are the tick's); a tick's message plans everything. */
  scaleOutOnly: boolean;
}

/**
 * Scale-in candidates whose tasks are read: the five emptiest, then — only when every one of them
 * is ruled out — the rest up to the planner's bound in one round (50 in all: MAX_EXAMINED), so a
 * cluster of busy instances costs two rounds of reads before its decision, not four.
 */
const CANDIDATE_BATCHES = [CANDIDATES_READ, MAX_EXAMINED - CANDIDATES_READ];

/** A failed cluster read or a refused write is retried with TICK_RETRY (tick-choices.ts) while the invocation's time allows. */
export { TICK_RETRY };
/** Time kept back at the end of the invocation for the last reports. */
export const REPORT_RESERVE_MS = 5_000;
/** After capacity asked of the backend did not arrive, scale-outs go to the fallback this long. */
export const BACKOFF_MS = 30 * 60_000;

/**
 * One cluster: read, plan, carry out, report. Never throws: a failure is the cluster's report.
 * With a fallback backend: when capacity asked of the backend has not registered within the
 * arrival time, the backend is lowered by what did not arrive and backs off (BACKOFF_TAG), and
 * the fallback is raised by what the same planner asks of it; while the back-off lasts,
 * scale-outs go to the fallback; scale-in drains the fallback's instances first.
 */
export async function tickCluster(
  deps: TickDeps,
  config: ScaleTickConfig,
  cluster: string,
  backends: readonly CapacityBackend[],
  endsAt: number,
  tickId: string,
  o: CallOptions,
  event?: EventRequest,
): Promise<ClusterTickReport> {
  const { clock, log } = deps;
  const roles = rolesOf(cluster, backends);
  const base = { cluster, dryRun: config.dryRun, startedAt: clock.now(), ...('conflict' in roles ? { conflict: roles.conflict } : {}) };
  if ('error' in roles) return { ...base, decision: 'error', error: roles.error, reasons: [], steps: [] };
  const { primary, fallback } = roles;
  if (roles.conflict) log.error('capacity backend conflict: the one already used keeps working', { cluster, conflict: roles.conflict });
  const ref = { kind: primary.ref.kind, id: primary.ref.id };
  let failures = 0;
  for (;;) {
    try {
      const now = clock.now();
      const cs = settingsFor(config.defaults, primary.ref.tags);
      const extra = event?.demand ? await event.demand(o) : [];
      const [p, f] = await Promise.all([primary.describe(o), fallback?.describe(o)]);
      const pView = withTaggedShapes(p);
      const fView = f && withTaggedShapes(f);
      const onFallback = !!fView && (time(pView.ref.tags[BACKOFF_TAG]) ?? 0) > now;
      const active: BackendView = onFallback ? fView : pView;
      // One read for both backends: every type either launches is sized; instances of both are the cluster's.
      const both: BackendView = {
        ...active,
        shapes: [...pView.shapes, ...(fView?.shapes ?? [])],
        instances: [...pView.instances, ...(fView?.instances ?? [])],
      };
      // Our record of our scale-in drains, on each backend (a mark alone is anyone's word).
      const ours = new Set([...parseRecord(pView.ref.tags), ...(fView ? parseRecord(fView.ref.tags) : [])]);
      const read = await readCluster(deps.reads, cluster, both, now, o, ours);
      const sized = read.snapshot.backend.shapes;
      const shapesOf = (v: BackendView) => sized.filter((s) => v.shapes.some((x) => x.instanceType === s.instanceType));
      const combined = withBackends(read.snapshot, { primary: pView, fallback: fView, onFallback, activeShapes: shapesOf(active), now });
      // Demand ECS cannot show whose capacity is still in flight counts with this re-plan's (held-demand.ts).
      const inFlightUnits = combined.snapshot.inFlight.reduce((n, f) => n + f.units, 0);
      const demand = mergeDemand(inFlightUnits > 0 ? decodeHeld(active.ref.tags[DEMAND_IN_FLIGHT_TAG]) : [], extra);
      read.snapshot = { ...combined.snapshot, ...(demand.length > 0 ? { extraDemand: demand } : {}) };
      const { pIn, fIds } = combined;
      const settings = resolveHeadroom(cs, read.snapshot.backend.shapes);
      const lateByTime = !!pIn && now - pIn.requestedAt >= settings.arrivalTimeoutMs;
      // A capacity failure the backend reported since the request makes the units still missing late at once.
      const failed = fView && !onFallback ? await readCapacityFailure(deps.launchFailures, pView, pIn, lateByTime, now, log, o) : undefined;
      const late = pIn && (lateByTime || failed) ? pIn.units : 0;

      let decision: CapacityDecision;
      let steps: CapacityStep[];
      const extraReasons: string[] = [];
      if (fView && !onFallback && late > 0) {
        const f = planFallback(read.snapshot, settings, now, {
          late,
          lateEntry: pIn!,
          primary: pView,
          fallback: fView,
          fallbackShapes: shapesOf(fView),
          backoffMs: BACKOFF_MS,
          ...(failed ? { failed } : {}),
        });
        decision = f.decision;
        steps = f.steps;
      } else {
        decision = planCapacity(read.snapshot, settings, now);
        // Scale-in is possible: read the emptiest candidates' tasks, and more while every one read so far
        // is ruled out (batch jobs, protection), up to the planner's own bound of candidates examined.
        for (const limit of CANDIDATE_BATCHES) {
          if (event?.scaleOutOnly || decision.decision !== 'none' || scaleInBlocks(read.snapshot, settings, now).length > 0) break;
          const before = read.snapshot.instances.filter((i) => !i.tasksUnread && i.status === 'ACTIVE').length;
          read.snapshot = await readCandidates(deps.reads, read, o, limit, config.drain.agentFamilies);
          decision = planCapacity(read.snapshot, settings, now);
          const known = read.snapshot.instances.filter((i) => !i.tasksUnread && i.status === 'ACTIVE');
          if (known.length === before || known.some((i) => exclusionOf(i) === undefined)) break;
        }
        decision = scopeDecision(decision, event);
        if (onFallback)
          extraReasons.push(`${ref.kind} ${ref.id} backs off until ${pView.ref.tags[BACKOFF_TAG]}: scale-outs go to the fallback`);
        const plan = planTick(read, decision, now, config.scaleInDrainMaxMs, event?.scaleOutOnly ? 'scale-out-only' : 'all', {
          active: onFallback ? 'fallback' : 'primary',
          ownerOf: (id) => (fIds.has(id) ? 'fallback' : 'primary'),
          tags: { primary: pView.ref.tags, ...(fView ? { fallback: fView.ref.tags } : {}) },
        });
        // The planner speaks of the cluster's units; the active backend is raised by the units it adds.
        // A scale-out's record rewrites the demand held in flight (cleared when there is none).
        const held = encodeHeld(demand);
        if (held.dropped > 0) extraReasons.push(`${held.dropped} held task(s) do not fit the ${DEMAND_IN_FLIGHT_TAG} tag: not remembered`);
        steps = onActiveBackend(plan.steps, decision.units, active.counts.desired, held.value);
        extraReasons.push(...plan.reasons);
      }
      if (!event?.scaleOutOnly) steps = [...steps, ...planRebalanceCallOffs(read, config.rebalanceDrainMaxMs, now)];
      const reasons = [...decision.reasons, ...extraReasons, ...read.warnings];
      log.info(config.dryRun ? 'capacity decision (dry run: nothing changed)' : 'capacity decision', {
        cluster,
        backend: ref,
        decision: decision.decision,
        reasons,
        steps,
      });
      const results = await executeCapacitySteps(steps, {
        backend: primary,
        ...(fallback ? { fallback } : {}),
        setInstanceStatus: (arn, status, opts) => deps.setInstanceStatus(cluster, arn, status, opts),
        standaloneTasksOn: (arn, opts) => standaloneTasksOn(deps.reads, cluster, arn, config.drain.agentFamilies ?? [], opts),
        retire: retireOf(deps, cluster, backends, endsAt - REPORT_RESERVE_MS, tickId),
        now: () => clock.now(),
        dryRun: config.dryRun,
        callOptions: o,
      });
      // The report's counts come from the backend as it is now, when something changed it.
      const changed = results.some((r) => r.ok && !r.skipped && (r.step.kind === 'setDesired' || r.detail === 'removed'));
      // A capacity write (or its record) AWS refused: the trigger is kept and retried until it lands.
      const unwritten = results.filter((r) => !r.ok && (r.step.kind === 'setDesired' || r.step.kind === 'recordAction'));
      // Retried here first (read, plan and write again, from what AWS holds then) while time allows; then the trigger's message is.
      const writeWait = backoffDelay(failures + 1, TICK_RETRY, jitterOf(clock));
      if (unwritten.length > 0 && clock.now() + writeWait < endsAt - REPORT_RESERVE_MS) {
        failures++;
        log.warn('capacity write refused; read, planned and written again', { cluster, attempt: failures });
        await clock.sleep(writeWait);
        continue;
      }
      const requested = results.find((r) => r.step.kind === 'setDesired' && r.ok && !r.skipped && r.step.desired > r.step.from);
      const after = changed ? await (onFallback ? fallback! : primary).describe(o).catch(() => undefined) : active;
      return {
        ...base,
        backend: ref,
        ...(fallback
          ? { fallback: { kind: fallback.ref.kind, id: fallback.ref.id, active: onFallback || decision.decision === 'fallback' } }
          : {}),
        decision: decision.decision,
        reasons,
        reservation: decision.reservation,
        counts: after?.counts ?? active.counts,
        ...(after ? {} : { countsStale: true }),
        starved: decision.starved,
        ...(decision.stuckDeployments ? { stuckDeployments: decision.stuckDeployments } : {}),
        unplaceable: decision.unplaceable,
        notArrivedUnits: notArrivedUnits(read.snapshot, settings, now),
        ...(decision.desired !== undefined ? { plannedDesired: decision.desired } : {}),
        ...(decision.instanceToDrain ? { instanceToDrain: decision.instanceToDrain } : {}),
        ...(event ? { trigger: event.trigger } : {}),
        ...(unwritten.length > 0
          ? { retry: `not written: ${unwritten.map((r) => `${r.step.kind} ${r.error ?? ''}`.trim()).join('; ')}` }
          : {}),
        ...(requested?.at !== undefined && event
          ? { secondsToCapacityRequest: Math.max(0, (requested.at - event.triggeredAt) / 1000) }
          : {}),
        steps: results.map(stepLine),
        drains: results.flatMap((r) => (r.drain ? [r.drain] : [])),
      };
    } catch (err) {
      // Reads failed (after the SDK's own retries) or the backend tags are bad: retry the
      // cluster while the invocation's time allows; a bad tag is not retried.
      failures++;
      const error = errorMessage(err);
      const next = retryAfterFailure(err, failures, clock.now(), endsAt - REPORT_RESERVE_MS, jitterOf(clock));
      if (!next.retry) {
        log.error('capacity tick failed for this cluster', { cluster, backend: ref, error, attempts: failures });
        return { ...base, backend: ref, decision: 'error', error, reasons: [], steps: [] };
      }
      log.warn('capacity read failed; retried', { cluster, error, attempt: failures });
      await clock.sleep(next.waitMs);
    }
  }
}

/** Retire for this cluster's scale-in steps: its ports are built only when a step needs them (scale-out-only functions have none). */
function retireOf(deps: TickDeps, cluster: string, backends: readonly RetireBackend[], stepEndsAt: number, tickId: string): CapacityRetire {
  const on = () => {
    if (!deps.retire) throw new Error('this function does not retire instances (scale-out only)');
    return { ports: deps.retire(cluster, backends), log: deps.log };
  };
  return {
    mark: (request, at, o) => markRetiring(on(), request, at, o),
    unmark: (arn, legacy, o) => unmarkRetiring(on(), arn, legacy, o),
    carryOut: (request, o) => carryOutRetire(on(), request, stepEndsAt, `scale-in-${tickId}`, o),
    callOffRebalance: (step, o) => callOffRebalance(on(), step, deps.clock.now(), o),
  };
}

/** A backend that names no shapes (a plain launch template, no instance yet) may name them in a tag. */
function withTaggedShapes(v: BackendView): BackendView {
  if (v.shapes.length > 0) return v;
  const tagged = shapesFromTags(v.ref.tags);
  return tagged ? { ...v, shapes: tagged } : v;
}

const stepLine = (r: CapacityStepResult) => ({
  kind: r.step.kind,
  ...('ec2InstanceId' in r.step ? { ec2InstanceId: r.step.ec2InstanceId } : {}),
  ...('on' in r.step && r.step.on === 'fallback' ? { on: 'fallback' } : {}),
  ok: r.ok,
  ...(r.skipped ? { skipped: r.skipped } : {}),
  ...(r.error ? { error: r.error } : {}),
  ...(r.detail ? { detail: r.detail } : {}),
});

/** Standalone tasks (agents aside) on one instance now; a listed task that did not describe counts as one (never taken for absent). */
async function standaloneTasksOn(
  reads: CapacityReadPorts,
  cluster: string,
  arn: string,
  agentFamilies: readonly string[],
  o?: CallOptions,
): Promise<string[]> {
  const listed = await reads.listTasksOn(cluster, arn, o);
  if (listed.length === 0) return [];
  const { tasks } = await reads.describeTasks(cluster, listed, o);
  const described = new Set(tasks.map((t) => t.taskArn));
  const batch = tasks.filter((t) => !t.group?.startsWith('service:') && !isAgentTask(t, agentFamilies));
  return [...batch.map((t) => t.taskArn ?? ''), ...listed.filter((a) => !described.has(a))];
}
