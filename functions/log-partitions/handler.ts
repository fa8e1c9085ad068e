import type { Context } from 'aws-lambda';
import { ECSClient } from '@aws-sdk/client-ecs';
import { GlueClient } from '@aws-sdk/client-glue';
import { TaskDefinitionsAdapter } from '../../shared/aws/ecs-task-definitions';
import { TransientError } from '../../shared/lambda/errors';
import { GlueAdapter } from '../../shared/aws/glue-catalog';
import { parsePartitionsConfig, type PartitionsConfig } from '../../shared/logs/config';
import { parseLogPartitionsEvent } from '../../shared/logs/events';
import { datesFor } from '../../shared/logs/partition-plan';
import {
  emitPartitionsMetrics,
  failureSummary,
  hasFailures,
  runLogPartitions,
  type PartitionsReport,
} from '../../shared/logs/partitions-run';
import { lambdaRuntime, type HandlerDeps } from '../../shared/lambda/runtime';
import { wrap } from '../../shared/lambda/wrap';

export type Deps = HandlerDeps<PartitionsConfig, 'ecs' | 'glue'>;

/** Time kept back from the Lambda timeout for the report. */
const INVOCATION_RESERVE_MS = 5_000;

/**
 * Daily schedule (or `{}`): tables for every fluentd/firelens container, partitions for today
 * and tomorrow. `{from, to, tables?}`: a bounded backfill. Returns ⇒ everything was made;
 * throws ⇒ a malformed event, or some partitions/tables failed after in-run retries (the
 * report is logged first) and the async retry runs it again — every step is idempotent.
 */
export function makeHandler(deps: () => Deps) {
  return async (event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<PartitionsReport> => {
    const d = deps();
    const remaining = context?.getRemainingTimeInMillis?.();
    const request = parseLogPartitionsEvent(event);
    const dates = datesFor(request, d.clock.now(), d.config);
    const report = await runLogPartitions(
      {
        adapters: { glue: new GlueAdapter(d.clients.glue), taskDefinitions: new TaskDefinitionsAdapter(d.clients.ecs) },
        clock: d.clock,
        log: d.logger,
        // Re-sends of failed partitions stop short of the Lambda timeout, so the report is always logged.
        ...(remaining !== undefined ? { endsAt: d.clock.now() + remaining - INVOCATION_RESERVE_MS } : {}),
      },
      d.config,
      { kind: request.kind, dates, ...(request.kind === 'backfill' && request.tables ? { tables: request.tables } : {}) },
    );
    d.logger.info('partitions report', { report });
    emitPartitionsMetrics(d.metrics, report);
    if (hasFailures(report)) throw new TransientError(`logPartitions incomplete: ${failureSummary(report)}`);
    return report;
  };
}

const runtime = lambdaRuntime('logPartitions', parsePartitionsConfig, { ecs: ECSClient, glue: GlueClient }, (config) => ({
  ...config,
  projectionTables: config.projectionTables === 'all' ? 'all' : [...config.projectionTables],
}));

export const handler = wrap(makeHandler(runtime.deps), runtime.logger, runtime.metrics, runtime.tracer);
