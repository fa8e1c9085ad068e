import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import type { CallOptions } from '../../shared/aws/call';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { AutoScalingGroupsAdapter } from '../../shared/aws/autoscaling-groups';
import { Ec2InstancesAdapter } from '../../shared/aws/ec2-instances';
import { ContainerInstancesAdapter } from '../../shared/aws/ecs-container-instances';
import { EcsInstanceTagsAdapter } from '../../shared/aws/ecs-instance-tags';
import { parseEventScaleConfig } from '../../shared/capacity/config';
import { makeWriterHandler, type WriterDeps } from '../../shared/capacity/writer';
import { perDimension } from '../../shared/lambda/observability';
import { lambdaRuntime } from '../../shared/lambda/runtime';
import { wrap } from '../../shared/lambda/wrap';
import { retirePortsOf } from '../../shared/retire/wiring';

export type Deps = WriterDeps;

/**
 * The one writer of absolute capacity per cluster: consumes the capacity FIFO queue (group =
 * cluster) fed by scaleTick, runTaskFailure and placementFailure; per cluster of the batch it
 * reads, plans and writes (scale out, remove drained, drain one instance for scale-in).
 * Failure semantics: makeWriterHandler's (shared/capacity/writer.ts).
 */
export function makeHandler(deps: () => Omit<Deps, 'retire'>) {
  return makeWriterHandler(() => {
    const d = deps();
    // Scale-in leaves through retire: its mark, the drain and the removal (shared/retire); for one
    // release it also removes the last release's scale-in tag when stale.
    const tags = new EcsInstanceTagsAdapter(d.clients.ecs);
    // A rebalance drain called off when no Spot notice followed: EC2 read again, then ACTIVE (shared/retire/rebalance.ts).
    const ec2 = new Ec2InstancesAdapter(d.clients.ec2);
    const instances = new ContainerInstancesAdapter(d.clients.ecs);
    // …and an instance detached at the recommendation goes back into the group that detached it.
    const groups = new AutoScalingGroupsAdapter(d.clients.autoscaling);
    const rebalance = (cluster: string) => ({
      ec2Facts: (id: string, o?: CallOptions) => ec2.facts(id, o),
      groupOf: async (id: string, o?: CallOptions) => (await groups.groupOfInstance(id, o))?.groupName,
      detachedKeepingCapacity: (group: string, id: string, from: number, to: number, o?: CallOptions) =>
        groups.detachedKeepingCapacity(group, id, from, to, o),
      attach: (group: string, id: string, o?: CallOptions) => groups.attach(group, id, o),
      setActive: async (arn: string, o?: CallOptions) => {
        const failed = await instances.setStatus(cluster, [arn], 'ACTIVE', o);
        if (failed.length > 0) throw new Error(`UpdateContainerInstancesState ACTIVE failed: ${failed.map((f) => f.reason).join('; ')}`);
      },
      readInstance: async (arn: string, o?: CallOptions) => {
        const ci = (await instances.describe(cluster, [arn], o)).instances[0];
        return ci ? { status: ci.status, attributes: ci.attributes ?? {} } : undefined;
      },
    });
    const retire = retirePortsOf(
      d.clients,
      { ...d.config.drain, dryRun: d.config.dryRun, maxWaitMs: d.config.scaleInDrainMaxMs },
      { clock: d.clock, log: d.logger },
      { removeLegacyTag: (arn, key, o) => tags.untag(arn, [key], o), rebalance },
    );
    return { ...d, retire };
  });
}

const runtime = lambdaRuntime('capacityWriter', parseEventScaleConfig, {
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
);
