import {
  ListenerNotFoundException,
  LoadBalancerNotFoundException,
  type DescribeListenerAttributesCommandInput,
  type DescribeListenersCommandInput,
  type DescribeLoadBalancerAttributesCommandInput,
  type ModifyListenerAttributesCommandInput,
  type ModifyLoadBalancerAttributesCommandInput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { OperationTable, SimulatedAccount } from './account';
import { simError } from './errors';
import { hexId } from './util';

const meta = () => ({ httpStatusCode: 400, requestId: 'sim', attempts: 1, totalRetryDelay: 0 });
const lbNotFound = () => new LoadBalancerNotFoundException({ message: 'One or more load balancers not found', $metadata: meta() });
const listenerNotFound = () => new ListenerNotFoundException({ message: 'One or more listeners not found', $metadata: meta() });

/**
 * ALB attribute "idle_timeout.timeout_seconds - The idle timeout value, in seconds. The valid
 * range is 1-4000 seconds. The default is 60 seconds."
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancerAttribute.html)
 */
export const ALB_IDLE_TIMEOUT = { key: 'idle_timeout.timeout_seconds', min: 1, max: 4000, default: 60 } as const;
/**
 * NLB TCP listener attribute "tcp.idle_timeout.seconds - The tcp idle timeout value, in seconds.
 * The valid range is 60-6000 seconds. The default is 350 seconds." An NLB's own attributes hold
 * no idle timeout: it is per TCP listener
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ListenerAttribute.html).
 */
export const NLB_TCP_IDLE_TIMEOUT = { key: 'tcp.idle_timeout.seconds', min: 60, max: 6000, default: 350 } as const;

/** A load balancer's default attributes by type (a subset of what AWS answers). */
const DEFAULTS: Record<'app' | 'net', Record<string, string>> = {
  app: {
    'deletion_protection.enabled': 'false',
    [ALB_IDLE_TIMEOUT.key]: String(ALB_IDLE_TIMEOUT.default),
    'routing.http2.enabled': 'true',
    'routing.http.drop_invalid_header_fields.enabled': 'false',
  },
  net: { 'deletion_protection.enabled': 'false', 'load_balancing.cross_zone.enabled': 'false' },
};

interface ListenerRecord {
  arn: string;
  loadBalancerArn: string;
  port: number;
  protocol: string;
  attributes: Map<string, string>;
}

/**
 * Load balancer and listener attributes. The simulator keeps no load balancer records (an LB is
 * an ARN: SimElbv2.createLoadBalancer), so any well-formed `app` / `net` ARN of this account is
 * known, with AWS's defaults until modified.
 */
export class SimLoadBalancers {
  private readonly attributes = new Map<string, Map<string, string>>();
  private readonly listeners = new Map<string, ListenerRecord>();

  constructor(private readonly owner: { readonly account: SimulatedAccount }) {}

  operations(): OperationTable {
    return {
      DescribeLoadBalancerAttributes: (input: DescribeLoadBalancerAttributesCommandInput) => ({
        Attributes: [...this.of(input.LoadBalancerArn)].map(([Key, Value]) => ({ Key, Value })),
      }),
      ModifyLoadBalancerAttributes: (input: ModifyLoadBalancerAttributesCommandInput) => {
        const attrs = this.of(input.LoadBalancerArn);
        for (const a of input.Attributes ?? []) {
          if (a.Key === ALB_IDLE_TIMEOUT.key) checkRange(a.Value, ALB_IDLE_TIMEOUT, a.Key);
          if (a.Key) attrs.set(a.Key, a.Value ?? '');
        }
        return { Attributes: [...attrs].map(([Key, Value]) => ({ Key, Value })) };
      },
      DescribeListeners: (input: DescribeListenersCommandInput) => {
        if (input.LoadBalancerArn) this.of(input.LoadBalancerArn);
        const wanted = input.ListenerArns?.length ? new Set(input.ListenerArns) : undefined;
        if (wanted && [...wanted].some((arn) => !this.listeners.has(arn))) throw listenerNotFound();
        const found = [...this.listeners.values()].filter(
          (l) => (!input.LoadBalancerArn || l.loadBalancerArn === input.LoadBalancerArn) && (!wanted || wanted.has(l.arn)),
        );
        return {
          Listeners: found.map((l) => ({ ListenerArn: l.arn, LoadBalancerArn: l.loadBalancerArn, Port: l.port, Protocol: l.protocol })),
        };
      },
      DescribeListenerAttributes: (input: DescribeListenerAttributesCommandInput) => ({
        Attributes: [...this.listener(input.ListenerArn).attributes].map(([Key, Value]) => ({ Key, Value })),
      }),
      ModifyListenerAttributes: (input: ModifyListenerAttributesCommandInput) => {
        const l = this.listener(input.ListenerArn);
        for (const a of input.Attributes ?? []) {
          if (a.Key === NLB_TCP_IDLE_TIMEOUT.key) checkRange(a.Value, NLB_TCP_IDLE_TIMEOUT, a.Key);
          if (a.Key) l.attributes.set(a.Key, a.Value ?? '');
        }
        return { Attributes: [...l.attributes].map(([Key, Value]) => ({ Key, Value })) };
      },
    };
  }

  // ---- seeding ----------------------------------------------------------------------

  /** A listener on a load balancer; TCP listeners of an NLB carry the TCP idle timeout (default 350 s). */
  createListener(loadBalancerArn: string, options: { port: number; protocol?: string; tcpIdleTimeoutSeconds?: number }): string {
    const type = this.typeOf(loadBalancerArn);
    const protocol = options.protocol ?? (type === 'net' ? 'TCP' : 'HTTP');
    const [, rest] = loadBalancerArn.split(':loadbalancer/');
    const arn = this.owner.account.arn('elasticloadbalancing', `listener/${rest}/${hexId(this.owner.account, 16)}`);
    const attributes = new Map<string, string>();
    if (type === 'net' && ['TCP', 'TCP_UDP', 'TLS'].includes(protocol))
      attributes.set(NLB_TCP_IDLE_TIMEOUT.key, String(options.tcpIdleTimeoutSeconds ?? NLB_TCP_IDLE_TIMEOUT.default));
    this.listeners.set(arn, { arn, loadBalancerArn, port: options.port, protocol, attributes });
    return arn;
  }

  /** Set an ALB's idle timeout (seeding; validated as ModifyLoadBalancerAttributes does). */
  setIdleTimeout(loadBalancerArn: string, seconds: number): void {
    checkRange(String(seconds), ALB_IDLE_TIMEOUT, ALB_IDLE_TIMEOUT.key);
    this.of(loadBalancerArn).set(ALB_IDLE_TIMEOUT.key, String(seconds));
  }

  private typeOf(arn: string | undefined): 'app' | 'net' {
    const m = /^arn:aws:elasticloadbalancing:([^:]+):(\d+):loadbalancer\/(app|net)\/[^/]+\/[0-9a-f]+$/.exec(arn ?? '');
    if (!m || m[1] !== this.owner.account.region || m[2] !== this.owner.account.accountId) throw lbNotFound();
    return m[3] as 'app' | 'net';
  }

  private of(arn: string | undefined): Map<string, string> {
    const type = this.typeOf(arn);
    let attrs = this.attributes.get(arn!);
    if (!attrs) {
      attrs = new Map(Object.entries(DEFAULTS[type]));
      this.attributes.set(arn!, attrs);
    }
    return attrs;
  }

  private listener(arn: string | undefined): ListenerRecord {
    const l = this.listeners.get(arn ?? '');
    if (!l) throw listenerNotFound();
    return l;
  }
}

function checkRange(value: string | undefined, range: { min: number; max: number }, key: string): void {
  const n = Number(value);
  if (!Number.isInteger(n) || n < range.min || n > range.max)
    throw simError('ValidationError', `The value of '${key}' must be between ${range.min} and ${range.max}`);
}
