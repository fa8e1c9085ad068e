import { randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { QueueAdapter } from '../../shared/aws/sqs-queues';
import { parseEventScaleConfig, type EventScaleConfig } from '../../shared/capacity/config';
import { runTaskRequest } from '../../shared/capacity/events';
import { parseRunTaskResult } from '../../shared/capacity/messages';
import { publishReports } from '../../shared/capacity/report';
import { scaleTick, type EventRequest } from '../../shared/capacity/tick';
import { capacityDeps } from '../../shared/capacity/wiring';
import type { MetricSink } from '../../shared/lambda/observability';
import { lambdaRuntime, type HandlerDeps } from '../../shared/lambda/runtime';
import { processSqsGroups } from '../../shared/lambda/sqs-batch';
import { wrap } from '../../shared/lambda/wrap';

export type Deps = HandlerDeps<EventScaleConfig, 'ecs' | 'sqs' | 'autoscaling' | 'ec2'> & {
  clusterMetrics?: (cluster: string) => MetricSink;
};

const INVOCATION_RESERVE_MS = 5_000;
const DEFAULT_BUDGET_MS = 25_000;

/**
 * SQS batch of RunTask results (published by job launchers to an SNS topic): the clusters
 * whose tasks found no room scale out in this invocation, sized to the failed tasks, one
 * decision per cluster for the whole batch. Failure semantics are processSqsGroups': a
 * malformed message ⇒ dead-lettered naming each bad field; a cluster that could not be
 * planned ⇒ its records are retried; the others are acknowledged. A duplicate message adds
 * nothing: the capacity it asked for is in flight, counted as coming.
 */
export function makeHandler(deps: () => Deps) {
  return async (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>): Promise<SQSBatchResponse> => {
    const d = deps();
    const endsAt =
      d.clock.now() + (context?.getRemainingTimeInMillis?.() ?? DEFAULT_BUDGET_MS + INVOCATION_RESERVE_MS) - INVOCATION_RESERVE_MS;
    const run = capacityDeps(d.clients, d.clock, d.logger);
    return processSqsGroups(
      event.Records ?? [],
      (body) => parseRunTaskResult(body),
      (s) => s.cluster,
      async (groups) => {
        const failed = new Map<string, string>();
        const requests = new Map<string, EventRequest>();
        for (const [cluster, items] of groups) {
          const request = runTaskRequest(
            run.ecs,
            items.map((x) => x.item),
            d.logger,
          );
          if (request) requests.set(cluster, request);
        }
        if (requests.size === 0) return failed;
        const reports = await scaleTick(run, d.config, endsAt, (context?.awsRequestId ?? randomUUID()).slice(0, 8), requests);
        publishReports(d.logger, (c) => d.clusterMetrics?.(c) ?? d.metrics, reports);
        for (const r of reports) if (r.decision === 'error') failed.set(r.cluster, r.error ?? 'error');
        return failed;
      },
      {
        queues: new QueueAdapter(d.clients.sqs),
        queueName: d.config.queueName,
        deadLetterQueueName: d.config.deadLetterQueueName,
        retryAfterSeconds: 5,
        log: d.logger,
        source: 'runTaskFailure',
        kind: 'run-task-result',
        clock: d.clock,
      },
    );
  };
}

const runtime = lambdaRuntime('runTaskFailure', parseEventScaleConfig, {
  ecs: ECSClient,
  sqs: SQSClient,
  autoscaling: AutoScalingClient,
  ec2: EC2Client,
});

const clusterMetrics = (cluster: string): MetricSink => {
  const m = runtime.metrics.singleMetric();
  m.addDimension('cluster', cluster);
  return m;
};

export const handler = wrap(
  makeHandler(() => ({ ...runtime.deps(), clusterMetrics })),
  runtime.logger,
  runtime.metrics,
);
