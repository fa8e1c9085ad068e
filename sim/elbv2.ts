import {
  InvalidConfigurationRequestException,
  InvalidTargetException,
  type DeregisterTargetsCommandInput,
  type DescribeTargetGroupAttributesCommandInput,
  type DescribeTargetGroupsCommandInput,
  type DescribeTargetHealthCommandInput,
  type ModifyTargetGroupAttributesCommandInput,
  type RegisterTargetsCommandInput,
  type TargetDescription,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { OperationTable, SimService, SimulatedAccount } from './account';
import {
  DEFAULT_ATTRIBUTES,
  DELAY_KEY,
  describeHealth,
  meta,
  tgNotFound,
  type DeregisteredBy,
  type TargetGroupRecord,
  type TargetRecord,
  type TargetState,
} from './elbv2-shapes';
import { simError } from './errors';
import { SimLoadBalancers } from './elbv2-lb-attributes';
import { checkTargetQuota, ELBV2_TARGETS_PER_TARGET_GROUP_DEFAULT } from './elbv2-target-quota';
import { describeTargetGroups } from './elbv2-describe';
import { ELBV2_DEREGISTRATION_DELAY } from './limits';
import { hexId } from './util';

export type { DeregisteredBy, TargetRecord, TargetState } from './elbv2-shapes';

const key = (id: string, port: number) => `${id}:${port}`;

/** ELBv2 target groups and their targets, with deregistration delay (draining) in simulated time. */
export class SimElbv2 implements SimService {
  /** A target registered through the API turns from `initial` to `healthy` after this long. */
  healthCheckDelayMs = 5_000;
  /** Load balancer and listener attributes (sim/elbv2-lb-attributes.ts). */
  readonly balancers = new SimLoadBalancers(this);
  /** Targets per target group (sim/elbv2-target-quota.ts); lower it to meet the quota in a test. */
  targetsPerGroupQuota = ELBV2_TARGETS_PER_TARGET_GROUP_DEFAULT;
  private readonly groups = new Map<string, TargetGroupRecord>();
  private readonly healthListeners: Array<() => void> = [];

  constructor(readonly account: SimulatedAccount) {}

  operations(): OperationTable {
    return {
      ...this.balancers.operations(),
      DescribeTargetGroups: (input: DescribeTargetGroupsCommandInput) => describeTargetGroups([...this.groups.values()], input),
      DescribeTargetGroupAttributes: (input: DescribeTargetGroupAttributesCommandInput) => ({
        Attributes: [...this.group(input.TargetGroupArn).attributes].map(([Key, Value]) => ({ Key, Value })),
      }),
      ModifyTargetGroupAttributes: (input: ModifyTargetGroupAttributesCommandInput) => {
        const g = this.group(input.TargetGroupArn);
        for (const { Key, Value } of input.Attributes ?? []) {
          if (!Key || !(Key in DEFAULT_ATTRIBUTES))
            throw simError('ValidationError', `Target group attribute key '${Key}' is not recognized`);
          const n = Number(Value);
          const { min, max } = ELBV2_DEREGISTRATION_DELAY;
          if (Key === DELAY_KEY && !(Number.isInteger(n) && n >= min && n <= max)) {
            throw new InvalidConfigurationRequestException({
              message: `'${DELAY_KEY}' value '${Value}' must be between '${min}-${max}' inclusive`,
              $metadata: meta(),
            });
          }
          g.attributes.set(Key, String(Value));
        }
        return { Attributes: [...g.attributes].map(([Key, Value]) => ({ Key, Value })) };
      },
      RegisterTargets: (input: RegisterTargetsCommandInput) => {
        const g = this.group(input.TargetGroupArn);
        const targets = (input.Targets ?? []).map((t) => this.checkTarget(g, t));
        checkTargetQuota(
          [...g.current.keys()],
          targets.map((t) => key(t.id, t.port)),
          this.targetsPerGroupQuota,
        );
        for (const t of targets) this.registerTarget(g.arn, t, { by: 'api' });
        return {};
      },
      DeregisterTargets: (input: DeregisterTargetsCommandInput) => {
        const g = this.group(input.TargetGroupArn);
        for (const t of input.Targets ?? []) this.deregisterTarget(g.arn, { id: t.Id ?? '', port: t.Port ?? g.port }, 'api');
        return {};
      },
      DescribeTargetHealth: (input: DescribeTargetHealthCommandInput) => {
        const g = this.group(input.TargetGroupArn);
        const wanted = input.Targets?.map((t) => ({ id: t.Id ?? '', port: t.Port ?? g.port }));
        const descriptions: TargetHealthDescription[] = wanted
          ? wanted.map((t) => describeHealth(t.id, t.port, g.current.get(key(t.id, t.port))?.state ?? 'unused'))
          : [...g.current.values()].map((r) => describeHealth(r.id, r.port, r.state));
        return { TargetHealthDescriptions: descriptions };
      },
    };
  }

  // ---- seeding and observing --------------------------------------------------------

  createTargetGroup(options: {
    name: string;
    targetType: 'instance' | 'ip';
    port: number;
    protocol?: string;
    deregistrationDelaySeconds?: number;
    loadBalancerArns?: string[];
  }): string {
    const arn = this.account.arn('elasticloadbalancing', `targetgroup/${options.name}/${hexId(this.account, 16)}`);
    const attributes = new Map(Object.entries(DEFAULT_ATTRIBUTES));
    if (options.deregistrationDelaySeconds !== undefined) attributes.set(DELAY_KEY, String(options.deregistrationDelaySeconds));
    this.groups.set(arn, {
      arn,
      name: options.name,
      targetType: options.targetType,
      port: options.port,
      protocol: options.protocol ?? 'HTTP',
      loadBalancerArns: options.loadBalancerArns ?? [],
      attributes,
      current: new Map(),
      history: [],
    });
    return arn;
  }

  /** An ARN for a load balancer (only as a key for DescribeTargetGroups' LoadBalancerArn). */
  createLoadBalancer(name: string, type: 'app' | 'net' = 'app'): string {
    return this.account.arn('elasticloadbalancing', `loadbalancer/${type}/${name}/${hexId(this.account, 16)}`);
  }

  /**
   * Register a target (no-op when already registered and not draining). `healthy: true`
   * makes it healthy at once (seeding); otherwise it is `initial` for `healthCheckDelayMs`.
   */
  registerTarget(tgArn: string, target: { id: string; port: number }, options: { by: 'api' | 'ecs'; healthy?: boolean }): TargetRecord {
    const g = this.group(tgArn);
    const k = key(target.id, target.port);
    const existing = g.current.get(k);
    if (existing && existing.state !== 'draining') return existing;
    if (existing) this.leave(g, existing, this.account.clock.now());
    const now = this.account.clock.now();
    const rec: TargetRecord = {
      targetGroupArn: tgArn,
      id: target.id,
      port: target.port,
      state: 'initial',
      registeredAt: now,
      registeredBy: options.by,
    };
    g.current.set(k, rec);
    g.history.push(rec);
    if (options.healthy) {
      rec.state = 'healthy';
      rec.healthyAt = now;
    } else {
      this.account.at(now + this.healthCheckDelayMs, () => {
        if (rec.state !== 'initial') return;
        rec.state = 'healthy';
        rec.healthyAt = now + this.healthCheckDelayMs;
        this.healthChanged();
      });
    }
    return rec;
  }

  /** Start draining a registered target; removed when the deregistration delay is over. */
  deregisterTarget(tgArn: string, target: { id: string; port: number }, by: DeregisteredBy): void {
    const g = this.group(tgArn);
    const rec = g.current.get(key(target.id, target.port));
    if (!rec || rec.state === 'draining') return; // not registered: ELBv2 answers success
    const now = this.account.clock.now();
    rec.state = 'draining';
    rec.deregisterRequestedAt = now;
    rec.deregisteredBy = by;
    const until = now + Number(g.attributes.get(DELAY_KEY)) * 1000;
    if (until <= now) this.leave(g, rec, now);
    else this.account.at(until, () => g.current.get(key(rec.id, rec.port)) === rec && this.leave(g, rec, until));
  }

  /** The target's host went away: it leaves the group at once, draining or not. */
  removeTarget(tgArn: string, target: { id: string; port: number }, by: DeregisteredBy): void {
    const g = this.groups.get(tgArn);
    const rec = g?.current.get(key(target.id, target.port));
    if (!g || !rec) return;
    const now = this.account.clock.now();
    if (rec.state !== 'draining') {
      rec.deregisterRequestedAt = now;
      rec.deregisteredBy = by;
    }
    this.leave(g, rec, now);
  }

  /** Every instance-type target of this EC2 instance, in every group, leaves at once. */
  removeInstanceTargets(instanceId: string): void {
    for (const g of this.groups.values()) {
      if (g.targetType !== 'instance') continue;
      for (const rec of [...g.current.values()]) if (rec.id === instanceId) this.removeTarget(g.arn, rec, 'termination');
    }
  }

  deregistrationDelaySeconds(tgArn: string): number {
    return Number(this.group(tgArn).attributes.get(DELAY_KEY));
  }

  /** Force a health state (e.g. to make a target unhealthy). */
  setHealth(tgArn: string, target: { id: string; port: number }, state: 'healthy' | 'unhealthy' | 'initial'): void {
    const rec = this.group(tgArn).current.get(key(target.id, target.port));
    if (!rec) throw new Error(`setHealth: ${key(target.id, target.port)} is not registered in ${tgArn}`);
    rec.state = state;
    this.healthChanged();
  }

  /** The target's state now (undefined when it is not in the group). */
  targetState(tgArn: string, target: { id: string; port: number }): TargetState | undefined {
    return this.groups.get(tgArn)?.current.get(key(target.id, target.port))?.state;
  }

  /** When a draining target will leave its group (undefined when it is not draining). */
  drainEndsAt(tgArn: string, target: { id: string; port: number }): number | undefined {
    const g = this.groups.get(tgArn);
    const rec = g?.current.get(key(target.id, target.port));
    if (!g || rec?.state !== 'draining' || rec.deregisterRequestedAt === undefined) return undefined;
    return rec.deregisterRequestedAt + Number(g.attributes.get(DELAY_KEY)) * 1000;
  }

  /** Be told when a target turns healthy or its health is set (ECS waits on it while draining). */
  onHealthChange(listener: () => void): void {
    this.healthListeners.push(listener);
  }

  private healthChanged(): void {
    for (const listener of this.healthListeners) listener();
  }

  /** Every registration so far (in order), for one group or all. */
  targetHistory(tgArn?: string): TargetRecord[] {
    const groups = tgArn ? [this.group(tgArn)] : [...this.groups.values()];
    return groups.flatMap((g) => g.history.map((r) => ({ ...r })));
  }

  /** Targets currently in the group (registered or draining). */
  currentTargets(tgArn: string): TargetRecord[] {
    return [...this.group(tgArn).current.values()].map((r) => ({ ...r }));
  }

  targetGroup(tgArn: string): { targetType: 'instance' | 'ip'; port: number; name: string } {
    const g = this.group(tgArn);
    return { targetType: g.targetType, port: g.port, name: g.name };
  }

  private leave(g: TargetGroupRecord, rec: TargetRecord, at: number): void {
    rec.state = 'removed';
    rec.drainedAt = at;
    g.current.delete(key(rec.id, rec.port));
  }

  private group(arn: string | undefined): TargetGroupRecord {
    const g = this.groups.get(arn ?? '');
    if (!g) throw tgNotFound();
    return g;
  }

  private checkTarget(g: TargetGroupRecord, t: TargetDescription): { id: string; port: number } {
    const id = t.Id ?? '';
    if (g.targetType === 'instance') {
      if (this.account.ec2.instance(id)?.state !== 'running') {
        throw new InvalidTargetException({
          message: `The following targets are not in a running state and cannot be registered: '${id}'`,
          $metadata: meta(),
        });
      }
    } else if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(id)) {
      throw new InvalidTargetException({ message: `The IP address '${id}' is not a valid IPv4 address`, $metadata: meta() });
    }
    return { id, port: t.Port ?? g.port };
  }
}
