import { SQSClient } from '@aws-sdk/client-sqs';
import { makeForwarder, parseForwardConfig, type ForwardDeps } from '../../shared/capacity/forward';
import { parsePlacementFailure } from '../../shared/capacity/messages';
import { placementMessage } from '../../shared/capacity/writer-messages';
import { lambdaRuntime } from '../../shared/lambda/runtime';
import { wrap } from '../../shared/lambda/wrap';

export type Deps = ForwardDeps;

/**
 * SQS batch of `ECS Service Action` / SERVICE_TASK_PLACEMENT_FAILURE events (EventBridge → SQS,
 * whose batching window coalesces a burst): each is validated and forwarded to the capacity
 * writer (capacityWriter) in its cluster's FIFO group, with the event id, to re-plan the cluster
 * at once, scale-out only. An event is a trigger, not a count (ECS suppresses repeats): the
 * starved service is seen in the cluster itself. Failure semantics: makeForwarder's.
 */
export function makeHandler(deps: () => Deps) {
  return makeForwarder(deps, {
    source: 'placementFailure',
    kind: 'placement-failure-event',
    toMessages: (body) => {
      const e = parsePlacementFailure(body);
      return [placementMessage(e.cluster, e.eventId, e.at, e.service)];
    },
  });
}

const runtime = lambdaRuntime('placementFailure', parseForwardConfig, { sqs: SQSClient });

export const handler = wrap(makeHandler(runtime.deps), runtime.logger, runtime.metrics, runtime.tracer);
