import type { Context } from 'aws-lambda';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { FifoSender } from '../../shared/aws/sqs-fifo-sender';
import { QueueAdapter } from '../../shared/aws/sqs-queues';
import { backendDirectory } from '../../shared/capacity/backends';
import { fanOutTicks, parseFanOutConfig, type FanOutConfig } from '../../shared/capacity/fan-out';
import { lambdaRuntime, type HandlerDeps } from '../../shared/lambda/runtime';
import { wrap } from '../../shared/lambda/wrap';

/** Time kept back from the Lambda timeout to send the ticks; the discovery budget when no context is given. */
const RESERVE_MS = 15_000;
const DEFAULT_BUDGET_MS = 45_000;

export type Deps = HandlerDeps<FanOutConfig, 'sqs' | 'autoscaling' | 'ec2'>;

export interface Result {
  /** The clusters whose tick was queued for the capacity writer. */
  queued: string[];
}

/**
 * Scheduled every minute: one tick message per managed cluster into the capacity writer's FIFO
 * queue, where capacityWriter plans and writes each cluster on its own (serial per cluster,
 * parallel across clusters). Returns ⇒ every tick queued; throws ⇒ none or some were not (the
 * next minute's tick re-plans; a tick sent twice is deduplicated by cluster and minute).
 */
export function makeHandler(deps: () => Deps) {
  return async (_event?: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<Result> => {
    const d = deps();
    const endsAt = d.clock.now() + (context?.getRemainingTimeInMillis?.() ?? DEFAULT_BUDGET_MS + RESERVE_MS) - RESERVE_MS;
    const queued = await fanOutTicks(
      {
        directory: backendDirectory(d.clients),
        fifo: new FifoSender(d.clients.sqs, new QueueAdapter(d.clients.sqs)),
        clock: d.clock,
        log: d.logger,
      },
      d.config,
      endsAt,
    );
    return { queued };
  };
}

const runtime = lambdaRuntime('scaleTick', parseFanOutConfig, { sqs: SQSClient, autoscaling: AutoScalingClient, ec2: EC2Client });

export const handler = wrap(makeHandler(runtime.deps), runtime.logger, runtime.metrics, runtime.tracer);
