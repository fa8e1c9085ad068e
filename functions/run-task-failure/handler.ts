import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { parseEventScaleConfig } from '../../shared/capacity/config';
import { makeEventHandler, type EventDeps } from '../../shared/capacity/event-handler';
import { runTaskRequest } from '../../shared/capacity/events';
import { parseRunTaskResult } from '../../shared/capacity/messages';
import { perDimension } from '../../shared/lambda/observability';
import { lambdaRuntime } from '../../shared/lambda/runtime';
import { wrap } from '../../shared/lambda/wrap';

export type Deps = EventDeps;

/**
 * SQS batch of RunTask results (published by job launchers to an SNS topic): the clusters whose
 * tasks found no room scale out in this invocation, sized to the failed tasks, one decision per
 * cluster for the batch. A duplicate message adds nothing: the capacity it asked for is in
 * flight, counted as coming. Results more capacity does not answer are logged and acknowledged.
 */
export function makeHandler(deps: () => Deps) {
  return makeEventHandler(deps, {
    source: 'runTaskFailure',
    kind: 'run-task-result',
    parse: parseRunTaskResult,
    request: (items, run, d) => runTaskRequest(run.ecs, items, d.logger),
  });
}

const runtime = lambdaRuntime('runTaskFailure', parseEventScaleConfig, {
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
