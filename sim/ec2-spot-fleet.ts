import type {
  DescribeSpotFleetInstancesCommandInput,
  DescribeSpotFleetRequestHistoryCommandInput,
  DescribeSpotFleetRequestsCommandInput,
  ModifySpotFleetRequestCommandInput,
} from '@aws-sdk/client-ec2';
import type { OperationTable, SimulatedAccount } from './account';
import type { EcsJoin, SimEc2 } from './ec2';
import { simError } from './errors';
import { failedAttempt, historyPage, type LaunchFailureRecord } from './fleet-history';
import { page, uuid } from './util';

export interface SpotFleetOptions {
  targetCapacity: number;
  /** Instances already in the fleet (they are tagged with the fleet id). */
  instanceIds: string[];
  /**
   * What the fleet launches when it is below its target (after a reclaim, or when the
   * target is raised). Without it the fleet never launches anything.
   */
  launch?: {
    instanceType?: string;
    ecs?: EcsJoin;
    /**
     * Launch template overrides in priority order, each counting WeightedCapacity units towards
     * the target (replaces `instanceType`; cpu/memory default to `ecs`'s).
     * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LaunchTemplateOverrides.html
     */
    instanceTypes?: Array<{ instanceType: string; weightedCapacity?: number; cpu?: number; memory?: number }>;
    /** Tags the launch template gives each instance launched (the request's own tags stay on the request). */
    instanceTags?: Record<string, string>;
    /** How long the fleet takes to launch once short (default 0: at once). AWS publishes no figure. */
    launchDelayMs?: number;
  };
  excessCapacityTerminationPolicy?: 'noTermination' | 'default';
  /** Tags of the request (DescribeSpotFleetRequests' Tags), e.g. ecs-steady:cluster. */
  tags?: Record<string, string>;
}

export interface SpotFleetRecord {
  id: string;
  targetCapacity: number;
  excessCapacityTerminationPolicy: 'noTermination' | 'default';
  createdAt: number;
  instanceIds: string[];
  /** Instances the fleet has sent an interruption warning to (scale-in): leaving, not counted. */
  leaving: Set<string>;
  launch?: SpotFleetOptions['launch'];
  tags: Record<string, string>;
  /** Launches that failed for lack of capacity, per type (the API answers `history`). */
  launchErrors: Array<{ at: number; instanceType: string; code: string; message: string }>;
  /** DescribeSpotFleetRequestHistory's `error` records (sim/fleet-history.ts), oldest first. */
  history: LaunchFailureRecord[];
  retryAt?: number;
  /** When a launch delayed by launch.launchDelayMs is due, if one is. */
  launchAt?: number;
  modifications: Array<{ at: number; targetCapacity: number; policy: string }>;
}

/**
 * Assumed: AWS publishes no interval at which a `maintain` fleet short of capacity tries again.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-fleet.html
 */
const RETRY_MS = 30_000;

/**
 * Spot Fleet requests of type `maintain`: capacity in units (an instance counts its type's
 * WeightedCapacity, 1 by default), replacement only while fulfilled < target.
 */
export class SpotFleets {
  private readonly fleets = new Map<string, SpotFleetRecord>();

  constructor(
    private readonly account: SimulatedAccount,
    private readonly ec2: SimEc2,
  ) {}

