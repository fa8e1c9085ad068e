import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AutoScalingAdapter } from '../../shared/aws/autoscaling-lifecycle';
import { drainAdapters } from '../../shared/drain/ports';
import { asgDrainMessage, asgDrainStep, parseAsgDrainConfig, type AsgDrainConfig } from '../../shared/drain/asg';
import { emitDrainMetrics } from '../../shared/drain/workflow';
import { parseEvent } from '../../shared/drain/messages';
import { QueueAdapter } from '../../shared/aws/sqs-queues';
import { processSqsBatch } from '../../shared/lambda/sqs-batch';
import { lambdaRuntime, type HandlerDeps } from '../../shared/lambda/runtime';
import { wrap } from '../../shared/lambda/wrap';

export type Deps = HandlerDeps<AsgDrainConfig, 'ecs' | 'elbv2' | 'sns' | 'sqs' | 'autoscaling'>;

/** Time kept back from the Lambda timeout for the last calls (complete, re-queue, report). */
const INVOCATION_RESERVE_MS = 30_000;

/**
 * SQS batch of ASG terminate lifecycle events (and our own continuations), one drain step
 * per record. Failure semantics are processSqsBatch's: malformed ⇒ dead-lettered and
 * acknowledged; any other error ⇒ retried soon, dead-lettered by the redrive policy.
 * The lifecycle action keeps its own deadline throughout (heartbeats, then CONTINUE).
 */
export function makeHandler(deps: () => Deps) {
  return async (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> => {
    const d = deps();
    const queues = new QueueAdapter(d.clients.sqs);
    const stepDeps = { adapters: drainAdapters(d.clients), clock: d.clock, log: d.logger, autoscaling: new AutoScalingAdapter(d.clients.autoscaling), queues };
    const remaining = context?.getRemainingTimeInMillis?.() ?? d.config.stepMs + INVOCATION_RESERVE_MS;
    const invocationEndsAt = d.clock.now() + remaining - INVOCATION_RESERVE_MS;

    return processSqsBatch(
      event.Records ?? [],
      async (body) => {
        const message = parseEvent(asgDrainMessage, body, 'ASG lifecycle drain message');
        const result = await asgDrainStep(stepDeps, d.config, message, invocationEndsAt);
        d.logger.info('drain report', { lifecycle: result.lifecycle, step: result.step, report: result.report });
        emitDrainMetrics(d.metrics, result.report);
      },
      { queues, queueName: d.config.drainQueueName, deadLetterQueueName: d.config.deadLetterQueueName, retryAfterSeconds: d.config.pollMs / 1000, log: d.logger, source: 'asgLifecycleDrain' },
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

export const handler = wrap(makeHandler(runtime.deps), runtime.logger, runtime.metrics);
