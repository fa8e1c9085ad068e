import {
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeLifecycleHooksCommand,
  RecordLifecycleActionHeartbeatCommand,
  type AutoScalingClient,
} from '@aws-sdk/client-auto-scaling';
import { sendOptions, type CallOptions } from './call';
import { awsErrorName } from './errors';

export interface LifecycleActionRef {
  autoScalingGroupName: string;
  lifecycleHookName: string;
  lifecycleActionToken: string;
  instanceId: string;
}

export interface LifecycleHookInfo {
  heartbeatTimeoutSeconds: number;
  /** How long the action may live at most, heartbeats included: min(48 h, 100 × HeartbeatTimeout). */
  globalTimeoutSeconds: number;
  defaultResult: string;
}

/** Auto Scaling lifecycle hooks and group tags, as the ASG drain uses them. */
export class LifecycleAdapter {
  constructor(private readonly autoscaling: AutoScalingClient) {}

  /** The hook's timeouts, or undefined when the hook is unknown. */
  async describeHook(autoScalingGroupName: string, lifecycleHookName: string, o?: CallOptions): Promise<LifecycleHookInfo | undefined> {
    const out = await this.autoscaling.send(
      new DescribeLifecycleHooksCommand({ AutoScalingGroupName: autoScalingGroupName, LifecycleHookNames: [lifecycleHookName] }),
      sendOptions(o),
    );
    const hook = out.LifecycleHooks?.find((h) => h.LifecycleHookName === lifecycleHookName);
    if (!hook?.HeartbeatTimeout) return undefined;
    return {
      heartbeatTimeoutSeconds: hook.HeartbeatTimeout,
      globalTimeoutSeconds: hook.GlobalTimeout ?? Math.min(MAX_GLOBAL_TIMEOUT_SECONDS, 100 * hook.HeartbeatTimeout),
      defaultResult: hook.DefaultResult ?? 'ABANDON',
    };
  }

  /** The group's tags (key → value); undefined when the group does not exist. */
  async groupTags(autoScalingGroupName: string, o?: CallOptions): Promise<Map<string, string> | undefined> {
    const out = await this.autoscaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [autoScalingGroupName] }),
      sendOptions(o),
    );
    const group = out.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === autoScalingGroupName);
    if (!group) return undefined;
    return new Map((group.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  }

  /** Keep the action alive. Answers false when the action is already over. */
  async recordHeartbeat(ref: LifecycleActionRef, o?: CallOptions): Promise<boolean> {
    try {
      await this.autoscaling.send(
        new RecordLifecycleActionHeartbeatCommand({
          AutoScalingGroupName: ref.autoScalingGroupName,
          LifecycleHookName: ref.lifecycleHookName,
          LifecycleActionToken: ref.lifecycleActionToken,
        }),
        sendOptions(o),
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
  async complete(ref: LifecycleActionRef, result: 'CONTINUE' | 'ABANDON' = 'CONTINUE', o?: CallOptions): Promise<boolean> {
    try {
      await this.autoscaling.send(
        new CompleteLifecycleActionCommand({
          AutoScalingGroupName: ref.autoScalingGroupName,
          LifecycleHookName: ref.lifecycleHookName,
          LifecycleActionToken: ref.lifecycleActionToken,
          LifecycleActionResult: result,
        }),
        sendOptions(o),
      );
      return true;
    } catch (err) {
      if (isActionOver(err)) return false;
      throw err;
    }
  }
}

/** GlobalTimeout: "48 hours or 100 times HeartbeatTimeout, whichever is smaller" (PutLifecycleHook). */
export const MAX_GLOBAL_TIMEOUT_SECONDS = 172_800;

/** ValidationError "No active Lifecycle Action found with token …": completed or timed out. */
function isActionOver(err: unknown): boolean {
  return awsErrorName(err) === 'ValidationError' && /No active Lifecycle Action found/i.test((err as Error).message ?? '');
}
