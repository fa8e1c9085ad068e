import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { makeHandler } from '../../functions/capacity-writer/handler';
import { parseEventScaleConfig } from '../../shared/capacity/config';
import type { ClusterTickReport } from '../../shared/capacity/report';
import type { SimulatedAccount } from '../../sim/account';
import { SqsPoller, type SqsPollerOptions } from '../../sim/sqs-poller';
import { recordingLogger, recordingMetrics, recordingPerDimension } from './recorders';
import { loadServerlessConfig } from './serverless-config';

export const CAPACITY_QUEUE = 'ecs-steady-test-capacity.fifo';
export const CAPACITY_DLQ = 'ecs-steady-test-capacity-dead-letter.fifo';
export const DEAD_LETTER = 'ecs-steady-test-dead-letter';

let loaded: ReturnType<typeof loadServerlessConfig> | undefined;
const cachedConfig = () => (loaded ??= loadServerlessConfig());

/** The capacity queue's settings and the writer's event source as serverless.yml deploys them. */
export function deployedWriterSettings() {
  const sls = cachedConfig();
  const fn = sls.functions.capacityWriter as {
    timeout?: number;
    events?: Array<{ sqs?: { batchSize?: number; maximumConcurrency?: number } }>;
  };
  const sqs = fn.events!.find((e) => e.sqs)!.sqs!;
  const q = sls.resources!.Resources!.CapacityQueue!.Properties as Record<string, unknown>;
  const redrive = q.RedrivePolicy as { maxReceiveCount: number };
  return {
    timeoutMs: (fn.timeout ?? 60) * 1000,
    batchSize: sqs.batchSize ?? 10,
    concurrency: sqs.maximumConcurrency ?? 5,
    visibilityTimeoutSeconds: Number(q.VisibilityTimeout),
    retentionSeconds: Number(q.MessageRetentionPeriod),
    maxReceiveCount: redrive.maxReceiveCount,
  };
}

/**
 * The capacity writer behind its FIFO queue on the simulated account (the queue shared by every
 * trigger on that account), consumed by a model of Lambda's SQS event source mapping with the
 * batch size, concurrency, visibility timeout and maxReceiveCount serverless.yml deploys.
 */
export function capacityWriter(account: SimulatedAccount, env: Record<string, string> = {}, options: SqsPollerOptions = {}) {
  const s = deployedWriterSettings();
  const queueUrl = account.sqs.createQueue(CAPACITY_QUEUE, {
    FifoQueue: 'true',
    VisibilityTimeout: String(s.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(s.retentionSeconds),
  });
  const dlqUrl = account.sqs.createQueue(CAPACITY_DLQ, { FifoQueue: 'true' });
  account.sqs.createQueue(DEAD_LETTER);
  const logger = recordingLogger();
  const metrics = recordingMetrics();
  const { sinkFor: clusterMetrics, sinks: perCluster } = recordingPerDimension();
  const reports: ClusterTickReport[] = [];
  const config = parseEventScaleConfig({ QUEUE_NAME: CAPACITY_QUEUE, DEAD_LETTER_QUEUE_NAME: DEAD_LETTER, ...env });
  const handler = makeHandler(() => ({
    clients: account.clients(),
    config,
    clock: account.clock,
    logger,
    metrics,
    clusterMetrics,
    onReports: (r) => reports.push(...r),
  }));
  const poller = new SqsPoller(account, queueUrl, (e: SQSEvent, c) => handler(e, c) as Promise<SQSBatchResponse>, {
    batchSize: s.batchSize,
    concurrency: s.concurrency,
    visibilityTimeoutSeconds: s.visibilityTimeoutSeconds,
    timeoutMs: s.timeoutMs,
    maxReceiveCount: s.maxReceiveCount,
    deadLetterUrl: dlqUrl,
    pollMs: 200,
    ...options,
  });
  /** Consume until the queue is empty and nothing runs, at most `forMs` of simulated time. */
  const drain = (forMs = 60_000) => poller.run({ until: account.clock.now() + forMs, untilIdle: true });
  return { handler, poller, drain, queueUrl, dlqUrl, reports, logger, metrics, clusterMetrics: perCluster, config };
}
