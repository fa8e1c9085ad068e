import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { errorMessage, EventValidationError } from '../lambda/errors';
import type { MetricSink } from '../lambda/observability';
import type { HandlerDeps } from '../lambda/runtime';
import type { EventRequest } from './cluster-tick';
import type { EventScaleConfig } from './config';
import { runTaskRequest } from './events';
import { publishReports, type ClusterTickReport } from './report';
import { scaleTick, type TickDeps } from './tick';
import { capacityDeps } from './wiring';
import { parseCapacityMessage, type CapacityMessage } from './writer-messages';

export type WriterDeps = HandlerDeps<EventScaleConfig, 'ecs' | 'elbv2' | 'sns' | 'autoscaling' | 'ec2'> & {
  /** The metrics sink of one cluster (dimension `cluster`); defaults to the function's own sink. */
  clusterMetrics?: (cluster: string) => MetricSink;
  /** Retire's ports per cluster (shared/retire/wiring.ts), built on the function's clients: scale-in goes through it. */
  retire?: TickDeps['retire'];
  /** Every cluster report, as published (scenario tests and the demo read them). */
  onReports?: (reports: ClusterTickReport[]) => void;
};

/** Time kept back from the Lambda timeout for the reports and the batch response. */
const INVOCATION_RESERVE_MS = 10_000;
const DEFAULT_BUDGET_MS = 50_000;

/** One cluster's messages of this batch as one re-plan (a tick among them plans everything). */
export function requestOf(items: readonly CapacityMessage[], run: ReturnType<typeof capacityDeps>, d: WriterDeps): EventRequest {
  const at = Math.min(...items.map((m) => Date.parse(m.at)));
  const ticked = items.some((m) => m.kind === 'tick');
  const runTasks = items.flatMap((m) => (m.kind === 'run-task' ? [m] : []));
  const sized = runTaskRequest(
    run.ecs,
    runTasks.map((m) => ({
      cluster: m.cluster,
      taskDefinition: m.taskDefinition,
      count: m.count,
      at: Date.parse(m.at),
      resultId: m.id,
      addCapacity: true,
      reason: 'no room',
      ...(m.overrides ? { overrides: m.overrides } : {}),
      ...(m.cpu !== undefined && m.memory !== undefined ? { size: { cpu: m.cpu, memory: m.memory } } : {}),
    })),
    d.logger,
  );
  return {
    ...(sized?.demand ? { demand: sized.demand } : {}),
    triggeredAt: at,
    trigger: ticked ? 'scaleTick' : runTasks.length > 0 ? 'runTaskFailure' : 'placementFailure',
    scaleOutOnly: !ticked,
  };
}

/**
 * The one writer of absolute capacity: consumes the capacity FIFO queue, whose message group is
 * the cluster, so Lambda hands it one batch of a cluster at a time (docs/design/capacity-writer.md).
 * Per cluster in the batch: re-read, plan with the tick's planner, write, report (a refused write is
 * read, planned and written again inside the invocation while its time allows). Failure semantics:
 * not an SQS event ⇒ throws EventValidationError. A malformed message, a cluster that could not be
 * planned with demand among its records, or one whose capacity write (or its record) was still
 * refused: every record of that group is a batch item failure — FIFO keeps their order and the group
 * waits for the queue's visibility timeout, then they are received again; after maxReceiveCount
 * receives the redrive policy moves them, unchanged, to the capacity dead-letter queue. The other
 * clusters' records are acknowledged (met, covered by capacity in flight, or ruled out with a reason).
 * It sends nothing to SQS itself: its zip stays under the 400 kB the contract tests allow.
 */
export function makeWriterHandler(deps: () => WriterDeps) {
  return async (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>): Promise<SQSBatchResponse> => {
    const records = (event as Partial<SQSEvent> | undefined)?.Records;
    if (!Array.isArray(records) || records.some((r) => r?.eventSource !== 'aws:sqs'))
      throw new EventValidationError('capacityWriter expects an SQS event (Records of eventSource aws:sqs)');
    const d = deps();
    const budget = context?.getRemainingTimeInMillis?.() ?? DEFAULT_BUDGET_MS + INVOCATION_RESERVE_MS;
    const endsAt = d.clock.now() + budget - INVOCATION_RESERVE_MS;
    const run = capacityDeps(d.clients, d.clock, d.logger);
    const tickId = (context?.awsRequestId ?? `w${d.clock.now()}`).slice(0, 8);
    const failed: SQSRecord[] = [];
    const groups = new Map<string, Array<{ message: CapacityMessage; record: SQSRecord }>>();
    for (const record of records) {
      try {
        const message = parseCapacityMessage(JSON.parse(record.body));
        groups.set(message.cluster, [...(groups.get(message.cluster) ?? []), { message, record }]);
      } catch (err) {
        d.logger.error('malformed capacity message: kept for the redrive policy', {
          messageId: record.messageId,
          error: errorMessage(err),
        });
        failed.push(record);
      }
    }
    if (groups.size > 0) {
      const requests = new Map(
        [...groups].map(
          ([cluster, items]) =>
            [
              cluster,
              requestOf(
                items.map((x) => x.message),
                run,
                d,
              ),
            ] as const,
        ),
      );
      const reports = await scaleTick({ ...run, ...(d.retire ? { retire: d.retire } : {}) }, d.config, endsAt, tickId, requests);
      publishReports(d.logger, (c) => d.clusterMetrics?.(c) ?? d.metrics, reports);
      d.onReports?.(reports);
      for (const r of reports) {
        const items = groups.get(r.cluster) ?? [];
        // Kept for a retry: a refused write, or demand that could not be planned. A tick alone that could not be
        // planned is acknowledged: the next minute's tick re-plans (and a broken cluster never blocks its group).
        const why = r.retry ?? (r.decision === 'error' && items.some((x) => x.message.kind !== 'tick') ? (r.error ?? 'error') : undefined);
        if (!why) continue;
        d.logger.error('cluster not written; its records will be retried', { cluster: r.cluster, records: items.length, error: why });
        failed.push(...items.map((x) => x.record));
      }
    }
    return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.messageId })) };
  };
}
