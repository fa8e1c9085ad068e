import { SQSClient } from '@aws-sdk/client-sqs';
import { bodyId, makeForwarder, parseRunTaskForwardConfig, type ForwardDeps } from '../../shared/capacity/forward';
import { parseRunTaskResult, refusalOf } from '../../shared/capacity/messages';
import { runTaskMessage } from '../../shared/capacity/writer-messages';
import { lambdaRuntime } from '../../shared/lambda/runtime';
import { wrap } from '../../shared/lambda/wrap';

export type Deps = ForwardDeps & { config: { maxResultAgeMs?: number } };

/** A result with no `at` bound set (a test's config) is held to this: RUN_TASK_RESULT_MAX_AGE_SECONDS's default. */
const DEFAULT_MAX_AGE_MS = 15 * 60_000;

/**
 * SQS batch of RunTask results (published by job launchers to an SNS topic, in any format of
 * shared/capacity/launchers/): each result whose
 * tasks found no room is validated and forwarded to the capacity writer (capacityWriter), in its
 * cluster's FIFO group, with the result's id — the launcher's `id`, RunTask's `clientToken`, the
 * SNS message id, else the body's hash — so only the same result is ever a duplicate. Results
 * more capacity does not answer are logged and acknowledged; so are results refused (a cluster
 * ARN of another region or account than the queue's, or older than the age bound), with the reason.
 * Failure semantics: makeForwarder's.
 */
export function makeHandler(deps: () => Deps) {
  return makeForwarder(deps, {
    source: 'runTaskFailure',
    kind: 'run-task-result',
    toMessages: (body, record, log) => {
      // The queue's sent time: the trigger time of a format that carries none (raw delivery).
      const s = parseRunTaskResult(body, Number(record.attributes.SentTimestamp) || undefined);
      if (!s.addCapacity || s.count <= 0) {
        log.info('runTask result that more capacity does not answer', {
          cluster: s.cluster,
          taskDefinition: s.taskDefinition,
          reason: s.reason,
        });
        return [];
      }
      // The queue's ARN says where we run: arn:aws:sqs:<region>:<account>:<name>.
      const [, , , region = '', account = ''] = record.eventSourceARN.split(':');
      const d = deps();
      const refused = refusalOf(s, { region, account }, d.clock.now(), d.config.maxResultAgeMs ?? DEFAULT_MAX_AGE_MS);
      if (refused) {
        log.warn('runTask result refused', { cluster: s.clusterRef ?? s.cluster, taskDefinition: s.taskDefinition, reason: refused });
        return [];
      }
      return [runTaskMessage(s.cluster, s.resultId ?? bodyId(record), s.taskDefinition, s.count, s.at, s.overrides, s.size)];
    },
  });
}

const runtime = lambdaRuntime('runTaskFailure', parseRunTaskForwardConfig, { sqs: SQSClient });

export const handler = wrap(makeHandler(runtime.deps), runtime.logger, runtime.metrics, runtime.tracer);
