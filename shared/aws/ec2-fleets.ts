import {
  DescribeFleetInstancesCommand,
  DescribeFleetsCommand,
  ModifyFleetCommand,
  paginateDescribeFleets,
  type EC2Client,
  type FleetData,
  type Tag,
} from '@aws-sdk/client-ec2';
import { collect, sendOptions, type CallOptions } from './call';

/** An EC2 Fleet or a Spot Fleet request, as the capacity backend reads it (capacity in units). */
export interface FleetInfo {
  id: string;
  /** TotalTargetCapacity (EC2 Fleet) / TargetCapacity (Spot Fleet). */
  target: number;
  fulfilled: number;
  /** FleetState / SpotFleetRequestState: `active`, `modifying`, `deleted`, … */
  state: string;
  type: string;
  tags: Record<string, string>;
  /** Launch template overrides (or launch specifications) with their WeightedCapacity (1 when absent). */
  overrides: Array<{ instanceType: string; weight: number }>;
  /** ActivityStatus: "If there is an error, the status is error" (API_FleetData / API_SpotFleetRequestConfig): at once, unlike the history. */
  activityStatus?: string;
}

/** A running instance of a fleet (DescribeFleetInstances / DescribeSpotFleetInstances: active instances only). */
export interface FleetInstance {
  instanceId: string;
  instanceType: string;
}

/** The fleet states in which a maintain fleet keeps a target we can move. */
const LIVE_STATES = ['active', 'modifying'];

/** EC2 Fleets of type `maintain` as capacity backends: find, read, move the target without terminating. */
export class Ec2FleetsAdapter {
  constructor(private readonly ec2: EC2Client) {}

  /** Every live (`active` / `modifying`) fleet of type `maintain`. */
  async maintainFleets(o?: CallOptions): Promise<FleetInfo[]> {
    return collect(
      paginateDescribeFleets(
        { client: this.ec2 },
        {
          Filters: [
            { Name: 'type', Values: ['maintain'] },
            { Name: 'fleet-state', Values: LIVE_STATES },
          ],
        },
        sendOptions(o),
      ),
      (page) => page.Fleets?.map(toFleet),
    );
  }

  /** One fleet; undefined when EC2 answers without it. InvalidFleetId.NotFound passes through. */
  async describe(fleetId: string, o?: CallOptions): Promise<FleetInfo | undefined> {
    const out = await this.ec2.send(new DescribeFleetsCommand({ FleetIds: [fleetId] }), sendOptions(o));
    return (out.Fleets ?? []).map(toFleet).find((f) => f.id === fleetId);
  }

  /** Followed by hand: @aws-sdk/client-ec2 generates no paginator for DescribeFleetInstances (its model declares none). */
  async activeInstances(fleetId: string, o?: CallOptions): Promise<FleetInstance[]> {
    const all: FleetInstance[] = [];
    let NextToken: string | undefined;
    do {
      const out = await this.ec2.send(new DescribeFleetInstancesCommand({ FleetId: fleetId, NextToken }), sendOptions(o));
      all.push(...(out.ActiveInstances ?? []).filter((i) => i.InstanceId).map(toInstance));
      NextToken = out.NextToken || undefined;
    } while (NextToken);
    return all;
  }

  /**
   * Set TotalTargetCapacity with ExcessCapacityTerminationPolicy `no-termination`: "Indicates
   * whether running instances should be terminated if the total target capacity of the EC2 Fleet
   * is decreased below the current size" (API_ModifyFleet.html). Lowering never terminates; the
   * caller terminates the instance it chose.
   */
  async setTarget(fleetId: string, units: number, o?: CallOptions): Promise<void> {
    await this.ec2.send(
      new ModifyFleetCommand({
        FleetId: fleetId,
        TargetCapacitySpecification: { TotalTargetCapacity: units },
        ExcessCapacityTerminationPolicy: 'no-termination',
      }),
      sendOptions(o),
    );
  }
}

export const tagMap = (tags: Tag[] | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).filter((t) => t.Key).map((t) => [t.Key!, t.Value ?? '']));

export const toInstance = (i: { InstanceId?: string; InstanceType?: string }): FleetInstance => ({
  instanceId: i.InstanceId!,
  instanceType: i.InstanceType ?? '',
});

/** Overrides naming an instance type (attribute-based InstanceRequirements name none and are skipped). */
export function weightedTypes(overrides: Array<{ InstanceType?: string; WeightedCapacity?: number }>): FleetInfo['overrides'] {
  return overrides
    .filter((x) => x.InstanceType)
    .map((x) => ({ instanceType: x.InstanceType!, weight: x.WeightedCapacity && x.WeightedCapacity > 0 ? x.WeightedCapacity : 1 }));
}

function toFleet(f: FleetData): FleetInfo {
  return {
    id: f.FleetId ?? '',
    target: f.TargetCapacitySpecification?.TotalTargetCapacity ?? 0,
    fulfilled: f.FulfilledCapacity ?? 0,
    state: f.FleetState ?? 'unknown',
    type: f.Type ?? 'maintain',
    tags: tagMap(f.Tags),
    overrides: weightedTypes((f.LaunchTemplateConfigs ?? []).flatMap((c) => c.Overrides ?? [])),
    ...(f.ActivityStatus ? { activityStatus: f.ActivityStatus } : {}),
  };
}
