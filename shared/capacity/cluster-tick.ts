import { BACKOFF_TAG, CLUSTER_TAG, FALLBACK_TAG } from '../tags';
import type { CallOptions } from '../aws/call';
import type { DrainReport } from '../drain/report';
import type { Clock } from '../lambda/clock';
import { errorMessage } from '../lambda/errors';
import type { Log } from '../lambda/observability';
import { resolveHeadroom, settingsFor, shapesFromTags, type ScaleTickConfig } from './config';
import { notArrivedUnits } from './demand';
import { executeCapacitySteps, type CapacityStepResult } from './execute';
import { planFallback, withBackends } from './fallback';
import { exclusionOf } from './choose';
import { planCapacity, scaleInBlocks } from './plan';
import type { BackendView, CapacityBackend } from './ports';
import type { ClusterTickReport } from './report';
import { CANDIDATES_READ, readCandidates, readCluster, time, type CapacityReadPorts } from './snapshot';
import { planTick, type CapacityStep } from './steps';
import type { CapacityDecision, CapacitySnapshot } from './types';

export interface TickDeps {
  reads: CapacityReadPorts;
  tagInstance(containerInstanceArn: string, tags: Record<string, string>, o?: CallOptions): Promise<void>;
  untagInstance(containerInstanceArn: string, keys: string[], o?: CallOptions): Promise<void>;
  /**
   * Runs a scale-in drain (start or resume) for at most this invocation's time (shared/capacity/
   * scale-in-drain.ts). Absent for the event functions, which only scale out (their bundles and
   * roles carry no drain).
   */
  drain?: (step: Extract<CapacityStep, { kind: 'drain' }>, cluster: string, stepEndsAt: number, tickId: string) => Promise<DrainReport>;
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
}

/** Scale-in candidates whose tasks are read, batch by batch, while all read so far are ruled out (50 in all: MAX_EXAMINED). */
const CANDIDATE_BATCHES = [CANDIDATES_READ, 10, 15, 20];

/** First retry of a failed cluster read after this long, doubling, while the invocation's time allows. */
const READ_RETRY_MS = 1_000;
/** Time kept back at the end of the invocation for the last reports. */
export const REPORT_RESERVE_MS = 5_000;
/** After capacity asked of the backend did not arrive, scale-outs go to the fallback this long. */
export const BACKOFF_MS = 30 * 60_000;

