import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { InstanceTypesAdapter } from '../../shared/aws/ec2-instance-types';
import { EcsCapacityAdapter } from '../../shared/aws/ecs-capacity';
import { ContainerInstancesAdapter } from '../../shared/aws/ecs-container-instances';
import { ServicesAdapter } from '../../shared/aws/ecs-services';
import { TasksAdapter } from '../../shared/aws/ecs-tasks';
import { backendDirectory } from '../../shared/capacity/backends';
import { parseScaleTickConfig, type ScaleTickConfig } from '../../shared/capacity/config';
import { emitCapacityMetrics, type ClusterTickReport } from '../../shared/capacity/report';
import type { CapacityReadPorts } from '../../shared/capacity/snapshot';
import { scaleTick } from '../../shared/capacity/tick';
import { drainPorts } from '../../shared/drain/ports';
import { emitDrainMetrics } from '../../shared/drain/report';
import type { MetricSink } from '../../shared/lambda/observability';
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

/** Adapters live as long as the container: task-definition and instance-type sizes are cached across ticks. */
const readsOf = new WeakMap<object, { reads: CapacityReadPorts; ecs: EcsCapacityAdapter }>();
function readPorts(d: Deps) {
  let r = readsOf.get(d.clients.ecs);
  if (!r) {
    const ecs = new EcsCapacityAdapter(d.clients.ecs);
    const instances = new ContainerInstancesAdapter(d.clients.ecs);
    const services = new ServicesAdapter(d.clients.ecs);
    const tasks = new TasksAdapter(d.clients.ecs);
    const types = new InstanceTypesAdapter(d.clients.ec2);
    const reads: CapacityReadPorts = {
      listInstanceArns: (c, o) => instances.listArns(c, undefined, o),
      describeInstances: (c, arns, o) => ecs.describeInstances(c, arns, o),
      listServices: (c, o) => ecs.listServices(c, o),
      describeServices: (c, names, o) => services.describe(c, names, o),
      listTasksOn: (c, arn, o) => tasks.listRunningOn(c, arn, o),
      describeTasks: (c, arns, o) => tasks.describe(c, arns, o),
      taskSizes: (arns, o) => ecs.taskSizes(arns, o),
      protectedTasks: (c, arns, o) => ecs.protectedTasks(c, arns, o),
      instanceTypes: (t, o) => types.sizes(t, o),
    };
    readsOf.set(d.clients.ecs, (r = { reads, ecs }));
  }
  return r;
}

/**
 * Scheduled every minute: for each managed cluster, read, plan and carry out one capacity
 * decision (scale out, drain one instance for scale-in and remove exactly it, or nothing).
 * Returns ⇒ every cluster's report (a cluster that failed says so; the others went on). The
 * metrics of every cluster are emitted on every path.
 */
export function makeHandler(deps: () => Deps) {
  return async (_event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>): Promise<Result> => {
    const d = deps();
    const { reads, ecs } = readPorts(d);
    const remaining = context?.getRemainingTimeInMillis?.() ?? DEFAULT_BUDGET_MS + INVOCATION_RESERVE_MS;
    const endsAt = d.clock.now() + remaining - INVOCATION_RESERVE_MS;
    const tickId = (context?.awsRequestId ?? randomUUID()).slice(0, 8);
    const clusters = await scaleTick(
      {
        directory: backendDirectory(d.clients),
        reads,
        tagInstance: (arn, tags, o) => ecs.tagInstance(arn, tags, o),
        drainPorts: drainPorts(d.clients),
        clock: d.clock,
        log: d.logger,
      },
      d.config,
      endsAt,
      tickId,
    );
    for (const r of clusters) {
      const sink = d.clusterMetrics?.(r.cluster) ?? d.metrics;
      emitCapacityMetrics(sink, r);
      for (const drain of r.drains ?? []) emitDrainMetrics(sink, drain);
      const { drains, ...rest } = r;
      d.logger.info('capacity report', { ...rest, drains: drains?.map((x) => ({ ec2InstanceId: x.ec2InstanceId, outcome: x.outcome })) });
    }
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

/** One sink per cluster: a single-metric emitter carrying the `cluster` dimension. */
const clusterMetrics = (cluster: string): MetricSink => {
  const m = runtime.metrics.singleMetric();
  m.addDimension('cluster', cluster);
  return m;
};

export const handler = wrap(
  makeHandler(() => ({ ...runtime.deps(), clusterMetrics })),
  runtime.logger,
  runtime.metrics,
);
