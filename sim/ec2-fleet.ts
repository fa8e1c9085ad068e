import type {
  DescribeFleetHistoryCommandInput,
  DescribeFleetInstancesCommandInput,
  DescribeFleetsCommandInput,
  Filter,
  ModifyFleetCommandInput,
} from '@aws-sdk/client-ec2';
import type { OperationTable, SimulatedAccount } from './account';
import type { SimEc2 } from './ec2';
import { simError } from './errors';
import type { FleetCapacityType, FleetExcessPolicy, FleetOptions, FleetRecord } from './ec2-fleet-types';
import { failedAttempt, historyPage } from './fleet-history';
import { hexId, page } from './util';

export type { FleetCapacityType, FleetExcessPolicy, FleetInstanceType, FleetOptions, FleetRecord } from './ec2-fleet-types';

/**
 * EC2 Fleets of type `maintain`: a target capacity in units (an instance counts its type's
 * WeightedCapacity), kept by launching after terminations and, with the excess-capacity
 * termination policy `termination`, by terminating when the target is lowered.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/manage-ec2-fleet.html
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyFleet.html
 */

/** Assumed: the API reference names no default for a maintain fleet's ExcessCapacityTerminationPolicy. */
const DEFAULT_POLICY: FleetExcessPolicy = 'termination';
const DEFAULT_LAUNCH_DELAY_MS = 30_000;

export class Ec2Fleets {
  private readonly fleets = new Map<string, FleetRecord>();
  private reconciling = false;

  constructor(
    private readonly account: SimulatedAccount,
    private readonly ec2: SimEc2,
  ) {}

  operations(): OperationTable {
    return {
      DescribeFleets: (input: DescribeFleetsCommandInput) => {
        const ids = input.FleetIds ?? [];
        const fleets = (ids.length > 0 ? ids.map((id) => this.get(id)) : [...this.fleets.values()]).filter((f) =>
          (input.Filters ?? []).every((flt) => this.matches(f, flt)),
        );
        const { items, nextToken } = page(fleets, input.NextToken, input.MaxResults ?? 1000, badToken);
        return { Fleets: items.map((f) => this.toFleet(f)), NextToken: nextToken };
      },
      DescribeFleetHistory: (input: DescribeFleetHistoryCommandInput) => {
        const f = this.get(input.FleetId ?? '');
        return { FleetId: f.id, ...historyPage(this.account, f.history, input, 'service-error') };
      },
      DescribeFleetInstances: (input: DescribeFleetInstancesCommandInput) => {
        const f = this.get(input.FleetId ?? '');
        const types = (input.Filters ?? []).find((x) => x.Name === 'instance-type')?.Values;
        const active = this.running(f).filter((id) => !types || types.includes(this.ec2.instance(id)!.instanceType));
        const { items, nextToken } = page(active, input.NextToken, input.MaxResults ?? 1000, badToken);
        return {
          FleetId: f.id,
          ActiveInstances: items.map((id) => {
            const inst = this.ec2.instance(id)!;
            return {
              InstanceId: id,
              InstanceType: inst.instanceType,
              ...(inst.lifecycle === 'spot' ? { SpotInstanceRequestId: `sir-${id.slice(2, 10)}` } : {}),
              InstanceHealth: 'healthy',
            };
          }),
          NextToken: nextToken,
        };
      },
      // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyFleet.html: "Indicates whether
      // running instances should be terminated if the total target capacity of the EC2 Fleet is
      // decreased below the current size of the EC2 Fleet. Supported only for fleets of type maintain."
      ModifyFleet: (input: ModifyFleetCommandInput) => {
        const f = this.get(input.FleetId ?? '');
        const policy = input.ExcessCapacityTerminationPolicy;
        if (policy !== undefined && policy !== 'no-termination' && policy !== 'termination') {
          throw simError('InvalidParameterValue', `Value (${policy}) for parameter excessCapacityTerminationPolicy is invalid.`);
        }
        if (policy) f.policy = policy;
        const spec = input.TargetCapacitySpecification;
        if (spec) {
          const total = spec.TotalTargetCapacity;
          if (total === undefined || total < 0) {
            // Assumed wording: TotalTargetCapacity is required inside TargetCapacitySpecificationRequest.
            throw simError('InvalidParameterValue', `Value (${total}) for parameter TotalTargetCapacity is invalid.`);
          }
          f.target = total;
          if (spec.OnDemandTargetCapacity !== undefined) f.onDemandTarget = spec.OnDemandTargetCapacity;
          if (spec.SpotTargetCapacity !== undefined) f.spotTarget = spec.SpotTargetCapacity;
        }
        this.reconcile(f);
        return { Return: true };
      },
    };
  }