  operations(): OperationTable {
    return {
      DescribeSpotFleetRequests: (input: DescribeSpotFleetRequestsCommandInput) => {
        const ids = input.SpotFleetRequestIds ?? [];
        const fleets = ids.length > 0 ? ids.map((id) => this.get(id)) : [...this.fleets.values()];
        const { items, nextToken } = page(fleets, input.NextToken, input.MaxResults ?? 1000, badToken);
        return {
          SpotFleetRequestConfigs: items.map((f) => ({
            SpotFleetRequestId: f.id,
            Tags: Object.entries(f.tags).map(([Key, Value]) => ({ Key, Value })),
            SpotFleetRequestState: 'active',
            ActivityStatus: this.activityStatus(f),
            CreateTime: new Date(f.createdAt),
            SpotFleetRequestConfig: {
              TargetCapacity: f.targetCapacity,
              FulfilledCapacity: this.fulfilled(f),
              OnDemandTargetCapacity: 0,
              ExcessCapacityTerminationPolicy: f.excessCapacityTerminationPolicy,
              Type: 'maintain',
              AllocationStrategy: 'capacityOptimized',
              IamFleetRole: `arn:aws:iam::${this.account.accountId}:role/aws-ec2-spot-fleet-tagging-role`,
              LaunchTemplateConfigs: [
                {
                  LaunchTemplateSpecification: { LaunchTemplateName: `${f.id}-template`, Version: '$Default' },
                  Overrides: this.types(f).map((t, i) => ({
                    InstanceType: t.instanceType as 'm5.large',
                    WeightedCapacity: t.weightedCapacity ?? 1,
                    Priority: i,
                  })),
                },
              ],
              TagSpecifications: [
                { ResourceType: 'spot-fleet-request' as const, Tags: Object.entries(f.tags).map(([Key, Value]) => ({ Key, Value })) },
              ],
            },
          })),
          NextToken: nextToken,
        };
      },
      DescribeSpotFleetRequestHistory: (input: DescribeSpotFleetRequestHistoryCommandInput) => {
        const f = this.get(input.SpotFleetRequestId ?? '');
        return { SpotFleetRequestId: f.id, ...historyPage(this.account, f.history, input, 'error') };
      },
      DescribeSpotFleetInstances: (input: DescribeSpotFleetInstancesCommandInput) => {
        const f = this.get(input.SpotFleetRequestId ?? '');
        const { items, nextToken } = page(this.running(f), input.NextToken, input.MaxResults ?? 1000, badToken);
        return {
          SpotFleetRequestId: f.id,
          ActiveInstances: items.map((id) => ({
            InstanceId: id,
            InstanceType: this.ec2.instance(id)?.instanceType,
            SpotInstanceRequestId: `sir-${id.slice(2, 10)}`,
            InstanceHealth: 'healthy',
          })),
          NextToken: nextToken,
        };
      },
      ModifySpotFleetRequest: (input: ModifySpotFleetRequestCommandInput) => {
        const f = this.get(input.SpotFleetRequestId ?? '');
        // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySpotFleetRequest.html: "Valid Values: noTermination | default"
        const given = input.ExcessCapacityTerminationPolicy;
        if (given !== undefined && given !== 'noTermination' && given !== 'default')
          throw simError('InvalidParameterValue', `Value (${given}) for parameter excessCapacityTerminationPolicy is invalid.`); // wording assumed
        const policy =
          (input.ExcessCapacityTerminationPolicy as SpotFleetRecord['excessCapacityTerminationPolicy'] | undefined) ??
          f.excessCapacityTerminationPolicy;
        // The policy given is kept as the request's (DescribeSpotFleetRequests shows it afterwards).
        f.excessCapacityTerminationPolicy = policy;
        if (input.TargetCapacity !== undefined) {
          if (input.TargetCapacity < 0) throw simError('InvalidParameterValue', 'TargetCapacity must be at least 0');
          f.targetCapacity = input.TargetCapacity;
          f.modifications.push({ at: this.account.clock.now(), targetCapacity: input.TargetCapacity, policy });
          this.reconcile(f, policy);
        }
        return { Return: true };
      },
    };
  }

  create(options: SpotFleetOptions): string {
    const id = `sfr-${uuid(this.account)}`;
    const fleet: SpotFleetRecord = {
      id,
      targetCapacity: options.targetCapacity,
      excessCapacityTerminationPolicy: options.excessCapacityTerminationPolicy ?? 'default',
      createdAt: this.account.clock.now(),
      instanceIds: [],
      leaving: new Set(),
      launch: options.launch,
      tags: { ...(options.tags ?? {}) },
      launchErrors: [],
      history: [],
      modifications: [],
    };
    this.fleets.set(id, fleet);
    for (const instanceId of options.instanceIds) {
      const inst = this.ec2.instance(instanceId);
      if (!inst) throw new Error(`createSpotFleet: unknown instance ${instanceId}`);
      inst.tags['aws:ec2spot:fleet-request-id'] = id;
      fleet.instanceIds.push(instanceId);
    }
    return id;
  }

  fleet(id: string): SpotFleetRecord | undefined {
    return this.fleets.get(id);
  }

  /** An instance of a fleet was terminated: a `maintain` fleet replaces it if it can. */
  instanceGone(instanceId: string): void {
    for (const f of this.fleets.values()) {
      if (!f.instanceIds.includes(instanceId)) continue;
      f.leaving.delete(instanceId);
      this.reconcile(f, f.excessCapacityTerminationPolicy);
    }
  }

