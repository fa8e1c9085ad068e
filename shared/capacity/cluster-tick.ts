import type { CallOptions } from '../aws/call';
import { jitterOf } from '../aws/retry';
import type { Clock } from '../lambda/clock';
import { errorMessage } from '../lambda/errors';
import type { Log } from '../lambda/observability';
import { isAgentTask } from '../retire/agents';
import type { RetireBackend, RetirePorts } from '../retire/ports';
import { callOffRebalance, clearRebalanceMark } from '../retire/rebalance';
import { carryOutRetire, markRetiring, unmarkRetiring } from '../retire/run';
import { resolveClaim } from './backend-claims';
import { settingsFor, type ScaleTickConfig } from './config';
import { executeCapacitySteps, type CapacityRetire } from './execute';
import { readCapacityFailure, type LaunchFailureReader } from './launch-failures';
import { MAX_EXAMINED } from './choose';
import { planCapacity } from './plan';
import type { BackendView, CapacityBackend } from './ports';
import { rolesOf } from './roles';
import type { ClusterTickReport } from './report';
import { CANDIDATES_READ, readCandidates, readCluster, type CapacityReadPorts } from './snapshot';
import { outcomeOf, retryAfterFailure, retryAfterWrite, TICK_RETRY } from './tick-choices';
import {
  candidatesSettled,
  composeViews,
  frameTick,
  goesToFallback,
  knownCandidates,
  lateUnits,
  planOnFallback,
  planOnPlanner,
  wantsCandidates,
  wantsLaunchFailures,
  withRebalanceCallOffs,
  type RoundPlan,
} from './tick-plan';
import { errorReport, refOf, roundReport } from './tick-report';
import type { CapacitySnapshot } from './types';

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

/** One cluster's tick: what to plan, for how long, with which backends found for it. */
export interface ClusterTickRequest {
  config: ScaleTickConfig;
  cluster: string;
  backends: readonly CapacityBackend[];
  /** The invocation's end (less the Lambda's own reserve); the last reports keep REPORT_RESERVE_MS of it. */
  endsAt: number;
  tickId: string;
  o: CallOptions;
  event?: EventRequest;
}

/**
 * One cluster: read, plan, carry out, report. Never throws: a failure is the cluster's report.
 * It only sequences: every choice between the reads and the writes is a pure function of
 * tick-plan.ts / tick-choices.ts, every report is tick-report.ts's. With a fallback backend: when
 * capacity asked of the backend has not registered within the arrival time, the backend is lowered
 * by what did not arrive and backs off (BACKOFF_TAG), and the fallback is raised by what the same
 * planner asks of it; while the back-off lasts, scale-outs go to the fallback; scale-in drains the
 * fallback's instances first.
 */
