import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AutoScalingAdapter } from '../../shared/autoscaling';
import { deadLetter } from '../../shared/dead-letter';
import { drainAdapters } from '../../shared/drain/adapters';
import { asgDrainMessage, asgDrainStep, parseAsgDrainConfig, type AsgDrainConfig } from '../../shared/drain/asg';
import { emitDrainMetrics } from '../../shared/drain/workflow';
import { errorMessage, EventValidationError } from '../../shared/errors';
import { parseEvent } from '../../shared/events';
import { QueueAdapter } from '../../shared/queues';
import { lambdaRuntime, type HandlerDeps } from '../../shared/runtime';
import { wrap } from '../../shared/wrap';

export type Deps = HandlerDeps<AsgDrainConfig, 'ecs' | 'elbv2' | 'sns' | 'sqs' | 'autoscaling'>;

/** Time kept back from the Lambda timeout for the last calls (complete, re-queue, report). */
const INVOCATION_RESERVE_MS = 30_000;

/**
 * SQS batch of ASG terminate lifecycle events (and our own continuations). Per record:
 * returns ⇒ acknowledged; malformed ⇒ dead-lettered with the reason and acknowledged;
 * any other error ⇒ reported as a batch item failure, so SQS retries it and its redrive
 * policy dead-letters it in the end.
 */
export function makeHandler(deps: () => Deps) {
  return async (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> => {
    const d = deps();
    const queues = new QueueAdapter(d.clients.sqs);
    const stepDeps = { adapters: drainAdapters(d.clients), clock: d.clock, log: d.logger, autoscaling: new AutoScalingAdapter(d.clients.autoscaling), queues };
    const remaining = context?.getRemainingTimeInMillis?.() ?? d.config.stepMs + INVOCATION_RESERVE_MS;
    const invocationEndsAt = d.clock.now() + remaining - INVOCATION_RESERVE_MS;
    const failures: SQSBatchResponse['batchItemFailures'] = [];

    for (const record of event.Records ?? []) {
      try {
        const message = parseEvent(asgDrainMessage, parseBody(record), 'ASG lifecycle drain message');
        const result = await asgDrainStep(stepDeps, d.config, message, invocationEndsAt);
        d.logger.info('drain report', { lifecycle: result.lifecycle, step: result.step, report: result.report });
        emitDrainMetrics(d.metrics, result.report);
      } catch (err) {
        try {
          if (err instanceof EventValidationError) {
            await deadLetter(queues, d.config.deadLetterQueueName, d.logger, record.body, err, 'asgLifecycleDrain');
            continue;
          }
        } catch (dlqErr) {
          err = dlqErr; // the dead-letter queue did not take it: keep the message in SQS instead
        }
        d.logger.error('drain step failed; message will be retried', { messageId: record.messageId, error: errorMessage(err) });
        failures.push({ itemIdentifier: record.messageId });
        // The queue's visibility timeout (≥ the function timeout) is longer than a lifecycle
        // hook should wait: bring the message back after one poll interval instead.
        await queues.retryAfter(d.config.drainQueueName, record.receiptHandle, d.config.pollMs / 1000).catch((e: unknown) => {
          d.logger.warn('could not shorten the retry delay; SQS retries after the visibility timeout', { error: errorMessage(e) });
        });
      }
    }
    return { batchItemFailures: failures };
  };
}

function parseBody(record: SQSRecord): unknown {
  try {
    return JSON.parse(record.body);
  } catch {
    throw new EventValidationError('message body is not JSON', [record.body.slice(0, 200)]);
  }
}

const runtime = lambdaRuntime('asgLifecycleDrain', parseAsgDrainConfig, {
  ecs: ECSClient,
  elbv2: ElasticLoadBalancingV2Client,
  sns: SNSClient,
  sqs: SQSClient,
  autoscaling: AutoScalingClient,
});

export const handler = wrap(makeHandler(runtime.deps), runtime.logger, runtime.metrics);
