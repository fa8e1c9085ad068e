import type {
  DescribeSpotFleetInstancesCommandInput,
  DescribeSpotFleetRequestsCommandInput,
  ModifySpotFleetRequestCommandInput,
} from '@aws-sdk/client-ec2';
import type { OperationTable, SimulatedAccount } from './account';
import type { EcsJoin, SimEc2 } from './ec2';
import { simError } from './errors';
import { page, uuid } from './util';

export interface SpotFleetOptions {
  targetCapacity: number;
  /** Instances already in the fleet (they are tagged with the fleet id). */
  instanceIds: string[];
  /**
   * What the fleet launches when it is below its target (after a reclaim, or when the
   * target is raised). Without it the fleet never launches anything.
   */
  launch?: { instanceType?: string; ecs?: EcsJoin };
  excessCapacityTerminationPolicy?: 'noTermination' | 'default';
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
  modifications: Array<{ at: number; targetCapacity: number; policy: string }>;
}

/** Spot Fleet requests of type `maintain`, one unit of capacity per instance. */
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
            SpotFleetRequestState: 'active',
            ActivityStatus: this.activityStatus(f),
            CreateTime: new Date(f.createdAt),
            SpotFleetRequestConfig: {
              TargetCapacity: f.targetCapacity,
              FulfilledCapacity: this.active(f).length,
              OnDemandTargetCapacity: 0,
              ExcessCapacityTerminationPolicy: f.excessCapacityTerminationPolicy,
              Type: 'maintain',
              AllocationStrategy: 'capacityOptimized',
              IamFleetRole: `arn:aws:iam::${this.account.accountId}:role/aws-ec2-spot-fleet-tagging-role`,
            },
          })),
          NextToken: nextToken,
        };
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
        const policy =
          (input.ExcessCapacityTerminationPolicy as SpotFleetRecord['excessCapacityTerminationPolicy'] | undefined) ??
          f.excessCapacityTerminationPolicy;
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

  /** Launch up to the target, or (policy `default`) give excess instances the two-minute warning. */
  private reconcile(f: SpotFleetRecord, policy: string): void {
    const active = this.active(f);
    if (active.length < f.targetCapacity && f.launch) {
      for (let n = active.length; n < f.targetCapacity; n++) {
        const { instanceId } = this.ec2.launchInstance({
          lifecycle: 'spot',
          instanceType: f.launch.instanceType,
          spotFleetRequestId: f.id,
          ecs: f.launch.ecs,
        });
        f.instanceIds.push(instanceId);
      }
    } else if (active.length > f.targetCapacity && policy === 'default') {
      // Spot Fleet scale-in sends the same interruption warning as a reclaim.
      for (const instanceId of active.slice(f.targetCapacity).reverse()) {
        f.leaving.add(instanceId);
        this.ec2.interruptSpot(instanceId);
      }
    }
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
    const n = this.active(f).length;
    return n === f.targetCapacity ? 'fulfilled' : n < f.targetCapacity ? 'pending_fulfillment' : 'pending_termination';
  }

  private get(id: string): SpotFleetRecord {
    const f = this.fleets.get(id);
    if (!f) throw simError('InvalidSpotFleetRequestId.NotFound', `The spot fleet request ID '${id}' does not exist`);
    return f;
  }
}

const badToken = () => simError('InvalidParameterValue', 'The specified NextToken is not valid.');
