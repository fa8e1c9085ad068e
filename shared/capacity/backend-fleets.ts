import type { CallOptions } from '../aws/call';
import { Ec2FleetsAdapter, type FleetInfo, type FleetInstance } from '../aws/ec2-fleets';
import { Ec2InstancesAdapter } from '../aws/ec2-instances';
import { SpotFleetsAdapter } from '../aws/ec2-spot-fleets';
import { FLEET_TARGET_CAPACITY_MAX } from '../aws/limits';
import { BackendGoneError, lastActionTag, uniqueShapes, type BackendClients } from './backend-common';
import type { BackendRef, BackendView, CapacityBackend } from './ports';

/** What a fleet backend needs of its adapter (Ec2FleetsAdapter and SpotFleetsAdapter both offer it). */
interface FleetPort {
  describe(id: string, o?: CallOptions): Promise<FleetInfo | undefined>;
  activeInstances(id: string, o?: CallOptions): Promise<FleetInstance[]>;
  /** Moves the target with the no-termination excess-capacity policy. */
  setTarget(id: string, units: number, o?: CallOptions): Promise<void>;
}

type FleetKind = 'ec2Fleet' | 'spotFleet';

/** An EC2 Fleet of type `maintain` (`fleet-…`) as a capacity backend; see fleetBackend. */
export function ec2FleetBackend(clients: BackendClients, ref: { id: string; tags?: Record<string, string> }, discovered?: FleetInfo) {
  return fleetBackend('ec2Fleet', new Ec2FleetsAdapter(clients.ec2), new Ec2InstancesAdapter(clients.ec2), ref, discovered);
}

/** A Spot Fleet request of type `maintain` (`sfr-…`) as a capacity backend; see fleetBackend. */
export function spotFleetBackend(clients: BackendClients, ref: { id: string; tags?: Record<string, string> }, discovered?: FleetInfo) {
  return fleetBackend('spotFleet', new SpotFleetsAdapter(clients.ec2), new Ec2InstancesAdapter(clients.ec2), ref, discovered);
}

/**
 * A maintain fleet as a capacity backend. Counts: desired = the target capacity, in-service =
 * FulfilledCapacity, min 0, and max the per-fleet target capacity quota (10,000): a fleet has no
 * MaxSize of its own, so the caller's settings are what bound it. Shapes: the launch template
 * overrides' WeightedCapacity (1 when absent). Instances: the fleet's active instances, all
 * `in-service` (the fleet APIs do not say which are still booting).
 *
 * Every target change goes with the no-termination policy, so the fleet itself never picks an
 * instance to terminate: remove() lowers the target first, then terminates the chosen instance.
 * `discovered` (the fleet as the directory read it) answers the first describe's fleet read.
 */
function fleetBackend(
  kind: FleetKind,
  port: FleetPort,
  instances: Ec2InstancesAdapter,
  ref: { id: string; tags?: Record<string, string> },
  discovered?: FleetInfo,
): CapacityBackend {
  const id = ref.id;
  let cached = discovered;
  const read = async (o?: CallOptions): Promise<FleetInfo> => {
    const f = await port.describe(id, o);
    if (!f) throw new BackendGoneError(kind, id);
    if (/^(deleted|cancelled|failed)/.test(f.state)) throw new BackendGoneError(kind, id, f.state);
    return f;
  };
  const backendRef: BackendRef = { kind, id, tags: { ...(discovered?.tags ?? ref.tags ?? {}) } };
  return {
    ref: backendRef,

    async describe(o) {
      const known = cached;
      cached = undefined;
      const [f, active] = await Promise.all([known ?? read(o), port.activeInstances(id, o)]);
      return viewOf(kind, f, active);
    },

    async setDesired(units, o) {
      cached = undefined;
      await port.setTarget(id, units, o);
    },

    /**
     * Lower the target by the instance's weight with no-termination, then terminate it. The target
     * is not lowered when it already leaves the instance out (fulfilled − weight ≥ target: a
     * retried removal whose termination failed), so a retry never lowers it twice. An instance
     * that is not an active instance of the fleet is left alone.
     */
    async remove(ec2InstanceId, o) {
      cached = undefined;
      const [f, active] = await Promise.all([read(o), port.activeInstances(id, o)]);
      const inst = active.find((i) => i.instanceId === ec2InstanceId);
      if (!inst) return { removed: false, reason: `${ec2InstanceId} is not an active instance of ${id}` };
      const weight = weightOf(f, inst.instanceType);
      if (f.fulfilled - weight < f.target) await port.setTarget(id, Math.max(0, f.target - weight), o);
      // false: EC2 no longer knows it; it is gone all the same, and the target no longer counts it.
      await instances.terminate(ec2InstanceId, o);
      return { removed: true };
    },

    /**
     * TerminateInstances, the target left as it is: the maintain fleet launches the replacement.
     * Only an active instance of the fleet is terminated (a terminated one is no longer listed).
     */
    async replace(ec2InstanceId, o) {
      cached = undefined;
      const active = await port.activeInstances(id, o);
      if (!active.some((i) => i.instanceId === ec2InstanceId))
        return { replaced: false, reason: `${ec2InstanceId} is not an active instance of ${id}` };
      if (!(await instances.terminate(ec2InstanceId, o))) return { replaced: false, reason: `EC2 no longer knows ${ec2InstanceId}` };
      return { replaced: true };
    },

    async recordAction(action, at, o, extraTags = {}) {
      cached = undefined;
      const [key, value] = lastActionTag(action, at);
      await instances.tag(id, { [key]: value, ...extraTags }, o);
      Object.assign(backendRef.tags, { [key]: value }, extraTags);
    },
  };
}

function weightOf(f: FleetInfo, instanceType: string): number {
  return f.overrides.find((x) => x.instanceType === instanceType)?.weight ?? 1;
}

function viewOf(kind: FleetKind, f: FleetInfo, active: FleetInstance[]): BackendView {
  return {
    ref: { kind, id: f.id, tags: { ...f.tags } },
    counts: { desired: f.target, inService: f.fulfilled, min: 0, max: FLEET_TARGET_CAPACITY_MAX },
    shapes: uniqueShapes(f.overrides),
    ...(f.activityStatus === 'error' ? { launchError: true } : {}),
    instances: active.map((i) => ({
      ec2InstanceId: i.instanceId,
      instanceType: i.instanceType,
      weight: weightOf(f, i.instanceType),
      state: 'in-service',
      protectedFromScaleIn: false,
    })),
  };
}
