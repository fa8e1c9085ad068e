import type { DescribeWarmPoolCommandInput } from '@aws-sdk/client-auto-scaling';
import type { OperationTable, SimulatedAccount } from './account';
import { groupOf, type GroupRecord } from './autoscaling-lifecycle';
import { simError } from './errors';
import { page } from './util';

/**
 * Auto Scaling warm pools: pre-initialised instances beside a group, drawn on at scale-out.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-warm-pools.html
 * - "Whenever your application needs to scale out, the Auto Scaling group can draw on the warm
 *   pool to meet its new desired capacity … As instances leave the warm pool, they count toward
 *   the desired capacity of the group." Instances in the pool do not.
 * - Pool size: "If a value for MaxGroupPreparedCapacity is not specified, Amazon EC2 Auto Scaling
 *   launches and maintains the difference between the group's maximum capacity and its desired
 *   capacity", never fewer than MinSize (API_PutWarmPool.html).
 * - Lifecycle states: an instance enters as `Warmed:Pending`, then rests as `Warmed:Stopped`,
 *   `Warmed:Running` or `Warmed:Hibernated` (the pool state); leaving, it goes `Pending` →
 *   `InService` like a launch (API_Instance.html LifecycleState values;
 *   warm-pool-instance-lifecycle.html).
 * - Not for "an Auto Scaling group that has a mixed instances policy or a launch template or
 *   launch configuration that requests Spot Instances" (API_PutWarmPool.html).
 * - ECS: "When you create or update a warm pool for an Auto Scaling group for Amazon ECS, you
 *   cannot set the option that returns instances to the warm pool on scale in (ReuseOnScaleIn)"
 *   and with ECS_WARM_POOLS_CHECK=true the agent registers only once the instance leaves the
 *   pool (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using-warm-pool.html).
 *   So an ECS group's scale-in always terminates; the simulator refuses ReuseOnScaleIn for a
 *   group whose instances join ECS.
 * - DescribeWarmPool MaxRecords: "The maximum value is 50." (API_DescribeWarmPool.html).
 *
 * ASSUMED TIMES — AWS publishes no figure for these; every warm-pool time the simulator uses is here:
 * - WARM_POOL_ENTRY_MS: a new pool instance's first boot and initialisation before it rests
 *   (Warmed:Pending → Warmed:<state>): 90 s, a cold boot (60 s to ECS in the builders) plus user data.
 * - WARM_START_TO_ECS_MS: from leaving the pool to the container instance registered with ECS —
 *   Stopped 20 s (an EBS-backed start of an already initialised instance, then the agent),
 *   Hibernated 15 s (RAM restored), Running 5 s (the agent only registers).
 */
export const WARM_POOL_ENTRY_MS = 90_000;
export const WARM_START_TO_ECS_MS: Record<WarmPoolState, number> = { Stopped: 20_000, Hibernated: 15_000, Running: 5_000 };
const DESCRIBE_WARM_POOL_MAX_RECORDS = 50;

export type WarmPoolState = 'Stopped' | 'Running' | 'Hibernated';

export interface WarmPoolOptions {
  minSize?: number;
  maxGroupPreparedCapacity?: number;
  poolState?: WarmPoolState;
  reuseOnScaleIn?: boolean;
}

export interface WarmPoolRecord {
  minSize: number;
  maxGroupPreparedCapacity?: number;
  poolState: WarmPoolState;
  reuseOnScaleIn: boolean;
  /** Instance id → `Warmed:Pending` or `Warmed:<poolState>`. */
  instances: Map<string, string>;
}

export class WarmPools {
  constructor(
    private readonly account: SimulatedAccount,
    private readonly groups: Map<string, GroupRecord>,
  ) {}

  operations(): OperationTable {
    return {
      DescribeWarmPool: (input: DescribeWarmPoolCommandInput) => {
        const g = groupOf(this.groups, input.AutoScalingGroupName);
        const size = input.MaxRecords ?? DESCRIBE_WARM_POOL_MAX_RECORDS;
        if (size < 1 || size > DESCRIBE_WARM_POOL_MAX_RECORDS)
          throw simError('ValidationError', `MaxRecords must be between 1 and ${DESCRIBE_WARM_POOL_MAX_RECORDS}`); // assumed wording
        const w = g.warmPool;
        if (!w) return { Instances: [] };
        const { items, nextToken } = page([...w.instances], input.NextToken, size, () =>
          simError('InvalidNextToken', 'The token is invalid.'),
        );
        return {
          WarmPoolConfiguration: {
            MinSize: w.minSize,
            ...(w.maxGroupPreparedCapacity !== undefined ? { MaxGroupPreparedCapacity: w.maxGroupPreparedCapacity } : {}),
            PoolState: w.poolState,
            InstanceReusePolicy: { ReuseOnScaleIn: w.reuseOnScaleIn },
          },
          Instances: items.map(([id, state]) => {
            const inst = this.account.ec2.instance(id);
            return {
              InstanceId: id,
              InstanceType: inst?.instanceType,
              AvailabilityZone: inst?.az,
              LifecycleState: state,
              HealthStatus: 'Healthy',
            };
          }),
          NextToken: nextToken,
        };
      },
    };
  }

