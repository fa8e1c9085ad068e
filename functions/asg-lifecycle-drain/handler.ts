import { randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LifecycleAdapter } from '../../shared/aws/autoscaling-lifecycle';
import { QueueAdapter } from '../../shared/aws/sqs-queues';
import { parseAsgDrainConfig, type AsgDrainConfig } from '../../shared/drain/config';
import { parseAsgMessage, type AsgMessage } from '../../shared/drain/messages';
import { drainPorts, withWaveReads } from '../../shared/drain/ports';
import { emitDrainError, emitDrainMetrics } from '../../shared/drain/report';
import { wavePorts } from '../../shared/drain/wave-ports';
import { lambdaRuntime, type HandlerDeps } from '../../shared/lambda/runtime';
import { lifecycleRequest, retireForLifecycle } from '../../shared/retire/notices';
import { errorMessage } from '../../shared/lambda/errors';
import { processSqsGroups } from '../../shared/lambda/sqs-batch';
import { sqsRecords } from '../../shared/lambda/sqs-event';
import { wrap } from '../../shared/lambda/wrap';

export type Deps = HandlerDeps<AsgDrainConfig, 'ecs' | 'elbv2' | 'sns' | 'sqs' | 'autoscaling'>;

/** Time kept back from the Lambda timeout for the last calls (complete, hand-on, report). */
const INVOCATION_RESERVE_MS = 30_000;

/**
 * SQS batch of ASG terminate lifecycle events (and our own continuations), one drain step per
 * record, every record of the batch at once through one set of wave ports: hooks that fire
 * together (a scale-in of many instances) are drained together, one lookup and one call per
 * target group for all of them (shared/drain/wave-ports.ts). Failure semantics are
 * processSqsGroups': malformed ⇒ dead-lettered with each bad field named, and acknowledged; a
 * thrown error ⇒ that record retried soon, dead-lettered by the redrive policy. AWS failures
 * inside a drain do not throw: the drain retries them with backoff and hands on with
 * heartbeats, so only the deadline ends it.
 */
export function makeHandler(deps: () => Deps) {
  const queuesOf = new WeakMap<object, QueueAdapter>(); // one adapter (and queue-URL cache) per container
  return async (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>): Promise<SQSBatchResponse> => {
    const d = deps();
    let queues = queuesOf.get(d.clients.sqs);
    if (!queues) queuesOf.set(d.clients.sqs, (queues = new QueueAdapter(d.clients.sqs)));
    const records = sqsRecords(event, 'asgLifecycleDrain');
    const base = withWaveReads(drainPorts(d.clients), d.clients);
    const stepDeps = {
      ports: records.length > 1 ? wavePorts(base, d.clock, d.config.clusters) : base,
      clock: d.clock,
      log: d.logger,
      lifecycle: new LifecycleAdapter(d.clients.autoscaling),
      queues,
      ...(d.region ? { region: d.region } : {}),
    };
    const remaining = context?.getRemainingTimeInMillis?.() ?? d.config.stepMs + INVOCATION_RESERVE_MS;
    const invocationEndsAt = d.clock.now() + remaining - INVOCATION_RESERVE_MS;
    const drainId = (context?.awsRequestId ?? randomUUID()).slice(0, 8);
    const step = async (message: AsgMessage): Promise<void> => {
      let result;
      try {
        // A lifecycle action of our hook is a retirement (reason lifecycle-hook, then complete-lifecycle), carried out by retire.
        const request = lifecycleRequest(message, d.clock.now(), d.config.drainMaxMs);
        if (request) d.logger.debug('retire request', { request });
        result = await retireForLifecycle(stepDeps, d.config, message, invocationEndsAt, drainId);
      } catch (err) {
        emitDrainError(d.metrics);
        throw err;
      }
      if (!result.report) return;
      d.logger.info('drain step done', {
        step: result.step,
        outcome: result.report.outcome,
        lifecycle: result.report.lifecycle,
        report: result.report,
      });
      emitDrainMetrics(d.metrics, result.report);
    };

    return processSqsGroups(
      records,
      (body) => parseAsgMessage(body, d.config.hookNames),
      (_message, record) => record.messageId,
      async (groups) => {
        const failed = new Map<string, string>();
        await Promise.all(
          [...groups].map(([id, [only]]) => step(only!.item).catch((err: unknown) => void failed.set(id, errorMessage(err)))),
        );
        return failed;
      },
      {
        queues,
        queueName: d.config.drainQueueName,
        deadLetterQueueName: d.config.deadLetterQueueName,
        retryAfterSeconds: d.config.pollMs / 1000,
        log: d.logger,
        source: 'asgLifecycleDrain',
        kind: 'asg-drain-message',
        clock: d.clock,
      },
    );
  };
}

const runtime = lambdaRuntime('asgLifecycleDrain', parseAsgDrainConfig, {
  ecs: ECSClient,
  elbv2: ElasticLoadBalancingV2Client,
  sns: SNSClient,
  sqs: SQSClient,
  autoscaling: AutoScalingClient,
});

export const handler = wrap(makeHandler(runtime.deps), runtime.logger, runtime.metrics, runtime.tracer);
