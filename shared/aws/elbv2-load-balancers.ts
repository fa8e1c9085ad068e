import {
  DescribeListenerAttributesCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeTargetGroupsCommand,
  paginateDescribeListeners,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mapLimit } from '../lambda/concurrency';
import { collect, sendOptions, type CallOptions } from './call';
import { TargetsAdapter } from './elbv2-targets';
import { chunk, DESCRIBE_TARGET_GROUPS_MAX } from './limits';

/** ALB attribute `idle_timeout.timeout_seconds`: "The default is 60 seconds." (ELBv2 LoadBalancerAttribute) */
export const ALB_IDLE_TIMEOUT_KEY = 'idle_timeout.timeout_seconds';
export const ALB_DEFAULT_IDLE_TIMEOUT_SECONDS = 60;
/** NLB TCP listener attribute `tcp.idle_timeout.seconds`: "The default is 350 seconds." (ELBv2 ListenerAttribute) */
export const NLB_TCP_IDLE_TIMEOUT_KEY = 'tcp.idle_timeout.seconds';
export const NLB_DEFAULT_TCP_IDLE_TIMEOUT_SECONDS = 350;
/** DescribeListeners PageSize: "Valid Range: Minimum value of 1. Maximum value of 400." */
const DESCRIBE_LISTENERS_PAGE_MAX = 400;
/** Attribute reads in flight at once (ELBv2 describe calls share one account rate). */
const READ_CONCURRENCY = 4;

export interface TargetGroupFacts {
  arn: string;
  name: string;
  loadBalancerArns: string[];
  deregistrationDelaySeconds: number;
}

/** One idle timeout of a load balancer: the ALB's own, or one per NLB TCP listener. */
export interface IdleTimeout {
  /** `listener <port>` for an NLB; undefined for the ALB itself. */
  listener?: string;
  seconds: number;
}

export interface LoadBalancerFacts {
  arn: string;
  name: string;
  type: 'application' | 'network' | 'other';
  idleTimeouts: IdleTimeout[];
}

/** The type and name of a load balancer, from its ARN (`…:loadbalancer/app/<name>/<id>`). */
export function parseLoadBalancerArn(arn: string): { type: LoadBalancerFacts['type']; name: string } {
  const m = /:loadbalancer\/(app|net|gwy)\/([^/]+)\//.exec(arn);
  return { type: m?.[1] === 'app' ? 'application' : m?.[1] === 'net' ? 'network' : 'other', name: m?.[2] ?? arn };
}

/** Target groups and load balancers, as preflight reads them. */
export class LoadBalancersAdapter {
  private readonly targets: TargetsAdapter;

  constructor(private readonly elbv2: ElasticLoadBalancingV2Client) {
    this.targets = new TargetsAdapter(elbv2);
  }

  /** Target groups by ARN (20 a call), each with its deregistration delay. A group ELBv2 does not know throws TargetGroupNotFound. */
  async targetGroups(arns: readonly string[], o?: CallOptions): Promise<TargetGroupFacts[]> {
    const parts = await Promise.all(
      chunk([...new Set(arns)], DESCRIBE_TARGET_GROUPS_MAX).map((part) =>
        this.elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: part }), sendOptions(o)),
      ),
    );
    const groups = parts.flatMap((p) => p.TargetGroups ?? []).filter((g) => g.TargetGroupArn);
    return mapLimit(groups, READ_CONCURRENCY, async (g) => ({
      arn: g.TargetGroupArn!,
      name: g.TargetGroupName ?? g.TargetGroupArn!,
      loadBalancerArns: g.LoadBalancerArns ?? [],
      deregistrationDelaySeconds: await this.targets.deregistrationDelaySeconds(g.TargetGroupArn!, o),
    }));
  }

  /**
   * The idle timeouts of one load balancer: an ALB's `idle_timeout.timeout_seconds`; an NLB's
   * `tcp.idle_timeout.seconds` per TCP / TLS listener (an NLB has no idle timeout of its own).
   */
  async idleTimeouts(arn: string, o?: CallOptions): Promise<LoadBalancerFacts> {
    const { type, name } = parseLoadBalancerArn(arn);
    if (type === 'application') {
      const out = await this.elbv2.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }), sendOptions(o));
      const raw = Number(out.Attributes?.find((a) => a.Key === ALB_IDLE_TIMEOUT_KEY)?.Value);
      return { arn, name, type, idleTimeouts: [{ seconds: Number.isFinite(raw) && raw > 0 ? raw : ALB_DEFAULT_IDLE_TIMEOUT_SECONDS }] };
    }
    if (type !== 'network') return { arn, name, type, idleTimeouts: [] };
    const listeners = await collect(
      paginateDescribeListeners({ client: this.elbv2 }, { LoadBalancerArn: arn, PageSize: DESCRIBE_LISTENERS_PAGE_MAX }, sendOptions(o)),
      (page) => page.Listeners,
    );
    const tcp = listeners.filter((l) => l.ListenerArn && ['TCP', 'TLS', 'TCP_UDP'].includes(l.Protocol ?? ''));
    const idleTimeouts = await mapLimit(tcp, READ_CONCURRENCY, async (l) => {
      const out = await this.elbv2.send(new DescribeListenerAttributesCommand({ ListenerArn: l.ListenerArn }), sendOptions(o));
      const raw = Number(out.Attributes?.find((a) => a.Key === NLB_TCP_IDLE_TIMEOUT_KEY)?.Value);
      return { listener: `${l.Protocol} ${l.Port}`, seconds: Number.isFinite(raw) && raw > 0 ? raw : NLB_DEFAULT_TCP_IDLE_TIMEOUT_SECONDS };
    });
    return { arn, name, type, idleTimeouts };
  }
}
