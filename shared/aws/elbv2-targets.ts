import {
  DeregisterTargetsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { sendOptions, type CallOptions } from './call';
import { chunk, DEREGISTER_TARGETS_CHUNK } from './limits';

/** One target as ELBv2 knows it: instance id (instance mode) or IP (ip mode), plus port. */
export interface Target {
  id: string;
  port: number;
}

export const targetKey = (t: Target): string => `${t.id}:${t.port}`;

/**
 * Target states as DescribeTargetHealth reports them. `unused` with Target.NotRegistered
 * means the target has left the group: deregistration and draining are over.
 */
export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable' | 'unhealthy.draining';

export interface TargetHealth extends Target {
  state: TargetState;
}

/** Target group attribute that holds the deregistration delay (default 300 s). */
const DEREGISTRATION_DELAY = 'deregistration_delay.timeout_seconds';
/** "The default value is 300 seconds." (ELBv2 target group attributes) */
export const DEFAULT_DEREGISTRATION_DELAY_SECONDS = 300;

/** ELBv2 target operations. */
export class TargetsAdapter {
  constructor(private readonly elbv2: ElasticLoadBalancingV2Client) {}

  /** Deregister targets from one target group (chunked). Idempotent on ELBv2's side. Throws when a call fails. */
  async deregister(targetGroupArn: string, targets: readonly Target[], o?: CallOptions): Promise<void> {
    for (const part of chunk(targets, DEREGISTER_TARGETS_CHUNK)) {
      await this.elbv2.send(
        new DeregisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: part.map((t) => ({ Id: t.id, Port: t.port })) }),
        sendOptions(o),
      );
    }
  }

  /**
   * Every target registered in the group (draining ones included), in one call: what a
   * watch needs to see both our targets leave and other targets become healthy.
   */
  async groupHealth(targetGroupArn: string, o?: CallOptions): Promise<TargetHealth[]> {
    const out = await this.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }), sendOptions(o));
    return (out.TargetHealthDescriptions ?? [])
      .filter((d) => d.Target?.Id !== undefined)
      .map((d) => ({ id: d.Target!.Id!, port: d.Target!.Port ?? 0, state: (d.TargetHealth?.State ?? 'unused') as TargetState }));
  }

  /** The group's deregistration delay in seconds. */
  async deregistrationDelaySeconds(targetGroupArn: string, o?: CallOptions): Promise<number> {
    const out = await this.elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: targetGroupArn }), sendOptions(o));
    const raw = out.Attributes?.find((a) => a.Key === DEREGISTRATION_DELAY)?.Value;
    const n = raw === undefined ? NaN : Number(raw);
    return Number.isFinite(n) ? n : DEFAULT_DEREGISTRATION_DELAY_SECONDS;
  }
}