/** The cluster's backend and its fallback (tagged ecs-steady:fallback-for), or why they cannot be used. */
function rolesOf(cluster: string, backends: readonly CapacityBackend[]) {
  const isFallback = (b: CapacityBackend) => b.ref.tags[FALLBACK_TAG] === cluster && b.ref.tags[CLUSTER_TAG] !== cluster;
  const primaries = backends.filter((b) => !isFallback(b));
  const fallbacks = backends.filter(isFallback);
  const names = (bs: readonly CapacityBackend[]) => bs.map((b) => `${b.ref.kind} ${b.ref.id}`).join(', ');
  if (primaries.length === 0)
    return {
      error: `no capacity backend: tag an ASG, EC2 Fleet or Spot Fleet request with ${CLUSTER_TAG}=${cluster}, or name it in CAPACITY_BACKENDS`,
    };
  if (primaries.length > 1) return { error: `${primaries.length} capacity backends (${names(primaries)}): exactly one per cluster` };
  if (fallbacks.length > 1) return { error: `${fallbacks.length} fallback backends (${names(fallbacks)}): at most one per cluster` };
  return { primary: primaries[0]!, fallback: fallbacks[0] as CapacityBackend | undefined };
}

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
  const base = { cluster, dryRun: config.dryRun, startedAt: clock.now() };
  const roles = rolesOf(cluster, backends);
  if ('error' in roles) return { ...base, decision: 'error', error: roles.error, reasons: [], steps: [] };
  const { primary, fallback } = roles;
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
      const read = await readCluster(deps.reads, cluster, both, now, o);
      const sized = read.snapshot.backend.shapes;
      const shapesOf = (v: BackendView) => sized.filter((s) => v.shapes.some((x) => x.instanceType === s.instanceType));
      const combined = withBackends(read.snapshot, { primary: pView, fallback: fView, onFallback, activeShapes: shapesOf(active), now });
      read.snapshot = { ...combined.snapshot, ...(extra.length > 0 ? { extraDemand: extra } : {}) };
      const { pIn, fIds } = combined;
      const settings = resolveHeadroom(cs, read.snapshot.backend.shapes);
      const late = pIn && now - pIn.requestedAt >= settings.arrivalTimeoutMs ? pIn.units : 0;

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
        });
        decision = f.decision;
        steps = f.steps;
      } else {
        decision = planCapacity(read.snapshot, settings, now);
        // Scale-in is possible: read the emptiest candidates' tasks, and more while every one read so far
        // is ruled out (batch jobs, protection), up to the planner's own bound of candidates examined.
        for (const limit of CANDIDATE_BATCHES) {
          if (event || decision.decision !== 'none' || scaleInBlocks(read.snapshot, settings, now).length > 0) break;
          const before = read.snapshot.instances.filter((i) => !i.tasksUnread && i.status === 'ACTIVE').length;
          read.snapshot = await readCandidates(deps.reads, read, o, limit);
          decision = planCapacity(read.snapshot, settings, now);
          const known = read.snapshot.instances.filter((i) => !i.tasksUnread && i.status === 'ACTIVE');
          if (known.length === before || known.some((i) => exclusionOf(i) === undefined)) break;
        }
        if (event && decision.decision !== 'scale-out' && decision.decision !== 'none')
          decision = {
            ...decision,
            decision: 'none' as const,
            reasons: [...decision.reasons, `${decision.decision} is left to the tick: ${event.trigger} only scales out`],
          };
        if (onFallback)
          extraReasons.push(`${ref.kind} ${ref.id} backs off until ${pView.ref.tags[BACKOFF_TAG]}: scale-outs go to the fallback`);
        const plan = planTick(read, decision, now, config.scaleInDrainMaxMs, event ? 'scale-out-only' : 'all', {
          active: onFallback ? 'fallback' : 'primary',
          ownerOf: (id) => (fIds.has(id) ? 'fallback' : 'primary'),
        });
        // The planner speaks of the cluster's units; the active backend is raised by the units it adds.
        steps = plan.steps.map((x) =>
          x.kind === 'setDesired' && decision.units !== undefined
            ? { ...x, desired: active.counts.desired + decision.units, from: active.counts.desired }
            : x,
        );
        extraReasons.push(...plan.reasons);
      }
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
        tagInstance: (arn, tags, opts) => deps.tagInstance(arn, tags, opts),
        untagInstance: (arn, keys, opts) => deps.untagInstance(arn, keys, opts),
        drain: (step) => {
          if (!deps.drain) throw new Error('this function does not drain (scale-out only)');
          return deps.drain(step, cluster, endsAt - REPORT_RESERVE_MS, tickId);
        },
        now: () => clock.now(),
        dryRun: config.dryRun,
        callOptions: o,
      });
      // The report's counts come from the backend as it is now, when something changed it.
      const changed = results.some((r) => r.ok && !r.skipped && (r.step.kind === 'setDesired' || r.step.kind === 'remove'));
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
        unplaceable: decision.unplaceable,
        notArrivedUnits: notArrivedUnits(read.snapshot, settings, now),
        ...(decision.desired !== undefined ? { plannedDesired: decision.desired } : {}),
        ...(decision.instanceToDrain ? { instanceToDrain: decision.instanceToDrain } : {}),
        ...(event ? { trigger: event.trigger } : {}),
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
      const wait = Math.min(8 * READ_RETRY_MS, READ_RETRY_MS * 2 ** (failures - 1));
      if (error.startsWith('ConfigError') || clock.now() + wait >= endsAt - REPORT_RESERVE_MS) {
        log.error('capacity tick failed for this cluster', { cluster, backend: ref, error, attempts: failures });
        return { ...base, backend: ref, decision: 'error', error, reasons: [], steps: [] };
      }
      log.warn('capacity read failed; retried', { cluster, error, attempt: failures });
      await clock.sleep(wait);
    }
  }
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