  /** Launch up to the target, or (policy `default`) give excess instances the two-minute warning, newest first. */
  private reconcile(f: SpotFleetRecord, policy: string): void {
    if (this.fulfilled(f) < f.targetCapacity && f.launch) {
      this.launchSoon(f, f.launch.launchDelayMs ?? 0);
    } else if (this.fulfilled(f) > f.targetCapacity && policy === 'default') {
      // Spot Fleet scale-in sends the same interruption warning as a reclaim.
      for (const instanceId of [...this.active(f)].reverse()) {
        if (this.fulfilled(f) - this.weightOf(f, instanceId) < f.targetCapacity) continue;
        f.leaving.add(instanceId);
        this.ec2.interruptSpot(instanceId);
      }
    }
  }

  /** Launch (first type with capacity) until fulfilled ≥ target; false when no type has capacity. */
  private launchShortfall(f: SpotFleetRecord): boolean {
    while (this.fulfilled(f) < f.targetCapacity) {
      const type = this.types(f).find((t) => this.ec2.capacity.available(t.instanceType));
      if (!type) {
        const now = this.account.clock.now();
        const az = `${this.account.region}a`;
        const errors = this.types(f).map((t) => ({
          instanceType: t.instanceType,
          az,
          ...this.ec2.capacity.insufficient(t.instanceType, az, 'spot'),
        }));
        for (const e of errors) f.launchErrors.push({ at: now, instanceType: e.instanceType, code: e.code, message: e.message });
        f.history.push(failedAttempt(f.id, f.history.length, now, errors));
        return false;
      }
      const join = f.launch!.ecs;
      const { instanceId } = this.ec2.launchInstance({
        lifecycle: 'spot',
        instanceType: type.instanceType,
        spotFleetRequestId: f.id,
        tags: f.launch!.instanceTags,
        ...(join ? { ecs: { ...join, cpu: type.cpu ?? join.cpu, memory: type.memory ?? join.memory } } : {}),
      });
      f.instanceIds.push(instanceId);
    }
    return true;
  }

  /** Launch now (delay 0) or once `delay` has passed, if the fleet is still short then. */
  private launchSoon(f: SpotFleetRecord, delay: number): void {
    if (delay <= 0) {
      if (!this.launchShortfall(f)) this.retryLater(f);
      return;
    }
    if (f.launchAt !== undefined || f.retryAt !== undefined) return;
    f.launchAt = this.account.clock.now() + delay;
    this.account.at(f.launchAt, () => {
      f.launchAt = undefined;
      if (this.fulfilled(f) < f.targetCapacity) this.launchSoon(f, 0);
    });
  }

  private retryLater(f: SpotFleetRecord): void {
    if (f.retryAt !== undefined) return;
    f.retryAt = this.account.clock.now() + RETRY_MS;
    this.account.at(f.retryAt, () => {
      f.retryAt = undefined;
      if (this.fulfilled(f) < f.targetCapacity) this.launchSoon(f, 0);
    });
  }

  private types(f: SpotFleetRecord): Array<{ instanceType: string; weightedCapacity?: number; cpu?: number; memory?: number }> {
    return f.launch?.instanceTypes ?? [{ instanceType: f.launch?.instanceType ?? 'm5.large' }];
  }

  private weightOf(f: SpotFleetRecord, instanceId: string): number {
    const type = this.ec2.instance(instanceId)?.instanceType;
    return f.launch?.instanceTypes?.find((t) => t.instanceType === type)?.weightedCapacity ?? 1;
  }

  /** Units of the running instances that count towards the target (FulfilledCapacity). */
  fulfilled(f: SpotFleetRecord): number {
    return this.active(f).reduce((sum, id) => sum + this.weightOf(f, id), 0);
  }

  /** Running instances that count towards the target (not terminated, not leaving). */
  private active(f: SpotFleetRecord): string[] {
    return this.running(f).filter((id) => !f.leaving.has(id));
  }

  private running(f: SpotFleetRecord): string[] {
    return f.instanceIds.filter((id) => {
      const s = this.ec2.instance(id)?.state;
      return s === 'running' || s === 'pending';
    });
  }

  private activityStatus(f: SpotFleetRecord): string {
    const n = this.fulfilled(f);
    if (n < f.targetCapacity && f.retryAt !== undefined) return 'error';
    return n === f.targetCapacity ? 'fulfilled' : n < f.targetCapacity ? 'pending_fulfillment' : 'pending_termination';
  }

  private get(id: string): SpotFleetRecord {
    const f = this.fleets.get(id);
    if (!f) throw simError('InvalidSpotFleetRequestId.NotFound', `The spot fleet request ID '${id}' does not exist`);
    return f;
  }
}

const badToken = () => simError('InvalidParameterValue', 'The specified NextToken is not valid.');
