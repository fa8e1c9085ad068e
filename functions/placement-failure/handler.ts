import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { parseEventScaleConfig } from '../../shared/capacity/config';
import { makeEventHandler, type EventDeps } from '../../shared/capacity/event-handler';
import { parsePlacementFailure } from '../../shared/capacity/messages';
import { perDimension } from '../../shared/lambda/observability';
import { lambdaRuntime } from '../../shared/lambda/runtime';
import { wrap } from '../../shared/lambda/wrap';

export type Deps = EventDeps;

/**
 * SQS batch of `ECS Service Action` / SERVICE_TASK_PLACEMENT_FAILURE events (EventBridge → SQS,
 * whose batching window coalesces a burst): each cluster named is re-planned at once, scale-out
 * only, one decision per cluster for the batch. An event is a trigger, not a count (ECS
 * suppresses repeats): the starved service is seen in the cluster itself.
 */
export function makeHandler(deps: () => Deps) {
  return makeEventHandler(deps, {
    source: 'placementFailure',
    kind: 'placement-failure-event',
    parse: parsePlacementFailure,
    request: (items) => ({ triggeredAt: Math.min(...items.map((x) => x.at)), trigger: 'placementFailure' }),
  });
}

const runtime = lambdaRuntime('placementFailure', parseEventScaleConfig, {
  ecs: ECSClient,
  sqs: SQSClient,
  autoscaling: AutoScalingClient,
  ec2: EC2Client,
});

export const handler = wrap(
  makeHandler(() => ({ ...runtime.deps(), clusterMetrics: perDimension(runtime.metrics, 'cluster') })),
  runtime.logger,
  runtime.metrics,
  runtime.tracer,
);
