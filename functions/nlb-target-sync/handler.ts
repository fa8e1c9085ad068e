import type { Context } from 'aws-lambda';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { QueueAdapter } from '../../shared/aws/sqs-queues';
import { parseNlbTargetsConfig, type NlbTargetsConfig } from '../../shared/fleet/nlb-targets/config';
import { parseSyncRequest } from '../../shared/fleet/nlb-targets/messages';
import { nlbTargetPorts } from '../../shared/fleet/nlb-targets/ports';
import { publishNlbReports } from '../../shared/fleet/nlb-targets/report';
import { syncTargets, type SyncReport } from '../../shared/fleet/nlb-targets/run';
import { deadLetter } from '../../shared/lambda/dead-letter';
import { EventValidationError } from '../../shared/lambda/errors';
import { lambdaRuntime, type HandlerDeps } from '../../shared/lambda/runtime';
import { wrap } from '../../shared/lambda/wrap';

export type Deps = HandlerDeps<NlbTargetsConfig, 'ecs' | 'ec2' | 'elbv2' | 'sqs'>;
export type Result = SyncReport | { outcome: 'rejected'; error: string; deadLetterMessageId?: string };

/** Time kept back from the Lambda timeout for the report; also the budget when no context is given. */
const INVOCATION_RESERVE_MS = 3_000;
const DEFAULT_BUDGET_MS = 27_000;

/**
 * `ECS Container Instance State Change`, `EC2 Spot Instance Interruption Warning` or the
 * schedule → keep each bound NLB `ip` target group equal to its cluster's ACTIVE instances.
 * Returns ⇒ a report (AWS failures inside it) or a malformed event rejected to the dead-letter
 * queue; metrics on every path. Throws only for a bug or when the dead-letter queue refuses.
 */
export function makeHandler(deps: () => Deps) {
  return async (event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<Result> => {
    const d = deps();
    let request;
    try {
      request = parseSyncRequest(event);
    } catch (err) {
      if (!(err instanceof EventValidationError)) throw err;
      publishNlbReports(d.logger, d.metrics, []);
      const id = await deadLetter(
        { queues: new QueueAdapter(d.clients.sqs), queueName: d.config.deadLetterQueueName, log: d.logger, clock: d.clock },
        { source: 'nlbTargetSync', kind: 'nlb-target-sync-event', input: event, error: err },
      );
      return { outcome: 'rejected', error: err.message, ...(id ? { deadLetterMessageId: id } : {}) };
    }
    const remaining = context?.getRemainingTimeInMillis?.() ?? DEFAULT_BUDGET_MS + INVOCATION_RESERVE_MS;
    const endsAt = d.clock.now() + remaining - INVOCATION_RESERVE_MS;
    const report = await syncTargets({ ports: nlbTargetPorts(d.clients), clock: d.clock, log: d.logger }, d.config, request, endsAt);
    publishNlbReports(d.logger, d.metrics, report.bindings);
    return report;
  };
}

const runtime = lambdaRuntime('nlbTargetSync', parseNlbTargetsConfig, {
  ecs: ECSClient,
  ec2: EC2Client,
  elbv2: ElasticLoadBalancingV2Client,
  sqs: SQSClient,
});

export const handler = wrap(makeHandler(runtime.deps), runtime.logger, runtime.metrics, runtime.tracer);
