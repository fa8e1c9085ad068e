import { TargetGroupNotFoundException } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TargetGroup, TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ELBV2_DEREGISTRATION_DELAY } from './limits';

export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'draining' | 'removed';
export type DeregisteredBy = 'api' | 'ecs' | 'termination';

/** One registration of one target (a re-registration after removal is a new record). */
export interface TargetRecord {
  targetGroupArn: string;
  id: string;
  port: number;
  state: TargetState;
  registeredAt: number;
  registeredBy: 'api' | 'ecs';
  healthyAt?: number;
  deregisterRequestedAt?: number;
  deregisteredBy?: DeregisteredBy;
  /** When it left the group (draining over, or its host went away). */
  drainedAt?: number;
}

export interface TargetGroupRecord {
  arn: string;
  name: string;
  targetType: 'instance' | 'ip';
  port: number;
  protocol: string;
  loadBalancerArns: string[];
  attributes: Map<string, string>;
  current: Map<string, TargetRecord>;
  history: TargetRecord[];
}

export const DELAY_KEY = 'deregistration_delay.timeout_seconds';
export const DEFAULT_ATTRIBUTES: Record<string, string> = {
  [DELAY_KEY]: String(ELBV2_DEREGISTRATION_DELAY.default),
  'stickiness.enabled': 'false',
  'stickiness.type': 'lb_cookie',
  'slow_start.duration_seconds': '0',
  'load_balancing.algorithm.type': 'round_robin',
};
/** DescribeTargetHealth's reason and description per state, as ELBv2 words them. */
const HEALTH: Record<string, { Reason?: string; Description?: string }> = {
  initial: { Reason: 'Elb.RegistrationInProgress', Description: 'Target registration is in progress' },
  healthy: {},
  unhealthy: { Reason: 'Target.FailedHealthChecks', Description: 'Health checks failed' },
  draining: { Reason: 'Target.DeregistrationInProgress', Description: 'Target deregistration is in progress' },
  unused: { Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' },
};

export function describeHealth(id: string, port: number, state: TargetState | 'unused'): TargetHealthDescription {
  const s = state === 'removed' ? 'unused' : state;
  const health = { State: s, ...HEALTH[s] } as TargetHealthDescription['TargetHealth'];
  return { Target: { Id: id, Port: port }, HealthCheckPort: String(port), TargetHealth: health };
}

export function toTargetGroup(g: TargetGroupRecord): TargetGroup {
  return {
    TargetGroupArn: g.arn,
    TargetGroupName: g.name,
    Protocol: g.protocol as TargetGroup['Protocol'],
    Port: g.port,
    VpcId: 'vpc-0sim0000000000000',
    HealthCheckProtocol: g.protocol as TargetGroup['Protocol'],
    HealthCheckPort: 'traffic-port',
    HealthCheckEnabled: true,
    HealthCheckIntervalSeconds: 30,
    HealthCheckTimeoutSeconds: 5,
    HealthyThresholdCount: 5,
    UnhealthyThresholdCount: 2,
    LoadBalancerArns: [...g.loadBalancerArns],
    TargetType: g.targetType,
    IpAddressType: 'ipv4',
  };
}

/** The $metadata of a simulated ELBv2 error. */
export const meta = () => ({ httpStatusCode: 400, requestId: 'sim', attempts: 1, totalRetryDelay: 0 });
/** ELBv2's TargetGroupNotFound ("One or more target groups not found"), as its own exception class. */
export const tgNotFound = () => new TargetGroupNotFoundException({ message: 'One or more target groups not found', $metadata: meta() });
