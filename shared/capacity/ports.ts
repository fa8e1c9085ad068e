import type { CallOptions } from '../aws/call';
import type { BackendCounts } from './types';

import type { BackendKind } from '../retire/ports';
export type { BackendKind };
/** What recordAction remembers: the last scale-out / scale-in time, or the end of a back-off (BACKOFF_TAG). */
export type BackendAction = 'scale-out' | 'scale-in' | 'backoff';

/** A backend found for a cluster: the ASG name, the EC2 Fleet id (`fleet-…`) or the Spot Fleet request id (`sfr-…`). */
export interface BackendRef {
  kind: BackendKind;
  id: string;
  /** Every tag on the backend (the cluster tag, setting overrides, our last-action tags). */
  tags: Record<string, string>;
}

/** One instance the backend launched, as the backend sees it. */
export interface BackendInstance {
  ec2InstanceId: string;
  instanceType: string;
  /** Capacity units it counts for (1 when the backend is unweighted). */
  weight: number;
  /** `pending`: launched, not yet in service; `in-service`; `leaving`: terminating, detaching, or on standby. */
  state: 'pending' | 'in-service' | 'leaving';
  /** ASG instance scale-in protection (always false for fleets). */
  protectedFromScaleIn: boolean;
}

/** An instance type the backend may launch and its weight (units per instance). */
export interface BackendShape {
  instanceType: string;
  weight: number;
}

/** One read of a backend: everything the planner needs from it for one tick. */
export interface BackendView {
  ref: BackendRef;
  /** Desired (ASG DesiredCapacity; fleet TotalTargetCapacity / TargetCapacity), in-service (fulfilled), min, max — in units. */
  counts: BackendCounts;
  shapes: BackendShape[];
  instances: BackendInstance[];
  /**
   * The backend says now that it is failing to launch (a fleet's ActivityStatus `error`); why is in
   * its history, which EC2 may show only later (shared/capacity/launch-failures.ts).
   */
  launchError?: boolean;
}

/**
 * One capacity backend of one cluster (cluster-autoscaler's NodeGroup is the model). Counts are
 * capacity units: instances when unweighted, the sum of weights otherwise.
 *
 * Contracts (each implementation and the fake satisfy them; test/adapters checks them on the
 * simulated account):
 * - `describe` reads; it never changes anything. A backend that no longer exists throws.
 * - `setDesired(units)` sets the desired / target capacity to exactly `units`. The caller keeps
 *   `units` within [min, max]; the backend refuses outside it (the AWS error passes through).
 *   Raising never terminates anything; a fleet is modified so that lowering would not either.
 * - `remove(id)` removes exactly that instance and lowers desired by its weight, so the backend
 *   does not replace it and terminates nothing else: ASG TerminateInstanceInAutoScalingGroup
 *   with ShouldDecrementDesiredCapacity; a fleet first lowers its target with the no-termination
 *   excess-capacity policy, then terminates the instance. An instance already gone (terminated,
 *   or not in the backend) returns `{ removed: false, reason }` without changing desired again,
 *   so a retried removal is safe.
 * - `replace(id)` terminates exactly that instance WITHOUT lowering desired, so the backend
 *   launches its replacement (agentHealth: an instance whose ECS agent stayed disconnected): ASG
 *   TerminateInstanceInAutoScalingGroup with ShouldDecrementDesiredCapacity=false; a maintain EC2
 *   Fleet / Spot Fleet: TerminateInstances, and the fleet, now short of its target, launches
 *   another. Nothing else is terminated and the target is not moved. An instance already gone
 *   (terminated or terminating, or not in the backend) returns `{ replaced: false, reason }`
 *   without asking anything more, so a retried replacement never costs a second instance.
 * - `recordAction(kind, at)` writes the last-action tag on the backend (LAST_SCALE_OUT_TAG /
 *   LAST_SCALE_IN_TAG = ISO time; `backoff`: BACKOFF_TAG = the back-off's end) so the cooldown,
 *   the capacity in flight and a back-off survive cold starts; `extraTags` (only our keys, e.g.
 *   DEMAND_IN_FLIGHT_TAG) are written in the same call.
 * Every method takes CallOptions (an abort signal tied to the caller's deadline). AWS errors pass
 * through unchanged (the caller sorts them with shared/aws/errors).
 */
export interface CapacityBackend {
  readonly ref: BackendRef;
  describe(opts?: CallOptions): Promise<BackendView>;
  setDesired(units: number, opts?: CallOptions): Promise<void>;
  remove(ec2InstanceId: string, opts?: CallOptions): Promise<{ removed: boolean; reason?: string }>;
  replace(ec2InstanceId: string, opts?: CallOptions): Promise<{ replaced: boolean; reason?: string }>;
  recordAction(kind: BackendAction, at: number, opts?: CallOptions, extraTags?: Readonly<Record<string, string>>): Promise<void>;
}

/**
 * Finds every cluster's backends in one pass (a few list calls for the whole account, not one
 * per cluster): ASGs, EC2 Fleets of type `maintain` and Spot Fleet requests of type `maintain`
 * tagged CLUSTER_TAG or FALLBACK_TAG (grouped under that tag's cluster), plus any named in config;
 * when config names any, it is authoritative (tags then add only a named cluster's fallback).
 * Returns them by cluster name; a cluster with no backend is the caller's error to report, one with
 * two is the caller's to resolve (for that cluster only). Fleets that
 * are not `maintain` (instant / request) or not active are skipped: there is no target to move.
 */
export interface BackendDirectory {
  discover(named: ReadonlyMap<string, { kind: BackendKind; id: string }>, opts?: CallOptions): Promise<Map<string, CapacityBackend[]>>;
}