  /** Seed (PutWarmPool's effect): the pool fills at once with instances that rest after WARM_POOL_ENTRY_MS. */
  put(asgName: string, options: WarmPoolOptions = {}): void {
    const g = groupOf(this.groups, asgName);
    if (g.overrides)
      throw simError('ValidationError', `You can't add a warm pool to an Auto Scaling group that has a mixed instances policy.`); // assumed wording
    if (options.reuseOnScaleIn && g.launch?.ecs) throw new Error('putWarmPool: ECS does not support ReuseOnScaleIn (using-warm-pool.html)');
    g.warmPool = {
      minSize: options.minSize ?? 0,
      ...(options.maxGroupPreparedCapacity !== undefined ? { maxGroupPreparedCapacity: options.maxGroupPreparedCapacity } : {}),
      poolState: options.poolState ?? 'Stopped',
      reuseOnScaleIn: options.reuseOnScaleIn ?? false,
      instances: new Map(),
    };
    this.fill(g);
  }

  /** DescribeAutoScalingGroups' WarmPoolConfiguration and WarmPoolSize, for a group with a pool. */
  groupFields(g: GroupRecord) {
    const w = g.warmPool;
    if (!w) return {};
    return { WarmPoolConfiguration: { MinSize: w.minSize, PoolState: w.poolState }, WarmPoolSize: w.instances.size };
  }

  /** Launch into the pool up to its size (nothing while the type has no capacity: the pool stays short). */
  fill(g: GroupRecord): void {
    const w = g.warmPool;
    if (!w || !g.launch) return;
    const type = g.launch.instanceType ?? 'm5.large';
    const target = Math.max(w.minSize, (w.maxGroupPreparedCapacity ?? g.max) - g.desired);
    while (w.instances.size < target && this.account.ec2.capacity.available(type)) {
      const tags = Object.fromEntries(g.tags.filter((t) => t.propagateAtLaunch).map((t) => [t.key, t.value]));
      const { instanceId } = this.account.ec2.launchInstance({ instanceType: type, asgName: g.name, az: `${this.account.region}a`, tags });
      w.instances.set(instanceId, 'Warmed:Pending');
      this.account.at(this.account.clock.now() + WARM_POOL_ENTRY_MS, () => {
        if (w.instances.get(instanceId) !== 'Warmed:Pending') return;
        w.instances.set(instanceId, `Warmed:${w.poolState}`);
        if (w.poolState !== 'Running') this.account.ec2.instance(instanceId)!.state = 'stopped';
      });
    }
  }

  /**
   * A scale-out's warm start: a rested instance (never one still `Warmed:Pending`) leaves the pool
   * and joins the group as `Pending`; it is running again at once and registers with ECS
   * WARM_START_TO_ECS_MS later. Answers its id, or undefined when none is ready.
   */
  draw(g: GroupRecord): string | undefined {
    const w = g.warmPool;
    const ready = w && [...w.instances].find(([, state]) => state !== 'Warmed:Pending');
    if (!w || !ready) return undefined;
    const [id, state] = ready;
    w.instances.delete(id);
    const inst = this.account.ec2.instance(id)!;
    inst.state = 'running';
    const record = { lifecycleState: g.pendingMs > 0 ? 'Pending' : 'InService', protectedFromScaleIn: g.newInstancesProtectedFromScaleIn };
    g.instances.set(id, record);
    const now = this.account.clock.now();
    if (g.pendingMs > 0)
      this.account.at(now + g.pendingMs, () => {
        if (record.lifecycleState === 'Pending') record.lifecycleState = 'InService';
      });
    const join = g.launch?.ecs;
    if (join) {
      const from = state.slice('Warmed:'.length) as WarmPoolState;
      this.account.at(now + WARM_START_TO_ECS_MS[from], () => {
        if (inst.state !== 'running') return;
        this.account.ecs.registerContainerInstance({ cluster: join.cluster, ec2InstanceId: id, cpu: join.cpu, memory: join.memory });
      });
    }
    return id;
  }
}
