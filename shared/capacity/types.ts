import type { HeadroomWindow } from './headroom-windows';

/** CPU units (1024 per vCPU) and MiB, as ECS registers and reserves them. */
export interface Resources {
  cpu: number;
  memory: number;
}

/** A task on a container instance, as far as scale-in cares. */
export interface CapacityTask {
  taskArn: string;
  /** `service` when ECS started it for a service (group `service:NAME`), else `standalone` (a batch job). */
  kind: 'service' | 'standalone';
  serviceName?: string;
  /** Task scale-in protection is on (ECS UpdateTaskProtection). */
  protected: boolean;
  /** A standalone per-instance agent (drain/agents.ts): part of the instance, no reason to keep it. */
  agent?: boolean;
  /** What the task reserves on its instance. */
  cpu: number;
  memory: number;
}

export interface CapacityInstance {
  containerInstanceArn: string;
  ec2InstanceId: string;
  availabilityZone: string;
  instanceType: string;
  status: 'ACTIVE' | 'DRAINING';
  agentConnected: boolean;
  registered: Resources;
  remaining: Resources;
  /** Running and pending tasks. */
  tasks: CapacityTask[];
  /** The instance carries the do-not-disrupt tag: never chosen for scale-in. */
  doNotDisrupt: boolean;
  /** ASG instance scale-in protection: never chosen for scale-in. */
  protectedFromScaleIn?: boolean;
  /** Units its own backend can lose before its min (set when the cluster has two backends); none left ⇒ not a candidate. */
  ownerRoom?: number;
  /** Launched by the fallback backend: drained first when the cluster scales in (it is the costlier capacity). */
  preferRemoval?: boolean;
  /** Its tasks were not read this tick (only the likeliest scale-in candidates are): not a candidate now. */
  tasksUnread?: boolean;
  /** Tasks ECS still counts running or pending on it that are no longer listed as wanted (asked to stop, still shutting down). */
  tasksStopping?: number;
  /** We set it DRAINING for scale-in (a Spot or ASG drain is not ours to remove). */
  drainedForScaleIn?: boolean;
  /**
   * No backend of this cluster holds it now (another team's ASG, launched by hand): never marked,
   * drained or removed, and it neither counts against the draining budget nor blocks scale-in.
   */
  notOwned?: boolean;
  /**
   * Our `rebalance` mark is on it (a recommendation's replacement is under way: it waits for a notice
   * or the bound). Scale-in holds meanwhile, so the replacement is not taken back while the instance it
   * replaces still looks like room. Memory only: it can hold scale-in for a bound, never remove anything.
   */
  rebalancing?: true;
  /** Host ports held on it (DescribeContainerInstances' remaining PORTS): a task needing one of them cannot go there. */
  usedPorts?: number[];
}

/** A rolling deployment under way (the PRIMARY's rolloutState IN_PROGRESS, or older deployments still listed). */
export interface ServiceDeployment {
  /** When the PRIMARY deployment was created: the scale-in hold counts from it. */
  startedAt: number;
  /** Most tasks running + pending that maximumPercent allows (desired × maximumPercent / 100, rounded down). */
  maxTasks: number;
  /** Tasks the PRIMARY deployment still lacks (desired − its running − its pending). */
  newMissing: number;
  /** In progress longer than the hold (set by the planner): reported, its surge no longer demand. */
  stuck?: boolean;
}

export interface CapacityService {
  name: string;
  desired: number;
  running: number;
  pending: number;
  /** What one task of the service reserves. */
  task: Resources;
  /** DAEMON scheduling: one task on every instance, its reservation taken from every instance shape (not demand that moves). */
  daemon?: boolean;
  /** Host ports one task holds fixed (bridge hostPort ≠ 0, host mode): one such task per instance, and no other service on that port. */
  hostPorts?: number[];
  /** Set while a rolling deployment is under way. */
  deployment?: ServiceDeployment;
}

/** An instance type the backend launches, and how many capacity units one instance counts for. */
export interface InstanceShape {
  instanceType: string;
  weight: number;
  cpu: number;
  memory: number;
}

/** The backend's counts, all in capacity units (instances when unweighted). */
export interface BackendCounts {
  desired: number;
  /** Launched and running in the backend (the fleet's fulfilled capacity, the ASG's InService). */
  inService: number;
  min: number;
  max: number;
}

/** Capacity asked for (desired raised) but not yet registered in ECS. */
export interface InFlight {
  units: number;
  requestedAt: number;
}

