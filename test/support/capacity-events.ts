import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as placement from '../../functions/placement-failure/handler';
import * as runTask from '../../functions/run-task-failure/handler';
import { parseForwardConfig } from '../../shared/capacity/forward';
import type { SimulatedAccount } from '../../sim/account';
import { SqsEventSource } from '../../sim/event-source';
import { CAPACITY_QUEUE, capacityWriter, DEAD_LETTER } from './capacity-writer';
import { recordingLogger, recordingMetrics } from './recorders';

/**
 * An event-driven trigger behind its queue (batches of 10, a dead-letter queue) on the simulated
 * account, forwarding into the capacity writer's FIFO queue; `source.run()` delivers the trigger's
 * queue and then lets the writer consume its own until empty. `env` configures the writer.
 */
function setup(
  account: SimulatedAccount,
  queue: string,
  make: (deps: () => runTask.Deps) => (e: SQSEvent) => Promise<SQSBatchResponse>,
  env: Record<string, string>,
) {
  const queueUrl = account.sqs.createQueue(queue, { VisibilityTimeout: '60' });
  const writer = capacityWriter(account, env);
  const dlqUrl = account.sqs.createQueue(DEAD_LETTER);
  const logger = recordingLogger();
  const metrics = recordingMetrics();
  const deps: runTask.Deps = {
    clients: account.clients(),
    config: parseForwardConfig({ QUEUE_NAME: queue, CAPACITY_QUEUE_NAME: CAPACITY_QUEUE, DEAD_LETTER_QUEUE_NAME: DEAD_LETTER }),
    clock: account.clock,
    logger,
    metrics,
  };
  const handler = make(() => deps);
  const forward = new SqsEventSource(account, queueUrl, (e) => handler(e), { batchSize: 10, maxReceiveCount: 5, deadLetterUrl: dlqUrl });
  const source = {
    get invocations() {
      return forward.invocations;
    },
    async run(limits: { maxInvocations?: number; until?: number } = {}) {
      await forward.run(limits);
      await writer.drain();
    },
  };
  const publish = (body: unknown) => account.sqs.deliver(queueUrl, typeof body === 'string' ? body : JSON.stringify(body));
  return { handler, source, forward, writer, publish, queueUrl, dlqUrl, logger, metrics, clusterMetrics: writer.clusterMetrics };
}

export const runTaskFailure = (account: SimulatedAccount, env: Record<string, string> = {}) =>
  setup(account, 'ecs-steady-test-run-task-results', (d) => runTask.makeHandler(d), env);

export const placementFailure = (account: SimulatedAccount, env: Record<string, string> = {}) =>
  setup(account, 'ecs-steady-test-placement-failures', (d) => placement.makeHandler(d), env);

/** What a job launcher publishes after RunTask (format version 1); `id` names the result. */
export function runTaskResult(
  cluster: string,
  taskDefinition: string,
  count: number,
  at: number,
  answer: { started?: number; reasons?: string[]; error?: { name: string; message: string } },
  overrides?: unknown,
  id?: string,
) {
  return {
    version: 1,
    ...(id ? { id } : {}),
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
