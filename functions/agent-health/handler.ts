import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { QueueAdapter } from '../../shared/aws/sqs-queues';
import { backendDirectory } from '../../shared/capacity/backends';
import { describeAgentHealthConfig, parseAgentHealthConfig, type AgentHealthConfig } from '../../shared/fleet/agent-health/config';
import { parseAgentHealthEvent, type AgentHealthRequest } from '../../shared/fleet/agent-health/messages';
import { publishAgentHealthReports, type AgentHealthClusterReport } from '../../shared/fleet/agent-health/report';
import { runAgentHealth } from '../../shared/fleet/agent-health/run';
import { agentHealthPorts } from '../../shared/fleet/agent-health/wiring';
import { deadLetter } from '../../shared/lambda/dead-letter';
import { EventValidationError } from '../../shared/lambda/errors';
import { MetricUnit, perDimension, type MetricSink } from '../../shared/lambda/observability';
import { lambdaRuntime, type HandlerDeps } from '../../shared/lambda/runtime';
import { wrap } from '../../shared/lambda/wrap';

export type Deps = HandlerDeps<AgentHealthConfig, 'ecs' | 'elbv2' | 'sns' | 'sqs' | 'autoscaling' | 'ec2'> & {
  /** The metrics sink of one cluster (dimension `cluster`); defaults to the function's own sink. */
  clusterMetrics?: (cluster: string) => MetricSink;
};

export type Result = { clusters: AgentHealthClusterReport[] } | { outcome: 'rejected'; error: string; deadLetterMessageId?: string };

/** Time kept back from the Lambda timeout for the reports; also the budget when no context is given. */
const INVOCATION_RESERVE_MS = 10_000;
const DEFAULT_BUDGET_MS = 50_000;

/**
 * Scheduled (every few minutes), or `ECS Container Instance State Change` (that cluster only):
 * find container instances whose agent stayed disconnected, drain and replace them, unless the
 * circuit breaker is open. Returns ⇒ every cluster's report (a failed cluster says so), or a
 * malformed event rejected to the dead-letter queue. Metrics are emitted on every path.
 */
export function makeHandler(deps: () => Deps) {
  return async (event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>): Promise<Result> => {
    const d = deps();
    let request: AgentHealthRequest;
    try {
      request = parseAgentHealthEvent(event);
    } catch (err) {
      if (!(err instanceof EventValidationError)) throw err;
      d.metrics.addMetric('agentHealthEventsRejected', MetricUnit.Count, 1);
      const id = await deadLetter(
        { queues: new QueueAdapter(d.clients.sqs), queueName: d.config.deadLetterQueueName, log: d.logger, clock: d.clock },
        { source: 'agentHealth', kind: 'container-instance-state-change', input: event, error: err },
      );
      return { outcome: 'rejected', error: err.message, ...(id ? { deadLetterMessageId: id } : {}) };
    }
    const remaining = context?.getRemainingTimeInMillis?.() ?? DEFAULT_BUDGET_MS + INVOCATION_RESERVE_MS;
    const endsAt = d.clock.now() + remaining - INVOCATION_RESERVE_MS;
    const runId = (context?.awsRequestId ?? randomUUID()).slice(0, 8);
    const env = { clock: d.clock, log: d.logger, ...(d.region ? { region: d.region } : {}) };
    const ports = agentHealthPorts(d.clients, d.config, env, backendDirectory(d.clients));
    const clusters = await runAgentHealth({ ports, clock: d.clock, log: d.logger }, d.config, request, endsAt, runId);
    publishAgentHealthReports(d.logger, (c) => d.clusterMetrics?.(c) ?? d.metrics, clusters);
    return { clusters };
  };
}

const runtime = lambdaRuntime(
  'agentHealth',
  parseAgentHealthConfig,
  { ecs: ECSClient, elbv2: ElasticLoadBalancingV2Client, sns: SNSClient, sqs: SQSClient, autoscaling: AutoScalingClient, ec2: EC2Client },
  describeAgentHealthConfig,
);

export const handler = wrap(
  makeHandler(() => ({ ...runtime.deps(), clusterMetrics: perDimension(runtime.metrics, 'cluster') })),
  runtime.logger,
  runtime.metrics,
  runtime.tracer,
);
