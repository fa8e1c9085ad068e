import { randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { QueueAdapter } from '../aws/sqs-queues';
import type { MetricSink } from '../lambda/observability';
import type { HandlerDeps } from '../lambda/runtime';
import { processSqsGroups } from '../lambda/sqs-batch';
import type { EventRequest } from './cluster-tick';
import type { EventScaleConfig } from './config';
import { publishReports } from './report';
import { scaleTick } from './tick';
import { capacityDeps } from './wiring';
import { sqsRecords } from '../lambda/sqs-event';

export type EventDeps = HandlerDeps<EventScaleConfig, 'ecs' | 'sqs' | 'autoscaling' | 'ec2'> & {
  /** The metrics sink of one cluster (dimension `cluster`); defaults to the function's own sink. */
  clusterMetrics?: (cluster: string) => MetricSink;
};

/** How one event function reads its messages and turns a cluster's batch into a re-plan. */
export interface EventKind<T extends { cluster: string }> {
  /** Named in logs and dead-letter messages. */
  source: string;
  kind: string;
  /** Throws EventValidationError naming each bad field (the message is dead-lettered). */
  parse(body: unknown): T;
  /** The cluster's re-plan, or undefined when nothing in the batch asks for capacity. */
  request(items: readonly T[], run: ReturnType<typeof capacityDeps>, d: EventDeps): EventRequest | undefined;
}

const INVOCATION_RESERVE_MS = 5_000;
const DEFAULT_BUDGET_MS = 25_000;

/**
 * An SQS-triggered scale-out function: every record parsed (malformed ⇒ dead-lettered), grouped by
 * cluster, each cluster re-planned once for the batch, scale-out only, with the tick's planner and
 * in-flight accounting. Failure semantics are processSqsGroups': a cluster that could not be
 * planned ⇒ its records are retried; the others are acknowledged.
 */
export function makeEventHandler<T extends { cluster: string }>(deps: () => EventDeps, k: EventKind<T>) {
  return async (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>): Promise<SQSBatchResponse> => {
    const d = deps();
    const budget = context?.getRemainingTimeInMillis?.() ?? DEFAULT_BUDGET_MS + INVOCATION_RESERVE_MS;
    const endsAt = d.clock.now() + budget - INVOCATION_RESERVE_MS;
    const run = capacityDeps(d.clients, d.clock, d.logger);
    return processSqsGroups(
      sqsRecords(event, k.source),
      (body) => k.parse(body),
      (x) => x.cluster,
      async (groups) => {
        const requests = new Map<string, EventRequest>();
        for (const [cluster, items] of groups) {
          const request = k.request(
            items.map((x) => x.item),
            run,
            d,
          );
          if (request) requests.set(cluster, request);
        }
        if (requests.size === 0) return new Map();
        const reports = await scaleTick(run, d.config, endsAt, (context?.awsRequestId ?? randomUUID()).slice(0, 8), requests);
        publishReports(d.logger, (c) => d.clusterMetrics?.(c) ?? d.metrics, reports);
        return new Map(reports.filter((r) => r.decision === 'error').map((r) => [r.cluster, r.error ?? 'error']));
      },
      {
        queues: new QueueAdapter(d.clients.sqs),
        queueName: d.config.queueName,
        deadLetterQueueName: d.config.deadLetterQueueName,
        retryAfterSeconds: 5,
        log: d.logger,
        source: k.source,
        kind: k.kind,
        clock: d.clock,
      },
    );
  };
}
