import { SQSClient } from '@aws-sdk/client-sqs';
import { bodyId, makeForwarder, parseForwardConfig, type ForwardDeps } from '../../shared/capacity/forward';
import { parseRunTaskResult } from '../../shared/capacity/messages';
import { runTaskMessage } from '../../shared/capacity/writer-messages';
import { lambdaRuntime } from '../../shared/lambda/runtime';
import { wrap } from '../../shared/lambda/wrap';

export type Deps = ForwardDeps;

/**
 * SQS batch of RunTask results (published by job launchers to an SNS topic): each result whose
 * tasks found no room is validated and forwarded to the capacity writer (capacityWriter), in its
 * cluster's FIFO group, with the result's id — the launcher's `id`, RunTask's `clientToken`, the
 * SNS message id, else the body's hash — so only the same result is ever a duplicate. Results
 * more capacity does not answer are logged and acknowledged. Failure semantics: makeForwarder's.
 */
export function makeHandler(deps: () => Deps) {
  return makeForwarder(deps, {
    source: 'runTaskFailure',
    kind: 'run-task-result',
    toMessages: (body, record, log) => {
      const s = parseRunTaskResult(body);
      if (!s.addCapacity || s.count <= 0) {
        log.info('runTask result that more capacity does not answer', {
          cluster: s.cluster,
          taskDefinition: s.taskDefinition,
          reason: s.reason,
        });
        return [];
      }
      return [runTaskMessage(s.cluster, s.resultId ?? bodyId(record), s.taskDefinition, s.count, s.at, s.overrides)];
    },
  });
}

const runtime = lambdaRuntime('runTaskFailure', parseForwardConfig, { sqs: SQSClient });

export const handler = wrap(makeHandler(runtime.deps), runtime.logger, runtime.metrics, runtime.tracer);
