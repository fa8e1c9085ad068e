import { SimulatedAccount } from '../../sim/account';
import { buildCapacityCluster, type CapacityClusterOptions } from '../../sim/builders-capacity';
import { RETIRING_ATTRIBUTE } from '../../shared/tags';

/** A Spot ASG of ours (3 × m5.large, one `app` task each behind an ALB target group, 30 s deregistration delay). */
export function spotAsg(opts: Partial<CapacityClusterOptions> = {}) {
  const account = new SimulatedAccount();
  const b = buildCapacityCluster(account, {
    backend: 'asg',
    instances: 3,
    tasksPerInstance: 1,
    lifecycle: 'spot',
    loadBalanced: { deregistrationDelaySeconds: 30 },
    ...opts,
  });
  const ci = (id: string) => account.ecs.containerInstancesOf(b.cluster).find((c) => c.ec2InstanceId === id)!;
  const mark = (id: string) => ci(id).attributes?.get(RETIRING_ATTRIBUTE);
  return { account, b, ci, mark };
}