export interface RecentActions {
  /** The backend's last scale-out (its tag): the scale-in cooldown and the capacity in flight count from it. */
  lastScaleOutAt?: number;
  /**
   * How long the last scale-out took to be in service: from it to the last of our instances ECS registered after it
   * (registeredAt), once nothing asked is still in flight. Read from the snapshot, no extra call; headroom windows ask this early.
   */
  arrivalMs?: number;
}

/** Room a headroom window holds now: `count` tasks the size of one of `service`'s (headroom-windows.ts). */
export interface WindowDemand extends Resources {
  window: string;
  service: string;
  count: number;
  ports?: number[];
}

/** One cluster, as read for one tick. */
export interface CapacitySnapshot {
  cluster: string;
  instances: CapacityInstance[];
  services: CapacityService[];
  backend: { counts: BackendCounts; shapes: InstanceShape[] };
  inFlight: InFlight[];
  recent: RecentActions;
  /** Tasks that asked for room outside any service (RunTask failures): counted as demand like missing service tasks. */
  extraDemand?: Array<{ source: string; count: number; cpu: number; memory: number }>;
  /** Room the headroom windows hold at the planner's `now` (set by the planner, not read): spare room like the headroom. */
  windowDemand?: WindowDemand[];
}

/** Per-cluster settings (validated by config; the planner trusts them). Percentages are 0–100. */
export interface CapacitySettings {
  scaleOutCpuPercent: number;
  scaleOutMemoryPercent: number;
  scaleInCpuPercent: number;
  scaleInMemoryPercent: number;
  /** Bounds in capacity units; the backend's own min/max narrow them further. */
  min: number;
  max: number;
  /** Most capacity units one decision adds. */
  maxStep: number;
  /** No scale-in until this long after the last scale-out. */
  scaleInCooldownMs: number;
  /** Spare room kept: `tasks` more tasks of this size must fit at all times. */
  headroom: { tasks: number; cpu: number; memory: number };
  /** At most this many instances DRAINING in the cluster for scale-in to start another. */
  maxDraining: number;
  /** Capacity in flight longer than this is reported as not arrived (still counted as coming: never asked twice). */
  arrivalTimeoutMs: number;
  /** Scale-in holds at most this long for a deployment in progress; past it the deployment is reported stuck and no longer holds. */
  deploymentHoldMs: number;
  /**
   * Also scale in when the demand (tasks, missing tasks, headroom) fits on fewer instances, with a
   * spare task's room, whatever the reservations (consolidate.ts); every other scale-in gate holds.
   */
  consolidation: boolean;
  /** Headroom windows: room held at set times of the week (none when absent). */
  headroomWindows?: readonly HeadroomWindow[];
  /** How early a window's room is asked for when no launch time has been measured yet (one tick period is added). */
  windowLeadMs: number;
}

export const CAPACITY_DEFAULTS: Omit<CapacitySettings, 'min' | 'max'> = {
  scaleOutCpuPercent: 85,
  scaleOutMemoryPercent: 85,
  scaleInCpuPercent: 50,
  scaleInMemoryPercent: 50,
  maxStep: 10,
  scaleInCooldownMs: 10 * 60_000,
  headroom: { tasks: 0, cpu: 0, memory: 0 },
  maxDraining: 1,
  arrivalTimeoutMs: 10 * 60_000,
  deploymentHoldMs: 30 * 60_000,
  consolidation: true,
  windowLeadMs: 5 * 60_000,
};

/** Tasks that need room and fit no shape the backend launches: named, never dropped. */
export interface Unplaceable {
  /** The service, or `headroom`, or the instance whose task it is. */
  source: string;
  count: number;
  cpu: number;
  memory: number;
  reason: string;
}

export type CapacityDecisionKind = 'scale-out' | 'scale-in' | 'remove-drained' | 'fallback' | 'none';

export interface CapacityDecision {
  decision: CapacityDecisionKind;
  /** The backend's desired capacity once the decision is carried out (units). */
  desired?: number;
  /** Scale-out: units added to desired; `shortfallUnits` is what was missing before the step and max bounds. */
  units?: number;
  shortfallUnits?: number;
  /** Scale-in: the EC2 instance id to drain (then remove exactly it). */
  instanceToDrain?: string;
  /** Remove-drained: EC2 instance ids drained for scale-in that are now empty. */
  instancesToRemove?: string[];
  reasons: string[];
  unplaceable: Unplaceable[];
  /** CPU and memory reservation in percent, as CloudWatch computes them over ACTIVE instances. */
  reservation: Resources;
  /** Services with desired > running + pending. */
  starved: string[];
  /** Services whose deployment has been in progress longer than the hold (deploymentHoldMs): reported, no longer holding scale-in. */
  stuckDeployments?: string[];
}
