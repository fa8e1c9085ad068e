import type { Clock } from '../lambda/clock';
import { EventValidationError, errorMessage } from '../lambda/errors';
import type { TaskDefinitionsAdapter } from '../aws/ecs-task-definitions';
import type { GlueAdapter, PartitionFailure } from '../aws/glue-catalog';
import type { PartitionDefinition } from './catalog';
import { retryUntil, type Backoff } from '../aws/retry';
import { MetricUnit, type Log, type MetricSink } from '../lambda/observability';
import { mapLimit } from '../lambda/concurrency';
import type { PartitionsConfig } from './config';
import type { IsoDate } from './dates';
import { planPartitions, type TablePartitions } from './partition-plan';
import { tableDefinition } from './table-input';
import { planTables, restrictPlan, selectLogContainers, type Skipped, type TablePlan } from './table-plan';

export interface CatalogAdapters {
  glue: Pick<GlueAdapter, 'ensureDatabase' | 'listTables' | 'createTable' | 'updateTable' | 'createPartitions'>;
  taskDefinitions: Pick<TaskDefinitionsAdapter, 'discover'>;
}

export interface PartitionsDeps {
  adapters: CatalogAdapters;
  clock: Clock;
  log: Log;
  /** Re-sends of failed partitions stop before this (the invocation's time less a reserve); unbounded when absent. */
  endsAt?: number;
}

export interface PartitionsRequest {
  kind: 'daily' | 'backfill';
  dates: IsoDate[];
  /** Only these tables (backfill); all when absent. */
  tables?: string[];
}

export interface PartitionFailureReport {
  table: string;
  values: string[];
  code: string;
  message: string;
}

export interface PartitionsReport {
  kind: PartitionsRequest['kind'];
  dryRun: boolean;
  dates: { from: IsoDate; to: IsoDate; count: number };
  databaseCreated: boolean;
  families: { active: number; logContainers: number; failed: Array<{ family: string; reason: string }>; vanished: string[] };
  tables: {
    created: string[];
    updated: string[];
    partitioned: number;
    projected: number;
    foreign: number;
    skipped: Skipped[];
    failed: Array<{ table: string; action: 'create' | 'update'; error: string }>;
  };
  partitions: { requested: number; created: number; existing: number; calls: number; failed: PartitionFailureReport[] };
  durationMs: number;
}

/** Failed partition entries are re-sent after 0.5 s doubling to 8 s, jittered (LOGS_PARTITION_RETRIES rounds at most). */
const PARTITION_RETRY: Backoff = { baseMs: 500, capMs: 8_000 };

/** Thrown by a round whose entries did not all land; the last round's failures are reported. */
class PartitionsNotCreated extends Error {
  override readonly name = 'PartitionsNotCreated';
  constructor(
    message: string,
    /** Whether re-sending the failed entries can help. */
    readonly resend: boolean,
  ) {
    super(message);
  }
}

/**
 * Discover, plan, apply: make the tables and the partitions for `request.dates`. Returns the
 * report; failures are in it (never dropped) — `hasFailures` tells the caller to fail the
 * invocation so the trigger retries (every step is idempotent).
 */
