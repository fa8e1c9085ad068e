import { setMaxListeners } from 'node:events';
import type { CallOptions } from '../aws/call';
import type { DrainSettings } from '../drain/config';
import type { DrainPorts } from '../drain/ports';
import { runDrain } from '../drain/run';
import { setTimer, type Clock } from '../lambda/clock';
import { mapLimit } from '../lambda/concurrency';
import { errorMessage } from '../lambda/errors';
import type { Log } from '../lambda/observability';
import { resolveHeadroom, settingsFor, type ScaleTickConfig } from './config';
import { notArrivedUnits } from './demand';
import { executeCapacitySteps } from './execute';
import { planCapacity, scaleInBlocks } from './plan';
import type { BackendDirectory, CapacityBackend } from './ports';
import type { CapacitySnapshot } from './types';
import type { ClusterTickReport } from './report';
import { readCandidates, readCluster, type CapacityReadPorts } from './snapshot';
import { planTick } from './steps';

export interface TickDeps {
  directory: BackendDirectory;
  reads: CapacityReadPorts;
  tagInstance(containerInstanceArn: string, tags: Record<string, string>, o?: CallOptions): Promise<void>;
  drainPorts: DrainPorts;
  clock: Clock;
  log: Log;
  random?: () => number;
}

/** First retry of a failed cluster read after this long, doubling, while the invocation's time allows. */
const READ_RETRY_MS = 1_000;
/** Time kept back at the end of the invocation for the last reports. */
const REPORT_RESERVE_MS = 5_000;

/**
 * A cluster re-planned at once for an event (a RunTask failure, a placement failure): only a
 * scale-out is carried out (scale-in, removals and drains stay the tick's); `extra` is the
 * demand the event names beyond what ECS shows (tasks RunTask could not place).
 */
export interface EventRequest {
  extra: NonNullable<CapacitySnapshot['extraDemand']>;
  /** When the trigger happened (RunTask's answer, the event's time): the latency metric starts here. */
  triggeredAt: number;
  trigger: string;
}

/**
 * One tick over every managed cluster: find the backends (one pass for the account), then per
 * cluster, `concurrency` at a time and each isolated (one broken cluster never stops the
 * others): read, plan, carry out, report. Never throws for a cluster's failure: its report says
 * what failed. `endsAt` bounds everything (the Lambda's time less a reserve).
 */
export async function scaleTick(
  deps: TickDeps,
  config: ScaleTickConfig,
  endsAt: number,
  tickId: string,
  /** Event mode: only these clusters, scale-out only. */
  events?: ReadonlyMap<string, EventRequest>,
): Promise<ClusterTickReport[]> {
  // Every call is aborted when the invocation's time is up, on the tick's own clock.
  const controller = new AbortController();
  // Every concurrent call of every cluster listens on this one signal (each removes its listener when done).
  setMaxListeners(0, controller.signal);
  const o: CallOptions = { signal: controller.signal };
  const cancel = setTimer(deps.clock, endsAt, () => controller.abort(new Error('the tick time is up')));
  try {
    const found = await deps.directory.discover(config.backends, o);
    const managed = config.clusters.length > 0 ? config.clusters : [...found.keys()].sort();
    const clusters = events ? [...events.keys()].sort() : managed;
    return await mapLimit(clusters, config.concurrency, (cluster) =>
      !events || managed.includes(cluster)
        ? tickCluster(deps, config, cluster, found.get(cluster) ?? [], endsAt, tickId, o, events?.get(cluster))
        : Promise.resolve(notManaged(cluster, config, deps.clock.now())),
    );
  } finally {
    cancel();
  }
}

function notManaged(cluster: string, config: ScaleTickConfig, now: number): ClusterTickReport {
  return {
    cluster,
    dryRun: config.dryRun,
    startedAt: now,
    decision: 'none',
    reasons: [`cluster ${cluster} is not managed here (CLUSTERS, or no backend tagged ecs-steady:cluster=${cluster}): left alone`],
    steps: [],
  };
}

