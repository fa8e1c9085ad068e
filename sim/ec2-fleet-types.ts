import type { LaunchFailureRecord } from './fleet-history';

/** The seeding options and the state of a simulated EC2 Fleet (sim/ec2-fleet.ts). */

export interface FleetInstanceType {
  instanceType: string;
  /** Units one instance of this type counts for (FleetLaunchTemplateOverrides.WeightedCapacity; default 1). */
  weightedCapacity?: number;
  /** What ECS registers for this type (needed when the fleet's instances join a cluster). */
  cpu?: number;
  memory?: number;
}

export type FleetCapacityType = 'spot' | 'on-demand';
export type FleetExcessPolicy = 'no-termination' | 'termination';

export interface FleetOptions {
  targetCapacity: number;
  /** In priority order: the fleet launches the first type that has capacity (see InstanceCapacity). */
  instanceTypes: FleetInstanceType[];
  /** DefaultTargetCapacityType (default `spot`). */
  defaultTargetCapacityType?: FleetCapacityType;
  onDemandTargetCapacity?: number;
  spotTargetCapacity?: number;
  excessCapacityTerminationPolicy?: FleetExcessPolicy;
  /**
   * Tags of the fleet. Not copied to its instances: for a maintain fleet "You cannot specify a
   * resource type of instance. To tag instances at launch, specify the tags in a launch template."
   * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateFleet.html (TagSpecifications)
   */
  tags?: Record<string, string>;
  /** Tags the launch template gives every instance the fleet launches (beside aws:ec2:fleet-id). */
  instanceTags?: Record<string, string>;
  /** Instances already in the fleet (counted at their type's weight; tagged aws:ec2:fleet-id). */
  instanceIds?: string[];
  /** Instances the fleet launches join this ECS cluster once booted (after `registerAfterMs`, default 60 s). */
  ecs?: { cluster: string; registerAfterMs?: number };
  /**
   * How long the fleet takes to notice it is short and launch (default 30 s). AWS publishes no
   * figure for a `maintain` fleet's replacement time: the default is assumed.
   */
  launchDelayMs?: number;
  /** Launch what the target asks for at creation (default false: the seeded instances are the fleet). */
  fulfilNow?: boolean;
}

export interface FleetRecord {
  id: string;
  createdAt: number;
  target: number;
  onDemandTarget: number;
  spotTarget: number;
  defaultType: FleetCapacityType;
  policy: FleetExcessPolicy;
  types: FleetInstanceType[];
  tags: Record<string, string>;
  instanceTags: Record<string, string>;
  ecs?: FleetOptions['ecs'];
  launchDelayMs: number;
  instanceIds: string[];
  /** Spot instances sent the interruption warning by a scale-in: leaving, no longer counted. */
  leaving: Set<string>;
  /** When the next launch attempt is due (a pending replenishment), if any. */
  replenishAt?: number;
  /** Launches that failed, newest last (per type; the API answers `history`). */
  launchErrors: Array<{ at: number; instanceType: string; code: string; message: string }>;
  /** DescribeFleetHistory's `service-error` records (sim/fleet-history.ts), oldest first. */
  history: LaunchFailureRecord[];
}