export async function runLogPartitions(
  deps: PartitionsDeps,
  config: PartitionsConfig,
  request: PartitionsRequest,
): Promise<PartitionsReport> {
  const { glue, taskDefinitions } = deps.adapters;
  const started = deps.clock.now();
  const [discovery, existing] = await Promise.all([taskDefinitions.discover(config.concurrency), glue.listTables(config.database)]);
  const containers = selectLogContainers(discovery.taskDefinitions, config.logDrivers);

  let plan = planTables(containers, existing, config);
  if (request.tables) {
    const restricted = restrictPlan(plan, request.tables);
    if (restricted.unknown.length > 0) {
      throw new EventValidationError(
        'unknown tables in backfill',
        restricted.unknown.map((t) => `${t}: no such table in ${config.database} and none planned`),
      );
    }
    plan = restricted.plan;
  }
  logPlan(deps.log, plan);
  const partitionPlan = planPartitions(plan.partitionTargets, request.dates);
  // Only now, with the request known to be valid, is anything written.
  const databaseCreated = config.dryRun
    ? false
    : await glue.ensureDatabase(config.database, 'Container logs shipped by fluentd (ecs-steady)');

  const report = emptyReport(config, request, databaseCreated, plan);
  report.families = {
    active: discovery.taskDefinitions.length + discovery.failed.length,
    logContainers: containers.length,
    failed: discovery.failed,
    vanished: discovery.vanished,
  };
  report.partitions.requested = partitionPlan.reduce((n, t) => n + t.partitions.length, 0);
  if (discovery.failed.length > 0) deps.log.warn('task definition families not described', { failed: discovery.failed });

  if (config.dryRun) {
    deps.log.info('dry run: nothing changed', {
      create: plan.create.map((s) => s.name),
      update: plan.update,
      partitions: report.partitions.requested,
    });
  } else {
    await applyTables(deps, config, plan, report);
    const failedTables = new Set(report.tables.failed.filter((f) => f.action === 'create').map((f) => f.table));
    await mapLimit(
      partitionPlan.filter((t) => !failedTables.has(t.table)),
      config.concurrency,
      (t) => createPartitionsWithRetries(deps, config, t, report),
    );
  }
  report.durationMs = deps.clock.now() - started;
  return report;
}

async function applyTables(deps: PartitionsDeps, config: PartitionsConfig, plan: TablePlan, report: PartitionsReport): Promise<void> {
  await mapLimit(plan.create, config.concurrency, async (spec) => {
    try {
      const outcome = await deps.adapters.glue.createTable(config.database, tableDefinition(spec, config));
      if (outcome === 'created') report.tables.created.push(spec.name);
      deps.log.info(outcome === 'created' ? 'table created' : 'table appeared meanwhile', {
        table: spec.name,
        location: spec.location,
        projection: spec.projection,
      });
    } catch (err) {
      report.tables.failed.push({ table: spec.name, action: 'create', error: errorMessage(err) });
    }
  });
  await mapLimit(plan.update, config.concurrency, async ({ spec, reasons }) => {
    try {
      await deps.adapters.glue.updateTable(config.database, tableDefinition(spec, config));
      report.tables.updated.push(spec.name);
      deps.log.info('table updated', { table: spec.name, reasons });
    } catch (err) {
      report.tables.failed.push({ table: spec.name, action: 'update', error: errorMessage(err) });
    }
  });
  report.tables.created.sort();
  report.tables.updated.sort();
  report.tables.failed.sort((a, b) => a.table.localeCompare(b.table));
}

/** AlreadyExists is success; other per-entry errors are re-sent (bounded by rounds and the deadline), then reported. */
async function createPartitionsWithRetries(
  deps: PartitionsDeps,
  config: PartitionsConfig,
  t: TablePartitions,
  report: PartitionsReport,
): Promise<void> {
  const key = (values: readonly string[]) => values.join('/');
  let pending: PartitionDefinition[] = t.partitions;
  let failed: PartitionFailure[] = [];
  const outcome = await retryUntil(
    deps.endsAt ?? Infinity,
    async () => {
      const r = await deps.adapters.glue.createPartitions(config.database, t.table, pending);
      report.partitions.created += r.created;
      report.partitions.existing += r.existing;
      report.partitions.calls += r.calls;
      failed = r.failed;
      if (r.failed.length === 0) return;
      const failedKeys = new Set(r.failed.map((f) => key(f.values)));
      const retry = pending.filter((p) => failedKeys.has(key(p.values)));
      // Failures we cannot match back to what was sent are not re-sent: they are reported as they are.
      if (retry.length !== r.failed.length) throw new PartitionsNotCreated('failures do not match the entries sent', false);
      pending = retry;
      throw new PartitionsNotCreated(`${r.failed.length} partitions not created`, true);
    },
    {
      clock: deps.clock,
      backoff: PARTITION_RETRY,
      maxAttempts: config.partitionRetries + 1,
      classify: (err) => (err instanceof PartitionsNotCreated && err.resend ? 'retry' : 'stop'),
      onRetry: ({ attempt }) =>
        deps.log.warn('partitions failed; retrying', {
          table: t.table,
          round: attempt,
          failed: failed.map((f) => ({ values: f.values, code: f.code })),
        }),
    },
  );
  // createPartitions answers per-entry failures and does not throw: anything else thrown is not ours to hide.
  if (!outcome.ok && !(outcome.error instanceof PartitionsNotCreated)) throw outcome.error;
  report.partitions.failed.push(...failed.map((f) => ({ table: t.table, ...f })));
  if (failed.length > 0) deps.log.error('partitions not created', { table: t.table, failed });
}

