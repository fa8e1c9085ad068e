import type { CallOptions } from '../aws/call';
import type { DrainReport } from '../drain/report';
import type { Ec2Facts } from './rebalance-plan';
import type { RetireRequest } from './request';

/** The kinds of capacity backend we manage (shared/capacity implements them). */
export type BackendKind = 'asg' | 'ec2Fleet' | 'spotFleet';

/** An instance as its backend sees it: `leaving` = terminating, detaching or on standby. */
export interface HeldInstance {
  ec2InstanceId: string;
  state: 'pending' | 'in-service' | 'leaving';
}

/**
 * What retire needs of a backend we manage: who it holds now, and the two ways out. Capacity's
 * CapacityBackend satisfies it (its contracts: shared/capacity/ports.ts); retire defines it so
 * that it never imports capacity.
 */
export interface RetireBackend {
  readonly ref: { kind: BackendKind; id: string };
  describe(o?: CallOptions): Promise<{ instances: readonly HeldInstance[] }>;
  /** Remove exactly this instance and lower desired by its weight. */
  remove(ec2InstanceId: string, o?: CallOptions): Promise<{ removed: boolean; reason?: string }>;
  /** Terminate exactly this instance keeping desired, so the backend launches its replacement. */
  replace(ec2InstanceId: string, o?: CallOptions): Promise<{ replaced: boolean; reason?: string }>;
}

/**
 * What retire needs of AWS for one cluster. Contracts:
 * - `backends` are the cluster's backends we manage, found this invocation (config or our tag);
 * - `putMark` / `removeMarks` are idempotent ECS PutAttributes / DeleteAttributes on the container
 *   instance (a holder of tagging rights alone cannot write them); `removeLegacyTag` removes an
 *   old-release tag mark (ecs:UntagResource);
 * - `drain` never throws for an AWS failure (shared/drain/run.ts): its report says what failed.
 */
export interface RetirePorts {
  backends: readonly RetireBackend[];
  putMark(containerInstanceArn: string, name: string, value: string, o?: CallOptions): Promise<void>;
  removeMarks(containerInstanceArn: string, names: readonly string[], o?: CallOptions): Promise<void>;
  removeLegacyTag?(containerInstanceArn: string, key: string, o?: CallOptions): Promise<void>;
  drain(request: RetireRequest, stepEndsAt: number, drainId: string): Promise<DrainReport>;
  /**
   * A rebalance drain called off (shared/retire/rebalance.ts): EC2's own facts of the instance
   * (undefined: EC2 does not know it) and UpdateContainerInstancesState ACTIVE (throws when ECS
   * reports a failure). Absent for the functions that never call one off.
   */
  rebalance?: {
    ec2Facts(ec2InstanceId: string, o?: CallOptions): Promise<Ec2Facts | undefined>;
    setActive(containerInstanceArn: string, o?: CallOptions): Promise<void>;
    /** The Auto Scaling group holding the instance now (DescribeAutoScalingInstances; undefined: none). */
    groupOf(ec2InstanceId: string, o?: CallOptions): Promise<string | undefined>;
    /** Whether the group's scaling activities show it detached the instance keeping desired, started within [from, to]. */
    detachedKeepingCapacity(group: string, ec2InstanceId: string, from: number, to: number, o?: CallOptions): Promise<boolean>;
    /** AttachInstances: back into the group, which raises desired by its units (throws above max, or when not running). */
    attach(group: string, ec2InstanceId: string, o?: CallOptions): Promise<void>;
    /** The container instance's status and attributes now (DescribeContainerInstances); undefined: ECS does not know it. */
    readInstance(
      containerInstanceArn: string,
      o?: CallOptions,
    ): Promise<{ status: string; attributes: Record<string, string> } | undefined>;
  };
}