  create(options: FleetOptions): string {
    if (options.instanceTypes.length === 0) throw new Error('createFleet: at least one instance type');
    if (options.ecs && options.instanceTypes.some((t) => t.cpu === undefined || t.memory === undefined)) {
      throw new Error('createFleet: instances joining ECS need cpu and memory for every instance type');
    }
    // EC2 Fleet ids: "fleet-" and a UUID, e.g. fleet-73fbd2ce-aa30-494c-8788-1cee4EXAMPLE (CreateFleet examples).
    const h = hexId(this.account, 32);
    const id = `fleet-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    const f: FleetRecord = {
      id,
      createdAt: this.account.clock.now(),
      target: options.targetCapacity,
      onDemandTarget: options.onDemandTargetCapacity ?? 0,
      spotTarget: options.spotTargetCapacity ?? 0,
      defaultType: options.defaultTargetCapacityType ?? 'spot',
      policy: options.excessCapacityTerminationPolicy ?? DEFAULT_POLICY,
      types: options.instanceTypes,
      tags: { ...(options.tags ?? {}) },
      instanceTags: { ...(options.instanceTags ?? {}) },
      ecs: options.ecs,
      launchDelayMs: options.launchDelayMs ?? DEFAULT_LAUNCH_DELAY_MS,
      instanceIds: [],
      leaving: new Set(),
      launchErrors: [],
      history: [],
    };
    this.fleets.set(id, f);
    for (const instanceId of options.instanceIds ?? []) {
      const inst = this.ec2.instance(instanceId);
      if (!inst) throw new Error(`createFleet: unknown instance ${instanceId}`);
      inst.tags['aws:ec2:fleet-id'] = id;
      f.instanceIds.push(instanceId);
    }
    if (options.fulfilNow) this.launchShortfall(f);
    return id;
  }

  fleet(id: string): FleetRecord | undefined {
    return this.fleets.get(id);
  }

  /** Units the fleet's running instances count for (DescribeFleets' FulfilledCapacity). */
  fulfilled(f: FleetRecord, lifecycle?: 'spot' | 'on-demand'): number {
    return this.active(f)
      .filter((id) => !lifecycle || this.ec2.instance(id)!.lifecycle === lifecycle)
      .reduce((sum, id) => sum + this.weightOf(f, id), 0);
  }

  /** An instance went (TerminateInstances, a Spot reclaim, …): a `maintain` fleet short of its target replaces it. */
  instanceGone(instanceId: string): void {
    for (const f of this.fleets.values()) if (f.instanceIds.includes(instanceId)) this.reconcile(f);
  }

  private reconcile(f: FleetRecord): void {
    if (this.reconciling) return;
    this.reconciling = true;
    try {
      if (this.fulfilled(f) < f.target) this.scheduleReplenish(f);
      else if (f.policy === 'termination') this.terminateExcess(f);
    } finally {
      this.reconciling = false;
    }
  }

  private scheduleReplenish(f: FleetRecord): void {
    if (f.replenishAt !== undefined) return;
    f.replenishAt = this.account.clock.now() + f.launchDelayMs;
    this.account.at(f.replenishAt, () => {
      f.replenishAt = undefined;
      if (!this.launchShortfall(f)) this.scheduleReplenish(f); // short of capacity: try again later
    });
  }

  /** Launch until fulfilled ≥ target; answers false when some type had no capacity and the fleet is still short. */
  private launchShortfall(f: FleetRecord): boolean {
    while (this.fulfilled(f) < f.target) {
      const lifecycle = this.nextLifecycle(f);
      const type = f.types.find((t) => this.ec2.capacity.available(t.instanceType));
      const az = `${this.account.region}a`;
      if (!type) {
        const now = this.account.clock.now();
        const errors = f.types.map((t) => ({
          instanceType: t.instanceType,
          az,
          ...this.ec2.capacity.insufficient(t.instanceType, az, lifecycle),
        }));
        for (const e of errors) f.launchErrors.push({ at: now, instanceType: e.instanceType, code: e.code, message: e.message });
        f.history.push(failedAttempt(f.id, f.history.length, now, errors));
        return false;
      }
      const { instanceId } = this.ec2.launchInstance({
        lifecycle,
        instanceType: type.instanceType,
        tags: { ...f.instanceTags, 'aws:ec2:fleet-id': f.id },
        ...(f.ecs ? { ecs: { cluster: f.ecs.cluster, cpu: type.cpu!, memory: type.memory!, registerAfterMs: f.ecs.registerAfterMs } } : {}),
      });
      f.instanceIds.push(instanceId);
    }
    return true;
  }

  /** On-demand up to OnDemandTargetCapacity, Spot up to SpotTargetCapacity, the rest as DefaultTargetCapacityType. */
  private nextLifecycle(f: FleetRecord): FleetCapacityType {
    if (this.fulfilled(f, 'on-demand') < f.onDemandTarget) return 'on-demand';
    if (this.fulfilled(f, 'spot') < f.spotTarget) return 'spot';
    return f.defaultType;
  }

  /**
   * The fleet picks which instances go: newest first (assumed; AWS chooses by allocation
   * strategy), while what is left still covers the target. "When the EC2 Fleet terminates Spot
   * Instances because the target capacity was decreased, the instances receive a Spot Instance
   * interruption notice" (two minutes, then reclaimed); on-demand instances go at once.
   * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/modify-ec2-fleet.html
   */
  private terminateExcess(f: FleetRecord): void {
    for (const id of [...this.active(f)].reverse()) {
      if (this.fulfilled(f) - this.weightOf(f, id) < f.target) continue;
      if (this.ec2.instance(id)!.lifecycle === 'spot') {
        f.leaving.add(id);
        this.ec2.interruptSpot(id);
      } else this.ec2.terminate(id, 'fleet');
    }
  }

  /** Running instances that count towards the target (Spot ones warned of a scale-in no longer do). */
  private active(f: FleetRecord): string[] {
    return this.running(f).filter((id) => !f.leaving.has(id));
  }

  private running(f: FleetRecord): string[] {
    return f.instanceIds.filter((id) => {
      const s = this.ec2.instance(id)?.state;
      return s === 'running' || s === 'pending';
    });
  }

  private weightOf(f: FleetRecord, instanceId: string): number {
    const type = this.ec2.instance(instanceId)?.instanceType;
    return f.types.find((t) => t.instanceType === type)?.weightedCapacity ?? 1;
  }

  private activityStatus(f: FleetRecord): string {
    const n = this.fulfilled(f);
    if (n < f.target && f.launchErrors.length > 0 && f.replenishAt !== undefined) return 'error';
    return n === f.target ? 'fulfilled' : n < f.target ? 'pending_fulfillment' : 'pending_termination';
  }

  // DescribeFleets filters: activity-status, excess-capacity-termination-policy, fleet-state, type.
  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeFleets.html
  private matches(f: FleetRecord, flt: Filter): boolean {
    const values = flt.Values ?? [];
    if (flt.Name === 'fleet-state') return values.includes('active');
    if (flt.Name === 'type') return values.includes('maintain');
    if (flt.Name === 'activity-status') return values.includes(this.activityStatus(f));
    if (flt.Name === 'excess-capacity-termination-policy') return values.includes(f.policy);
    throw simError('InvalidParameterValue', `The filter '${flt.Name}' is invalid`);
  }

  private toFleet(f: FleetRecord) {
    return {
      FleetId: f.id,
      FleetState: 'active' as const,
      ActivityStatus: this.activityStatus(f) as 'fulfilled',
      CreateTime: new Date(f.createdAt),
      Type: 'maintain' as const,
      ExcessCapacityTerminationPolicy: f.policy,
      TargetCapacitySpecification: {
        TotalTargetCapacity: f.target,
        OnDemandTargetCapacity: f.onDemandTarget,
        SpotTargetCapacity: f.spotTarget,
        DefaultTargetCapacityType: f.defaultType,
      },
      FulfilledCapacity: this.fulfilled(f),
      FulfilledOnDemandCapacity: this.fulfilled(f, 'on-demand'),
      LaunchTemplateConfigs: [
        {
          LaunchTemplateSpecification: { LaunchTemplateName: `${f.id}-template`, Version: '$Default' },
          Overrides: f.types.map((t, i) => ({
            InstanceType: t.instanceType as 'm5.large',
            WeightedCapacity: t.weightedCapacity ?? 1,
            Priority: i,
          })),
        },
      ],
      ReplaceUnhealthyInstances: false,
      Tags: Object.entries(f.tags).map(([Key, Value]) => ({ Key, Value })),
    };
  }

  /** Assumed wording (the code InvalidFleetId.NotFound as observed, e.g. hashicorp/terraform-provider-aws). */
  private get(id: string): FleetRecord {
    const f = this.fleets.get(id);
    if (!f) throw simError('InvalidFleetId.NotFound', `The fleet ID '${id}' does not exist`);
    return f;
  }
}

const badToken = () => simError('InvalidParameterValue', 'The specified NextToken is not valid.');
