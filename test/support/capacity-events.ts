import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as placement from '../../functions/placement-failure/handler';
import * as runTask from '../../functions/run-task-failure/handler';
import { parseEventScaleConfig } from '../../shared/capacity/config';
import type { SimulatedAccount } from '../../sim/account';
import { SqsEventSource } from '../../sim/event-source';
import { recordingLogger, recordingMetrics, recordingPerDimension } from './recorders';

const DLQ = 'ecs-steady-test-dead-letter';

/** An event-driven scale-out function behind its queue (batches of 10, a dead-letter queue) on the simulated account. */
function setup(
  account: SimulatedAccount,
  queue: string,
  make: (deps: () => runTask.Deps) => (e: SQSEvent) => Promise<SQSBatchResponse>,
  env: Record<string, string>,
) {
  const queueUrl = account.sqs.createQueue(queue, { VisibilityTimeout: '60' });
  const dlqUrl = account.sqs.createQueue(DLQ);
  const logger = recordingLogger();
  const metrics = recordingMetrics();
  const { sinkFor: clusterMetrics, sinks: perCluster } = recordingPerDimension();
  const deps: runTask.Deps = {
    clients: account.clients(),
    config: parseEventScaleConfig({ QUEUE_NAME: queue, DEAD_LETTER_QUEUE_NAME: DLQ, ...env }),
    clock: account.clock,
    logger,
    metrics,
    clusterMetrics,
  };
  const handler = make(() => deps);
  const source = new SqsEventSource(account, queueUrl, (e) => handler(e), { batchSize: 10, maxReceiveCount: 5, deadLetterUrl: dlqUrl });
  const publish = (body: unknown) => account.sqs.deliver(queueUrl, typeof body === 'string' ? body : JSON.stringify(body));
  return { handler, source, publish, queueUrl, dlqUrl, logger, metrics, clusterMetrics: perCluster };
}

export const runTaskFailure = (account: SimulatedAccount, env: Record<string, string> = {}) =>
  setup(account, 'ecs-steady-test-run-task-results', (d) => runTask.makeHandler(d), env);

export const placementFailure = (account: SimulatedAccount, env: Record<string, string> = {}) =>
  setup(account, 'ecs-steady-test-placement-failures', (d) => placement.makeHandler(d), env);

/** What a job launcher publishes after RunTask (format version 1). */
export function runTaskResult(
  cluster: string,
  taskDefinition: string,
  count: number,
  at: number,
  answer: { started?: number; reasons?: string[]; error?: { name: string; message: string } },
  overrides?: unknown,
) {
  return {
    version: 1,
    at: new Date(at).toISOString(),
    request: { cluster, taskDefinition, count, ...(overrides ? { overrides } : {}) },
    ...(answer.error
      ? { error: answer.error }
      : {
          response: {
            tasks: Array.from({ length: answer.started ?? 0 }, (_, i) => ({
              taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/${cluster}/t${i}`,
            })),
            failures: (answer.reasons ?? []).map((reason, i) => ({
              arn: `arn:aws:ecs:eu-west-1:123456789012:container-instance/${cluster}/ci${i}`,
              reason,
            })),
          },
        }),
  };
}

/** `ECS Service Action` / SERVICE_TASK_PLACEMENT_FAILURE as EventBridge delivers it. */
export function placementFailureEvent(account: SimulatedAccount, cluster: string, service: string, at: number, id = 'evt-1') {
  return {
    version: '0',
    id,
    'detail-type': 'ECS Service Action',
    source: 'aws.ecs',
    account: account.accountId,
    time: new Date(at).toISOString(),
    region: account.region,
    resources: [account.arn('ecs', `service/${cluster}/${service}`)],
    detail: {
      eventType: 'WARN',
      eventName: 'SERVICE_TASK_PLACEMENT_FAILURE',
      clusterArn: account.arn('ecs', `cluster/${cluster}`),
      createdAt: new Date(at).toISOString(),
      reason: 'RESOURCE:CPU',
    },
  };
}
