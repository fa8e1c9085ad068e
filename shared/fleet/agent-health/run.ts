import { setMaxListeners } from 'node:events';
import type { CallOptions } from '../../aws/call';
import type { RetireBackend } from '../../retire/ports';
import { carryOutRetire, markRetiring, unmarkRetiring } from '../../retire/run';
import { setTimer, type Clock } from '../../lambda/clock';
import { mapLimit } from '../../lambda/concurrency';
import { errorMessage } from '../../lambda/errors';
import type { Log } from '../../lambda/observability';
import type { AgentHealthConfig } from './config';
import { executeAgentSteps } from './execute';
import type { AgentHealthRequest } from './messages';
import { planAgentHealth } from './plan';
import type { AgentHealthPorts } from './ports';
import { clusterReport, type AgentHealthClusterReport } from './report';
import { readClusterHealth } from './snapshot';

export interface AgentHealthDeps {
  ports: AgentHealthPorts;
  clock: Clock;
  log: Log;
}

/**
 * One run: find the backends (one pass for the account), then per cluster, `concurrency` at a
 * time and each isolated (one broken cluster never stops the others): read, plan, log, carry out,
 * report. A state-change event runs its own cluster only, with the event's time as the
 * disconnect's start. Never throws for a cluster's failure: its report says what failed. `endsAt`
 * bounds every call and every drain (the Lambda's time less a reserve).
 */
export async function runAgentHealth(
  deps: AgentHealthDeps,
  config: AgentHealthConfig,
  request: AgentHealthRequest,
  endsAt: number,
  runId: string,
): Promise<AgentHealthClusterReport[]> {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal); // every concurrent call of every cluster listens on it
  const o: CallOptions = { signal: controller.signal };
  const cancel = setTimer(deps.clock, endsAt, () => controller.abort(new Error('the run time is up')));
  try {
    let found;
    try {
      found = await deps.ports.directory.discover(config.backends, o);
    } catch (err) {
      // Nothing to decide on for any cluster; the next run tries again (an event's cluster is in it).
      const known = request.kind === 'state-change' ? [request.cluster] : config.clusters.length > 0 ? config.clusters : ['(all)'];
      const why = `the capacity backends could not be discovered: ${errorMessage(err)}`;
      deps.log.error('agent health run failed before any cluster', { error: why });
      return known.map((c) => emptyReport(c, config, deps.clock.now(), 'error', why));
    }
    const managed = config.clusters.length > 0 ? config.clusters : [...found.keys()].sort();
    const clusters = request.kind === 'state-change' ? [request.cluster] : managed;
    const hints = new Map<string, number>();
    if (request.kind === 'state-change' && !request.agentConnected) hints.set(request.ec2InstanceId, request.at);
    return await mapLimit(clusters, config.concurrency, (cluster) =>
      managed.includes(cluster)
        ? checkCluster(deps, config, cluster, found.get(cluster) ?? [], hints, endsAt, runId, o)
        : Promise.resolve(
            emptyReport(
              cluster,
              config,
              deps.clock.now(),
              'not-managed',
              `cluster ${cluster} is not watched here (CLUSTERS, or no backend tagged ecs-steady:cluster=${cluster}): left alone`,
            ),
          ),
    );
  } finally {
    cancel();
  }
}

async function checkCluster(
  deps: AgentHealthDeps,
  config: AgentHealthConfig,
  cluster: string,
  backends: readonly RetireBackend[],
  hints: ReadonlyMap<string, number>,
  endsAt: number,
  runId: string,
  o: CallOptions,
): Promise<AgentHealthClusterReport> {
  const startedAt = deps.clock.now();
  try {
    const { read, warnings } = await readClusterHealth(deps.ports, cluster, backends, o);
    const now = deps.clock.now();
    const plan = planAgentHealth(read, config, now, hints);
    if (plan.steps.length > 0 || plan.breaker)
      deps.log.info(config.reportOnly ? 'agent health plan (report-only: only our records change)' : 'agent health plan', {
        cluster,
        steps: plan.steps.map((s) => `${s.kind} ${s.ec2InstanceId}`),
        reasons: plan.reasons,
      });
    const retire = { ports: deps.ports.retire(cluster, backends), log: deps.log };
    const results = await executeAgentSteps(plan.steps, {
      putRecords: (arn, records, co) => deps.ports.putRecords(cluster, arn, records, co),
      deleteRecords: (arn, names, co) => deps.ports.deleteRecords(cluster, arn, names, co),
      retire: {
        mark: (req, at, co) => markRetiring(retire, req, at, co),
        unmark: (arn, co) => unmarkRetiring(retire, arn, false, co),
        carryOut: (req, co) => carryOutRetire(retire, req, endsAt, `agent-health-${runId}`, co),
      },
      reportOnly: config.reportOnly,
      callOptions: o,
    });
    return clusterReport(
      {
        cluster,
        reportOnly: config.reportOnly,
        startedAt: new Date(startedAt).toISOString(),
        instances: read.instances.length,
        disconnected: read.instances.filter((i) => !i.agentConnected).length,
        warnings,
      },
      plan,
      results,
    );
  } catch (err) {
    deps.log.error('agent health check failed for a cluster; the others go on', { cluster, error: errorMessage(err) });
    return emptyReport(cluster, config, startedAt, 'error', errorMessage(err));
  }
}

function emptyReport(
  cluster: string,
  config: AgentHealthConfig,
  at: number,
  outcome: 'error' | 'not-managed',
  why: string,
): AgentHealthClusterReport {
  return {
    cluster,
    reportOnly: config.reportOnly,
    startedAt: new Date(at).toISOString(),
    outcome,
    ...(outcome === 'error' ? { error: why } : {}),
    instances: 0,
    disconnected: 0,
    verdicts: [],
    steps: [],
    replaced: [],
    drains: [],
    warnings: [],
    reasons: [why],
  };
}
