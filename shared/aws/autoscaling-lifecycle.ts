import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeLifecycleHooksCommand,
  RecordLifecycleActionHeartbeatCommand,
} from '@aws-sdk/client-auto-scaling';
import { awsErrorName } from './errors';

export interface LifecycleActionRef {
  autoScalingGroupName: string;
  lifecycleHookName: string;
  lifecycleActionToken: string;
  instanceId: string;
}

/** Auto Scaling lifecycle hooks as the ASG drain uses them. */
export class AutoScalingAdapter {
  constructor(private readonly autoscaling: AutoScalingClient) {}

  /** The hook's heartbeat timeout in seconds, or undefined when the hook is unknown. */
  async heartbeatTimeoutSeconds(autoScalingGroupName: string, lifecycleHookName: string): Promise<number | undefined> {
    const out = await this.autoscaling.send(
      new DescribeLifecycleHooksCommand({ AutoScalingGroupName: autoScalingGroupName, LifecycleHookNames: [lifecycleHookName] }),
    );
    return out.LifecycleHooks?.[0]?.HeartbeatTimeout;
  }

  /** Keep the action alive. Answers false when the action is already over. */
  async recordHeartbeat(ref: LifecycleActionRef): Promise<boolean> {
    try {
      await this.autoscaling.send(
        new RecordLifecycleActionHeartbeatCommand({
          AutoScalingGroupName: ref.autoScalingGroupName,
          LifecycleHookName: ref.lifecycleHookName,
          LifecycleActionToken: ref.lifecycleActionToken,
        }),
      );
      return true;
    } catch (err) {
      if (isActionOver(err)) return false;
      throw err;
    }
  }

  /**
   * Let the termination go on. Idempotent: an action that is already complete (or timed
   * out) answers `false` instead of failing, so a repeated event is harmless.
   */
  async complete(ref: LifecycleActionRef, result: 'CONTINUE' | 'ABANDON' = 'CONTINUE'): Promise<boolean> {
    try {
      await this.autoscaling.send(
        new CompleteLifecycleActionCommand({
          AutoScalingGroupName: ref.autoScalingGroupName,
          LifecycleHookName: ref.lifecycleHookName,
          LifecycleActionToken: ref.lifecycleActionToken,
          LifecycleActionResult: result,
        }),
      );
      return true;
    } catch (err) {
      if (isActionOver(err)) return false;
      throw err;
    }
  }
}

/** ValidationError "No active Lifecycle Action found with token …": completed or timed out. */
function isActionOver(err: unknown): boolean {
  return awsErrorName(err) === 'ValidationError' && /No active Lifecycle Action found/i.test((err as Error).message ?? '');
}
