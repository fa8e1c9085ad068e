import {
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
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

/** ELBv2 target operations the drain needs. */
export class Elbv2Adapter {
  constructor(private readonly elbv2: ElasticLoadBalancingV2Client) {}

  /** Deregister targets from one target group (chunked). Throws when a call fails. */
  async deregisterTargets(targetGroupArn: string, targets: readonly Target[]): Promise<void> {
    for (const part of chunk(targets, DEREGISTER_TARGETS_CHUNK)) {
      await this.elbv2.send(
        new DeregisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: part.map((t) => ({ Id: t.id, Port: t.port })) }),
      );
    }
  }

  /** State of each of the given targets in one group, keyed by `targetKey`. */
  async targetStates(targetGroupArn: string, targets: readonly Target[]): Promise<Map<string, TargetState>> {
    const states = new Map<string, TargetState>();
    for (const part of chunk(targets, DEREGISTER_TARGETS_CHUNK)) {
      const out = await this.elbv2.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn, Targets: part.map((t) => ({ Id: t.id, Port: t.port })) }),
      );
      for (const d of out.TargetHealthDescriptions ?? []) {
        if (d.Target?.Id === undefined) continue;
        const port = d.Target.Port ?? part.find((t) => t.id === d.Target?.Id)?.port ?? 0;
        states.set(targetKey({ id: d.Target.Id, port }), (d.TargetHealth?.State ?? 'unused') as TargetState);
      }
    }
    // A target ELBv2 did not mention is not registered.
    for (const t of targets) if (!states.has(targetKey(t))) states.set(targetKey(t), 'unused');
    return states;
  }
}
