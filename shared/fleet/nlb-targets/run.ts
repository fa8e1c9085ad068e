import { setMaxListeners } from 'node:events';
import type { CallOptions } from '../../aws/call';
import { setTimer, type Clock } from '../../lambda/clock';
import { errorMessage } from '../../lambda/errors';
import type { Log } from '../../lambda/observability';
import type { NlbTargetsConfig, TargetGroupBinding } from './config';
import { executeNlbSteps } from './execute';
import type { SyncRequest } from './messages';
import { planNlbTargets, type NlbSnapshot } from './plan';
import type { NlbTargetPorts } from './ports';
import { bindingReport, failedReport, type BindingReport } from './report';
import { readCluster, readInstance } from './snapshot';

export interface SyncDeps {
  ports: NlbTargetPorts;
  clock: Clock;
  log: Log;
}

export interface SyncReport {
  request: SyncRequest['kind'];
  eventId: string;
  dryRun: boolean;
  /** Why nothing was looked at (an event of a cluster that has no binding). */
  skipped?: string;
  bindings: BindingReport[];
}

/**
 * One sync: a reconcile reads every bound cluster whole; a container-instance event reads that
 * instance only (the whole cluster when EC2 no longer gives its IP); a Spot notice takes the
 * instance's IP out of every group whose cluster it belongs to, at once. Bindings are synced side
 * by side and fail alone. Returns ⇒ a report for every binding looked at; throws only for a bug.
 */
export async function syncTargets(deps: SyncDeps, config: NlbTargetsConfig, request: SyncRequest, endsAt: number): Promise<SyncReport> {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const o: CallOptions = { signal: controller.signal };
  const cancel = setTimer(deps.clock, endsAt, () => controller.abort(new Error('the invocation time is up')));
  const base = { request: request.kind, eventId: request.eventId, dryRun: config.dryRun };
  try {
    const bindings = request.kind === 'instance' ? config.bindings.filter((b) => b.cluster === request.cluster) : config.bindings;
    if (bindings.length === 0) {
      return {
        ...base,
        skipped: `cluster ${request.kind === 'instance' ? request.cluster : '?'} has no target group in NLB_TARGETS: left alone`,
        bindings: [],
      };
    }
    const reports = await Promise.all(bindings.map((b) => syncBinding(deps, config, request, b, o)));
    return { ...base, bindings: reports.filter((r): r is BindingReport => r !== undefined) };
  } finally {
    cancel();
  }
}

async function syncBinding(
  deps: SyncDeps,
  config: NlbTargetsConfig,
  request: SyncRequest,
  binding: TargetGroupBinding,
  o: CallOptions,
): Promise<BindingReport | undefined> {
  const { ports } = deps;
  const head = { cluster: binding.cluster, targetGroupArn: binding.targetGroupArn, port: binding.port };
  let scope: BindingReport['scope'] = request.kind === 'reconcile' ? 'cluster' : 'instances';
  try {
    let snapshot: NlbSnapshot | undefined;
    if (request.kind !== 'reconcile') {
      const spot = request.kind === 'spot';
      snapshot = await readInstance(ports, binding, request.ec2InstanceId, { interrupted: spot, mustBeMember: spot }, o);
      if (!snapshot && spot) return undefined; // not this cluster's instance (or already gone): nothing of ours to take out
    }
    if (!snapshot) {
      scope = 'cluster';
      snapshot = await readCluster(ports, binding, config.prune, o);
    }
    const plan = planNlbTargets(snapshot, { prune: config.prune }, deps.clock.now());
    const steps = plan.steps.map((s) =>
      s.kind === 'markInterrupted' ? { kind: s.kind, instance: s.ec2InstanceId } : { kind: s.kind, targets: s.targets.length },
    );
    deps.log.info('nlb target plan', { ...head, scope, steps });
    const results = await executeNlbSteps(ports, plan.steps, config.dryRun, o);
    let end = snapshot.targets;
    try {
      if (results.some((r) => r.applied)) end = await ports.groupTargets(binding.targetGroupArn, o);
    } catch (err) {
      // What was asked is known, what ELBv2 made of it is not: say so rather than count it.
      const sent = results.flatMap((r) => r.failures.map((f) => `${r.step.kind}: ${f.reason}`));
      const report = failedReport({ ...head, scope }, `steps sent; the group could not be read after them: ${errorMessage(err)}`);
      return { ...report, decisions: plan.decisions, failures: [...report.failures, ...sent] };
    }
    return bindingReport({ ...head, scope }, plan, results, end, config.dryRun, snapshot.readFailures);
  } catch (err) {
    return failedReport({ ...head, scope }, errorMessage(err));
  }
}