function emptyReport(config: PartitionsConfig, request: PartitionsRequest, databaseCreated: boolean, plan: TablePlan): PartitionsReport {
  return {
    kind: request.kind,
    dryRun: config.dryRun,
    dates: { from: request.dates[0] ?? '', to: request.dates[request.dates.length - 1] ?? '', count: request.dates.length },
    databaseCreated,
    families: { active: 0, logContainers: 0, failed: [], vanished: [] },
    tables: {
      created: [],
      updated: [],
      partitioned: plan.partitionTargets.length,
      projected: plan.projected.length,
      foreign: plan.foreign.length,
      skipped: plan.skipped,
      failed: [],
    },
    partitions: { requested: 0, created: 0, existing: 0, calls: 0, failed: [] },
    durationMs: 0,
  };
}

function logPlan(log: Log, plan: TablePlan): void {
  // One line per skipped container or table, so a rejected name is easy to find.
  for (const s of plan.skipped) log.warn('table skipped', { ...s });
  log.info('table plan', {
    create: plan.create.length,
    update: plan.update.length,
    partitioned: plan.partitionTargets.length,
    projected: plan.projected.length,
    foreign: plan.foreign.length,
    skipped: plan.skipped.length,
  });
}

/** Anything the next run (the trigger's retry) should try again. */
export function hasFailures(report: PartitionsReport): boolean {
  return report.partitions.failed.length > 0 || report.tables.failed.length > 0 || report.families.failed.length > 0;
}

export function failureSummary(report: PartitionsReport): string {
  const p = report.partitions.failed;
  const sample = p.slice(0, 5).map((f) => `${f.table}[${f.values.join('/')}] ${f.code}`);
  return [
    `${p.length} partitions failed${sample.length ? ` (${sample.join(', ')}${p.length > sample.length ? ', …' : ''})` : ''}`,
    `${report.tables.failed.length} table changes failed${
      report.tables.failed.length
        ? ` (${report.tables.failed
            .map((f) => `${f.action} ${f.table}: ${f.error}`)
            .slice(0, 3)
            .join('; ')})`
        : ''
    }`,
    `${report.families.failed.length} task definition families not described`,
  ].join('; ');
}

export function emitPartitionsMetrics(metrics: MetricSink, report: PartitionsReport): void {
  metrics.addMetric('tablesCreated', MetricUnit.Count, report.tables.created.length);
  metrics.addMetric('tablesUpdated', MetricUnit.Count, report.tables.updated.length);
  metrics.addMetric('tablesSkipped', MetricUnit.Count, report.tables.skipped.length);
  metrics.addMetric('tableFailures', MetricUnit.Count, report.tables.failed.length);
  metrics.addMetric('partitionsCreated', MetricUnit.Count, report.partitions.created);
  metrics.addMetric('partitionsExisting', MetricUnit.Count, report.partitions.existing);
  metrics.addMetric('partitionsFailed', MetricUnit.Count, report.partitions.failed.length);
  metrics.addMetric('familiesNotDescribed', MetricUnit.Count, report.families.failed.length);
}