async function tickCluster(
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
  const startedAt = clock.now();
  const base = { cluster, dryRun: config.dryRun, startedAt };
  if (backends.length !== 1) {
    const error =
      backends.length === 0
        ? `no capacity backend: tag an ASG, EC2 Fleet or Spot Fleet request with ecs-steady:cluster=${cluster}, or name it in CAPACITY_BACKENDS`
        : `${backends.length} capacity backends (${backends.map((b) => `${b.ref.kind} ${b.ref.id}`).join(', ')}): exactly one per cluster`;
    return { ...base, decision: 'error', error, reasons: [], steps: [] };
  }
  const backend = backends[0]!;
  const ref = { kind: backend.ref.kind, id: backend.ref.id };
  let failures = 0;
  for (;;) {
    try {
      const now = clock.now();
      const cs = settingsFor(config.defaults, backend.ref.tags);
      const view = await backend.describe(o);
      const read = await readCluster(deps.reads, cluster, view, now, o);
      if (event && event.extra.length > 0) read.snapshot.extraDemand = event.extra;
      const settings = resolveHeadroom(cs, read.snapshot.backend.shapes);
      let decision = planCapacity(read.snapshot, settings, now);
      if (!event && decision.decision === 'none' && scaleInBlocks(read.snapshot, settings, now).length === 0) {
        read.snapshot = await readCandidates(deps.reads, read, o);
        decision = planCapacity(read.snapshot, settings, now);
      }
      if (event && decision.decision !== 'scale-out' && decision.decision !== 'none')
        decision = {
          ...decision,
          decision: 'none',
          reasons: [...decision.reasons, `${decision.decision} is left to the tick: ${event.trigger} only scales out`],
        };
      const plan = planTick(read, decision, now, config.scaleInDrainMaxMs, event ? 'scale-out-only' : 'all');
      const reasons = [...decision.reasons, ...plan.reasons, ...read.warnings];
      log.info(config.dryRun ? 'capacity decision (dry run: nothing changed)' : 'capacity decision', {
        cluster,
        backend: ref,
        decision: decision.decision,
        reasons,
        steps: plan.steps,
      });
      const drainSettings: DrainSettings & { clusters: string[] } = {
        ...config.drain,
        dryRun: config.dryRun,
        maxWaitMs: config.scaleInDrainMaxMs,
        clusters: [cluster],
      };
      const results = await executeCapacitySteps(plan.steps, {
        backend,
        tagInstance: (arn, tags, opts) => deps.tagInstance(arn, tags, opts),
        drain: (step) =>
          runDrain(
            // A scale-in drain spans ticks: when this invocation's time is up, the next tick resumes it (the instance carries the mark).
            { ports: { ...deps.drainPorts, handOn: async () => undefined }, clock, log, ...(deps.random ? { random: deps.random } : {}) },
            drainSettings,
            {
              ec2InstanceId: step.ec2InstanceId,
              noticeAt: step.startedAt,
              startedAt: step.startedAt,
              deadline: step.deadline,
              stepEndsAt: endsAt - REPORT_RESERVE_MS,
              resumed: step.resumed,
              drainId: `scale-in-${tickId}`,
            },
          ),
        now: () => clock.now(),
        dryRun: config.dryRun,
        callOptions: o,
      });
      // The report's counts come from the backend as it is now, when something changed it.
      const changed = results.some((r) => r.ok && !r.skipped && (r.step.kind === 'setDesired' || r.step.kind === 'remove'));
      const requested = results.find((r) => r.step.kind === 'setDesired' && r.ok && !r.skipped);
      const after = changed ? await backend.describe(o).catch(() => undefined) : view;
      return {
        ...base,
        backend: ref,
        decision: decision.decision,
        reasons,
        reservation: decision.reservation,
        counts: after?.counts ?? view.counts,
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
        steps: results.map((r) => ({
          kind: r.step.kind,
          ...('ec2InstanceId' in r.step ? { ec2InstanceId: r.step.ec2InstanceId } : {}),
          ok: r.ok,
          ...(r.skipped ? { skipped: r.skipped } : {}),
          ...(r.error ? { error: r.error } : {}),
          ...(r.detail ? { detail: r.detail } : {}),
        })),
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
