import { AutoScalingGroupsAdapter, type AsgGroup, type AsgInstance } from '../aws/autoscaling-groups';
import type { CallOptions } from '../aws/call';
import { BackendGoneError, lastActionTag, uniqueShapes, type BackendClients } from './backend-common';
import type { BackendInstance, BackendRef, BackendView, CapacityBackend } from './ports';

/**
 * An Auto Scaling group as a capacity backend. Counts: desired = DesiredCapacity, in-service =
 * the units of InService instances, min/max = MinSize/MaxSize (units when the group is weighted).
 * Shapes: the mixed instances policy's overrides with their WeightedCapacity; a group without one
 * shows the types of its instances at weight 1 (its launch template's type is not in
 * DescribeAutoScalingGroups' answer).
 *
 * `discovered` is the group as the directory just read it: the first `describe` answers from it
 * instead of asking again; anything that changes the group drops it.
 */
export function asgBackend(
  clients: BackendClients,
  ref: { id: string; tags?: Record<string, string> },
  discovered?: AsgGroup,
): CapacityBackend {
  const groups = new AutoScalingGroupsAdapter(clients.autoscaling);
  let cached = discovered;
  const read = async (o?: CallOptions): Promise<AsgGroup> => {
    const g = (await groups.byNames([ref.id], o)).find((x) => x.name === ref.id);
    if (!g) throw new BackendGoneError('asg', ref.id);
    return g;
  };
  const backendRef: BackendRef = { kind: 'asg', id: ref.id, tags: { ...(discovered?.tags ?? ref.tags ?? {}) } };
  return {
    ref: backendRef,

    async describe(o) {
      const g = cached ?? (await read(o));
      cached = undefined;
      return viewOf(g);
    },

    async setDesired(units, o) {
      cached = undefined;
      await groups.setDesired(ref.id, units, o);
    },

    /**
     * TerminateInstanceInAutoScalingGroup with ShouldDecrementDesiredCapacity, after reading the
     * group: an instance not in it, or already terminating, is left alone (a retried removal must
     * not lower desired twice).
     */
    async remove(ec2InstanceId, o) {
      cached = undefined;
      const inst = (await read(o)).instances.find((i) => i.instanceId === ec2InstanceId);
      if (!inst) return { removed: false, reason: `${ec2InstanceId} is not in Auto Scaling group ${ref.id}` };
      if (leaving(inst)) return { removed: false, reason: `${ec2InstanceId} is already ${inst.lifecycleState}` };
      if (!(await groups.terminateInstance(ec2InstanceId, o))) {
        return { removed: false, reason: `${ec2InstanceId} is no longer managed by ${ref.id}` };
      }
      return { removed: true };
    },

    /** TerminateInstanceInAutoScalingGroup without decrement, after reading the group (an instance on its way out is left alone). */
    async replace(ec2InstanceId, o) {
      cached = undefined;
      const inst = (await read(o)).instances.find((i) => i.instanceId === ec2InstanceId);
      if (!inst) return { replaced: false, reason: `${ec2InstanceId} is not in Auto Scaling group ${ref.id}` };
      if (leaving(inst)) return { replaced: false, reason: `${ec2InstanceId} is already ${inst.lifecycleState}` };
      if (!(await groups.terminateInstance(ec2InstanceId, o, false))) {
        return { replaced: false, reason: `${ec2InstanceId} is no longer managed by ${ref.id}` };
      }
      return { replaced: true };
    },

    async recordAction(kind, at, o, extraTags = {}) {
      cached = undefined;
      const [key, value] = lastActionTag(kind, at);
      await groups.tag(ref.id, key, value, o, extraTags);
      Object.assign(backendRef.tags, { [key]: value }, extraTags);
    },
  };
}

/** Terminating (any stage) or detaching: on its way out, whatever we ask. */
function leaving(i: AsgInstance): boolean {
  return i.lifecycleState.startsWith('Terminating') || i.lifecycleState.startsWith('Detach') || i.lifecycleState === 'Terminated';
}

function stateOf(i: AsgInstance): BackendInstance['state'] {
  if (i.lifecycleState === 'InService') return 'in-service';
  if (i.lifecycleState.startsWith('Pending')) return 'pending';
  return 'leaving'; // Terminating*, Detaching, Standby, EnteringStandby, Warmed:*
}

function viewOf(g: AsgGroup): BackendView {
  const shapes =
    g.overrides.length > 0
      ? uniqueShapes(g.overrides)
      : uniqueShapes(g.instances.map((i) => ({ instanceType: i.instanceType, weight: 1 })));
  return {
    ref: { kind: 'asg', id: g.name, tags: { ...g.tags } },
    counts: {
      desired: g.desired,
      inService: g.instances.filter((i) => i.lifecycleState === 'InService').reduce((sum, i) => sum + i.weight, 0),
      min: g.min,
      max: g.max,
    },
    shapes,
    instances: g.instances.map((i) => ({
      ec2InstanceId: i.instanceId,
      instanceType: i.instanceType,
      weight: i.weight,
      state: stateOf(i),
      protectedFromScaleIn: i.protectedFromScaleIn,
    })),
  };
}
