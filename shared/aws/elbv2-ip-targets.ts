import {
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { sendOptions, type CallOptions } from './call';
import { awsErrorName } from './errors';
import { chunk } from './limits';

/**
 * Targets per RegisterTargets / DeregisterTargets call. The API reference documents no item
 * maximum (API_RegisterTargets.html: `Targets`, "Array of TargetDescription objects"), so this
 * is our pacing, not AWS's: 100 keeps a fill of 1,000 instances (the default "Targets per
 * target group" quota) at 10 calls, inside ELBv2's registration burst (the "Target
 * registration" throttling category), and one failed call holds back at most 100 targets.
 */
export const IP_TARGETS_CHUNK = 100;

/** An `ip` target: private IPv4 address and port. */
export interface IpTarget {
  ip: string;
  port: number;
}

export interface IpTargetHealth extends IpTarget {
  /** DescribeTargetHealth's TargetHealth.State (initial, healthy, unhealthy, draining, unavailable, …). */
  state: string;
  /** "all" for an IP outside the target group's VPC (peered VPC, on-premises). */
  availabilityZone?: string;
}

/** One chunk ELBv2 refused (after the SDK's retries), with AWS's error. */
export interface IpTargetFailure {
  targets: IpTarget[];
  reason: string;
}

/** ELBv2 targets of `ip` target groups: read the group, register and deregister in paced chunks. */
export class IpTargetsAdapter {
  constructor(private readonly elbv2: ElasticLoadBalancingV2Client) {}

  /** Every target in the group, draining ones included, in one call (DescribeTargetHealth is not paginated). */
  async health(targetGroupArn: string, o?: CallOptions): Promise<IpTargetHealth[]> {
    const out = await this.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }), sendOptions(o));
    return (out.TargetHealthDescriptions ?? []).flatMap((d) =>
      d.Target?.Id === undefined
        ? []
        : [
            {
              ip: d.Target.Id,
              port: d.Target.Port ?? 0,
              state: d.TargetHealth?.State ?? 'unused',
              ...(d.Target.AvailabilityZone ? { availabilityZone: d.Target.AvailabilityZone } : {}),
            },
          ],
    );
  }

  /** Register in chunks; a refused chunk is answered as a failure and the next chunks still go. Throws only when aborted. */
  register(targetGroupArn: string, targets: readonly IpTarget[], o?: CallOptions): Promise<IpTargetFailure[]> {
    return this.inChunks(targets, o, (Targets) => new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets }));
  }

  /** Deregister in chunks (a target not registered is a success on ELBv2's side). Same failure semantics as register. */
  deregister(targetGroupArn: string, targets: readonly IpTarget[], o?: CallOptions): Promise<IpTargetFailure[]> {
    return this.inChunks(targets, o, (Targets) => new DeregisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets }));
  }

  private async inChunks(
    targets: readonly IpTarget[],
    o: CallOptions | undefined,
    command: (targets: Array<{ Id: string; Port: number }>) => RegisterTargetsCommand | DeregisterTargetsCommand,
  ): Promise<IpTargetFailure[]> {
    const failures: IpTargetFailure[] = [];
    for (const part of chunk(targets, IP_TARGETS_CHUNK)) {
      try {
        // One client, two command types: send's overloads need the union narrowed.
        await this.elbv2.send(command(part.map((t) => ({ Id: t.ip, Port: t.port }))) as RegisterTargetsCommand, sendOptions(o));
      } catch (err) {
        if (o?.signal?.aborted) throw err;
        failures.push({ targets: part, reason: `${awsErrorName(err) ?? 'Error'}: ${(err as Error).message}` });
      }
    }
    return failures;
  }
}
