import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { parseScaleTickConfig, type ScaleTickConfig } from '../../shared/capacity/config';
import { publishReports, type ClusterTickReport } from '../../shared/capacity/report';
import { scaleInDrain } from '../../shared/capacity/scale-in-drain';
import { scaleTick } from '../../shared/capacity/tick';
import { drainPorts } from '../../shared/drain/ports';
import { capacityDeps } from '../../shared/capacity/wiring';
import { perDimension, type MetricSink } from '../../shared/lambda/observability';
import { lambdaRuntime, type HandlerDeps } from '../../shared/lambda/runtime';
import { wrap } from '../../shared/lambda/wrap';

export type Deps = HandlerDeps<ScaleTickConfig, 'ecs' | 'elbv2' | 'sns' | 'autoscaling' | 'ec2'> & {
  /** The metrics sink of one cluster (dimension `cluster`); defaults to the function's own sink. */
  clusterMetrics?: (cluster: string) => MetricSink;
};

export interface Result {
  clusters: ClusterTickReport[];
}

/** Time kept back from the Lambda timeout for the reports; also the budget when no context is given. */
const INVOCATION_RESERVE_MS = 10_000;
const DEFAULT_BUDGET_MS = 50_000;

/**
 * Scheduled every minute: for each managed cluster, read, plan and carry out one capacity
 * decision (scale out, drain one instance for scale-in and remove exactly it, or nothing).
 * Returns ⇒ every cluster's report (a cluster that failed says so; the others went on). The
 * metrics of every cluster are emitted on every path.
 */
export function makeHandler(deps: () => Deps) {
  return async (_event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>): Promise<Result> => {
    const d = deps();
    const remaining = context?.getRemainingTimeInMillis?.() ?? DEFAULT_BUDGET_MS + INVOCATION_RESERVE_MS;
    const endsAt = d.clock.now() + remaining - INVOCATION_RESERVE_MS;
    const tickId = (context?.awsRequestId ?? randomUUID()).slice(0, 8);
    const drain = scaleInDrain(
      drainPorts(d.clients),
      { ...d.config.drain, dryRun: d.config.dryRun, maxWaitMs: d.config.scaleInDrainMaxMs },
      d.clock,
      d.logger,
    );
    const clusters = await scaleTick({ ...capacityDeps(d.clients, d.clock, d.logger), drain }, d.config, endsAt, tickId);
    publishReports(d.logger, (c) => d.clusterMetrics?.(c) ?? d.metrics, clusters);
    return { clusters };
  };
}

const runtime = lambdaRuntime('scaleTick', parseScaleTickConfig, {
  ecs: ECSClient,
  elbv2: ElasticLoadBalancingV2Client,
  sns: SNSClient,
  autoscaling: AutoScalingClient,
  ec2: EC2Client,
});

export const handler = wrap(
  makeHandler(() => ({ ...runtime.deps(), clusterMetrics: perDimension(runtime.metrics, 'cluster') })),
  runtime.logger,
  runtime.metrics,
  runtime.tracer,
);
