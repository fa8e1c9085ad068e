import { DescribeLifecycleHooksCommand, type AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { sendOptions, type CallOptions } from './call';

export interface HookSummary {
  name: string;
  /** `autoscaling:EC2_INSTANCE_TERMINATING` or `autoscaling:EC2_INSTANCE_LAUNCHING`. */
  transition: string;
}

/** An Auto Scaling group's lifecycle hooks (DescribeLifecycleHooks answers all of them in one call: no pagination). */
export class LifecycleHooksAdapter {
  constructor(private readonly autoscaling: AutoScalingClient) {}

  async hooksOf(autoScalingGroupName: string, o?: CallOptions): Promise<HookSummary[]> {
    const out = await this.autoscaling.send(
      new DescribeLifecycleHooksCommand({ AutoScalingGroupName: autoScalingGroupName }),
      sendOptions(o),
    );
    return (out.LifecycleHooks ?? []).map((h) => ({ name: h.LifecycleHookName ?? '', transition: h.LifecycleTransition ?? '' }));
  }
}
