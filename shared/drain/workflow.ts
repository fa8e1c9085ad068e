import type { Clock } from '../lambda/clock';
import type { ContainerInstanceRef } from '../aws/ecs-container-instances';
import { MetricUnit, type Log, type MetricSink } from '../lambda/observability';
import type { DrainAdapters } from './ports';
import type { DrainConfig } from './config';
import { DrainReportBuilder, type DrainReport } from './report';
import { runDrain, type DrainRequest } from './run';

export interface DrainDeps {
  adapters: DrainAdapters;
  clock: Clock;
  log: Log;
}

/** Find the container instance of an EC2 instance across the configured clusters. */
export async function locate(deps: DrainDeps, config: DrainConfig, ec2InstanceId: string): Promise<ContainerInstanceRef | undefined> {
  const { found, skipped } = await deps.adapters.ecs.findContainerInstance(ec2InstanceId, config.clusters);
  if (skipped.length) deps.log.warn('clusters not searched', { skipped });
  return found;
}

/** The report for an EC2 instance that is in none of the clusters: a logged no-op. */
export function notInClusterReport(ec2InstanceId: string, noticeAt: number, deadline: number, now: number, dryRun: boolean): DrainReport {
  const b = new DrainReportBuilder({ ec2InstanceId, noticeAt, deadline, startedAt: now, dryRun });
  return b.finish('not-in-cluster', now, deadline);
}

/** Locate, then drain; an instance in no cluster is a no-op report, not an error. */
export async function drainEc2Instance(
  deps: DrainDeps,
  config: DrainConfig,
  req: Omit<DrainRequest, 'ref'> & { ec2InstanceId: string },
): Promise<DrainReport> {
  const ref = await locate(deps, config, req.ec2InstanceId);
  if (!ref) {
    deps.log.info('instance not in any cluster: nothing to drain', {
      ec2InstanceId: req.ec2InstanceId,
      clusters: config.clusters.length ? config.clusters : 'all clusters in the region',
    });
    return notInClusterReport(req.ec2InstanceId, req.noticeAt, req.deadline, deps.clock.now(), config.dryRun);
  }
  return runDrain(deps, config, { ...req, ref });
}

/** Drain outcome as metrics: camelCase counts plus seconds to spare. */
export function emitDrainMetrics(metrics: MetricSink, report: DrainReport): void {
  metrics.addMetric('tasksStopped', MetricUnit.Count, report.tasksStopped.service + report.tasksStopped.standalone);
  metrics.addMetric('standaloneTasksStopped', MetricUnit.Count, report.tasksStopped.standalone);
  metrics.addMetric('targetsDeregistered', MetricUnit.Count, report.targetsDeregistered);
  metrics.addMetric('drainFailures', MetricUnit.Count, report.failures.length);
  metrics.addMetric('secondsToSpare', MetricUnit.Seconds, report.secondsToSpare);
  metrics.addMetric(OUTCOME_METRIC[report.outcome], MetricUnit.Count, 1);
}

/** One camelCase count per outcome, so each can be graphed and alarmed on its own. */
const OUTCOME_METRIC: Record<DrainReport['outcome'], string> = {
  drained: 'drainsCompleted',
  'deadline-reached': 'drainsCutByDeadline',
  'handed-on': 'drainsHandedOn',
  'not-in-cluster': 'drainsNotInCluster',
  'dry-run': 'drainsDryRun',
};