export async function tickCluster(deps: TickDeps, req: ClusterTickRequest): Promise<ClusterTickReport> {
  const { clock, log } = deps;
  const { config, cluster, event, o } = req;
  const until = req.endsAt - REPORT_RESERVE_MS;
  const roles = rolesOf(cluster, req.backends);
  const started = { cluster, dryRun: config.dryRun, startedAt: clock.now() };
  if ('error' in roles) return errorReport(started, String(roles.error));
  // With tag discovery the tags only say where to look: ECS's membership decides among the claimants (backend-claims.ts).
  const byFacts = config.backends.size === 0;
  const { fallback } = roles;
  let primary: CapacityBackend = roles.primary;
  let conflict = byFacts ? roles.fallbackConflict : roles.conflict;
  let switched = false;
  let failures = 0;
  const base = () => ({ ...started, ...(conflict ? { conflict } : {}) });
  for (;;) {
    try {
      const now = clock.now();
      const extra = event?.demand ? await event.demand(o) : [];
      const rivals = byFacts ? roles.claimants.filter((b) => b !== primary) : [];
      const [p, f, others] = await Promise.all([primary.describe(o), fallback?.describe(o), describeRivals(rivals, o)]);
      const views = composeViews(p, f, now);
      const cs = settingsFor(config.defaults, primary.ref.tags);
      // Services a headroom window holds room for: their task size is read like that of a service needing room.
      const windowServices = new Set((cs.headroomWindows ?? []).map((w) => w.service));
      const read = await readCluster(deps.reads, cluster, views.both, now, o, views.ours, windowServices);
      if (byFacts) {
        const registered = new Set(read.snapshot.instances.map((i) => i.ec2InstanceId));
        const at = { now, arrivalMs: config.defaults.arrivalTimeoutMs, switched };
        const claim = resolveClaim(cluster, roles.claimants, primary, [p, ...others], registered, at, roles.fallbackConflict);
        conflict = claim.conflict;
        if (claim.next === 'error') return errorReport(base(), claim.error, primary);
        // Another claimant is the one ECS confirms: read the cluster again with it (only while a tag lies).
        if (claim.next === 'switch') {
          primary = claim.to;
          switched = true;
          continue;
        }
      }
      if (conflict) log.error('capacity backend conflict: the one ECS confirms keeps working', { cluster, conflict });
      const frame = frameTick(read, views, cs, extra, now);
      // A capacity failure the backend reported since the request makes the units still missing late at once.
      const failed = wantsLaunchFailures(views)
        ? await readCapacityFailure(deps.launchFailures, views.primary, frame.pIn, frame.lateByTime, now, log, o)
        : undefined;
      const late = lateUnits(frame, failed);
      let plan: RoundPlan;
      if (goesToFallback(views, late)) plan = planOnFallback(frame, views, late, failed, now, BACKOFF_MS);
      else {
        let decision = planCapacity(frame.read.snapshot, frame.settings, now);
        // Scale-in is possible: read the emptiest candidates' tasks, and more while every one read so far
        // is ruled out (batch jobs, protection), up to the planner's own bound of candidates examined.
        for (const limit of CANDIDATE_BATCHES) {
          if (!wantsCandidates(decision, frame.read.snapshot, frame.settings, now, event)) break;
          const before = knownCandidates(frame.read.snapshot).length;
          frame.read.snapshot = await readCandidates(deps.reads, frame.read, o, limit, config.drain.agentFamilies);
          decision = planCapacity(frame.read.snapshot, frame.settings, now);
          if (candidatesSettled(before, frame.read.snapshot)) break;
        }
        plan = planOnPlanner(frame, views, decision, now, config.scaleInDrainMaxMs, event);
      }
      const { decision, steps, reasons } = withRebalanceCallOffs(plan, frame.read, config.rebalanceDrainMaxMs, now, event);
      const message = config.dryRun ? 'capacity decision (dry run: nothing changed)' : 'capacity decision';
      log.info(message, { cluster, backend: refOf(primary), decision: decision.decision, reasons, steps });
      const results = await executeCapacitySteps(steps, {
        backend: primary,
        ...(fallback ? { fallback } : {}),
        setInstanceStatus: (arn, status, opts) => deps.setInstanceStatus(cluster, arn, status, opts),
        standaloneTasksOn: (arn, opts) => standaloneTasksOn(deps.reads, cluster, arn, config.drain.agentFamilies ?? [], opts),
        retire: retireOf(deps, cluster, req.backends, until, req.tickId),
        now: () => clock.now(),
        dryRun: config.dryRun,
        callOptions: o,
      });
      const outcome = outcomeOf(results);
      const again = retryAfterWrite(outcome, failures, clock.now(), until, jitterOf(clock));
      if (again.retry) {
        failures++;
        log.warn('capacity write refused; read, planned and written again', { cluster, attempt: failures });
        await clock.sleep(again.waitMs);
        continue;
      }
      // The report's counts come from the backend as it is now, when something changed it.
      const activeBackend = views.onFallback ? fallback! : primary;
      const after = outcome.changed ? await activeBackend.describe(o).catch(() => undefined) : views.active;
      const snapshot = frame.read.snapshot;
      const result = { primary, onFallback: views.onFallback, decision, reasons, snapshot, settings: frame.settings, results, outcome };
      return roundReport(base(), {
        ...result,
        ...(fallback ? { fallback } : {}),
        before: views.active,
        after,
        ...(event ? { event } : {}),
        now,
      });
    } catch (err) {
      // Reads failed (after the SDK's own retries) or the backend tags are bad: retry the cluster
      // while the invocation's time allows; a bad configuration is not retried (decided by its type).
      failures++;
      const error = errorMessage(err);
      const next = retryAfterFailure(err, failures, clock.now(), until, jitterOf(clock));
      if (!next.retry) {
        log.error('capacity tick failed for this cluster', { cluster, backend: refOf(primary), error, attempts: failures });
        return errorReport(base(), error, primary);
      }
      log.warn('capacity read failed; retried', { cluster, error, attempt: failures });
      await clock.sleep(next.waitMs);
    }
  }
}

/** The other claimants as they are now; one that cannot be read is not a candidate this round (it is never used unread). */
async function describeRivals(rivals: readonly CapacityBackend[], o: CallOptions): Promise<BackendView[]> {
  const views = await Promise.all(rivals.map((b) => b.describe(o).catch(() => undefined)));
  return views.filter((v): v is BackendView => v !== undefined);
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
    clearRebalanceMark: (step, o) => clearRebalanceMark(on(), step, o),
  };
}

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
