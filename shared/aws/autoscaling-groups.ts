import {
  AttachInstancesCommand,
  CreateOrUpdateTagsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeScalingActivitiesCommand,
  DetachInstancesCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  paginateDescribeAutoScalingGroups,
  type AutoScalingClient,
  type AutoScalingGroup,
  type Filter,
} from '@aws-sdk/client-auto-scaling';
import { collect, sendOptions, type CallOptions } from './call';
import { awsErrorName } from './errors';
import {
  chunk,
  DESCRIBE_AUTO_SCALING_GROUPS_NAMES_MAX,
  DESCRIBE_AUTO_SCALING_GROUPS_PAGE_MAX,
  DESCRIBE_AUTO_SCALING_INSTANCES_MAX,
  DETACH_INSTANCES_MAX,
} from './limits';

/** One instance of a group: its lifecycle state as Auto Scaling names it, and the units it counts for. */
export interface AsgInstance {
  instanceId: string;
  instanceType: string;
  /** `Pending`, `InService`, `Terminating:Wait`, `Standby`, … */
  lifecycleState: string;
  weight: number;
  protectedFromScaleIn: boolean;
}

/** The group an instance is in, and its lifecycle state there. */
export interface AsgMembership {
  groupName: string;
  lifecycleState: string;
}

/** An Auto Scaling group, as the capacity backend reads it (counts in units when the group is weighted). */
export interface AsgGroup {
  name: string;
  desired: number;
  min: number;
  max: number;
  tags: Record<string, string>;
  /** Capacity Rebalancing: the group replaces Spot instances at elevated risk on its own. */
  capacityRebalance: boolean;
  /** The mixed instances policy's overrides with their weights (empty without one). */
  overrides: Array<{ instanceType: string; weight: number }>;
  instances: AsgInstance[];
}

/** Auto Scaling groups as a capacity backend: find, read, set desired, terminate one instance, tag. */
export class AutoScalingGroupsAdapter {
  constructor(private readonly autoscaling: AutoScalingClient) {}

  /** Every group carrying any of the tag keys (one paginated DescribeAutoScalingGroups: a filter's values are ORed). */
  async withTagKey(keys: string | readonly string[], o?: CallOptions): Promise<AsgGroup[]> {
    return this.describePages({ Filters: [{ Name: 'tag-key', Values: typeof keys === 'string' ? [keys] : [...keys] }] }, o);
  }

  /** The named groups that exist (a name AWS does not know is simply absent), 50 names per call. */
  async byNames(names: readonly string[], o?: CallOptions): Promise<AsgGroup[]> {
    const parts = await Promise.all(
      chunk([...new Set(names)], DESCRIBE_AUTO_SCALING_GROUPS_NAMES_MAX).map((part) =>
        this.describePages({ AutoScalingGroupNames: part }, o),
      ),
    );
    return parts.flat();
  }

  /** The AWS error (ValidationError "… above max value …") passes through when `units` is outside [min, max]. */
  async setDesired(name: string, units: number, o?: CallOptions): Promise<void> {
    await this.autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: name, DesiredCapacity: units }), sendOptions(o));
  }

  /**
   * Terminate exactly this instance and lower desired by its units (ShouldDecrementDesiredCapacity),
   * so the group launches nothing in its place — or, with `decrement: false`, keep desired so the
   * group launches its replacement. Answers false when the group no longer manages it
   * (ValidationError "Instance Id not found - No managed instance found for instance ID: …").
   */
  async terminateInstance(instanceId: string, o?: CallOptions, decrement = true): Promise<boolean> {
    try {
      await this.autoscaling.send(
        new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: instanceId, ShouldDecrementDesiredCapacity: decrement }),
        sendOptions(o),
      );
      return true;
    } catch (err) {
      if (awsErrorName(err) === 'ValidationError' && /Instance Id not found/i.test((err as Error).message ?? '')) return false;
      throw err;
    }
  }

  /** The group an instance belongs to and its lifecycle state there, or undefined when no group manages it. */
  async groupOfInstance(instanceId: string, o?: CallOptions): Promise<AsgMembership | undefined> {
    return (await this.groupsOfInstances([instanceId], o)).get(instanceId);
  }

  /**
   * The group of each instance (absent: no group manages it), in one DescribeAutoScalingInstances
   * of at most 50 ids — one page, since an instance is in at most one group.
   */
  async groupsOfInstances(instanceIds: readonly string[], o?: CallOptions): Promise<Map<string, AsgMembership>> {
    const ids = [...new Set(instanceIds)];
    if (ids.length === 0) return new Map();
    if (ids.length > DESCRIBE_AUTO_SCALING_INSTANCES_MAX)
      throw new RangeError(
        `groupsOfInstances takes at most ${DESCRIBE_AUTO_SCALING_INSTANCES_MAX} instance ids per call, got ${ids.length}`,
      );
    const out = await this.autoscaling.send(
      new DescribeAutoScalingInstancesCommand({ InstanceIds: ids, MaxRecords: DESCRIBE_AUTO_SCALING_INSTANCES_MAX }),
      sendOptions(o),
    );
    const found = new Map<string, AsgMembership>();
    for (const i of out.AutoScalingInstances ?? [])
      if (i.InstanceId && i.AutoScalingGroupName && ids.includes(i.InstanceId))
        found.set(i.InstanceId, { groupName: i.AutoScalingGroupName, lifecycleState: i.LifecycleState ?? '' });
    return found;
  }

  /**
   * Take the instances out of their group without lowering desired, in one DetachInstances of
   * at most 20 ids: the group launches their replacements now, and the instances keep running
   * (and draining) outside the group. All or nothing: one id Auto Scaling refuses fails the call.
   */
  async detachKeepingCapacity(name: string, instanceIds: readonly string[], o?: CallOptions): Promise<void> {
    const ids = [...new Set(instanceIds)];
    if (ids.length === 0) return;
    if (ids.length > DETACH_INSTANCES_MAX)
      throw new RangeError(`detachKeepingCapacity takes at most ${DETACH_INSTANCES_MAX} instance ids per call, got ${ids.length}`);
    await this.autoscaling.send(
      new DetachInstancesCommand({ AutoScalingGroupName: name, InstanceIds: ids, ShouldDecrementDesiredCapacity: false }),
      sendOptions(o),
    );
  }

  /**
   * Put a running instance back into the group: "Amazon EC2 Auto Scaling increases the desired capacity
   * of the group by the number of instances being attached … [above] the maximum size of the group, the
   * operation fails" (API_AttachInstances.html). Throws what AWS answers.
   */
  async attach(name: string, instanceId: string, o?: CallOptions): Promise<void> {
    await this.autoscaling.send(new AttachInstancesCommand({ AutoScalingGroupName: name, InstanceIds: [instanceId] }), sendOptions(o));
  }

  /**
   * Whether the group's own scaling activities (newest first) record detaching the instance without
   * shrinking the capacity ("Detaching EC2 instance: i-…", a Cause without "shrinking the capacity"),
   * started within [from, to]. Reads pages until one is older than `from`, at most DETACH_ACTIVITY_PAGES_MAX.
   */
  async detachedKeepingCapacity(name: string, instanceId: string, from: number, to: number, o?: CallOptions): Promise<boolean> {
    let NextToken: string | undefined;
    for (let page = 0; page < DETACH_ACTIVITY_PAGES_MAX; page++) {
      const r = await this.autoscaling.send(
        new DescribeScalingActivitiesCommand({ AutoScalingGroupName: name, MaxRecords: SCALING_ACTIVITIES_MAX_RECORDS, NextToken }),
        sendOptions(o),
      );
      for (const a of r.Activities ?? []) {
        const at = a.StartTime?.getTime() ?? 0;
        if (at < from || at > to || a.StatusCode === 'Failed') continue;
        if (a.Description === `Detaching EC2 instance: ${instanceId}` && !(a.Cause ?? '').includes('shrinking the capacity')) return true;
      }
      const oldest = Math.min(...(r.Activities ?? []).map((a) => a.StartTime?.getTime() ?? 0));
      NextToken = r.NextToken || undefined;
      if (!NextToken || oldest < from) break;
    }
    return false;
  }

  /** Create or overwrite one tag on the group, not propagated to instances it launches. */
  /** One tag (and `more`, in the same call) on the group, never propagated to instances. */
  async tag(name: string, key: string, value: string, o?: CallOptions, more: Readonly<Record<string, string>> = {}): Promise<void> {
    await this.autoscaling.send(
      new CreateOrUpdateTagsCommand({
        Tags: Object.entries({ ...more, [key]: value }).map(([Key, Value]) => ({
          ResourceId: name,
          ResourceType: 'auto-scaling-group',
          Key,
          Value,
          PropagateAtLaunch: false,
        })),
      }),
      sendOptions(o),
    );
  }

  private describePages(query: { AutoScalingGroupNames?: string[]; Filters?: Filter[] }, o?: CallOptions): Promise<AsgGroup[]> {
    return collect(
      paginateDescribeAutoScalingGroups(
        { client: this.autoscaling },
        { ...query, MaxRecords: DESCRIBE_AUTO_SCALING_GROUPS_PAGE_MAX },
        sendOptions(o),
      ),
      (page) => page.AutoScalingGroups?.map(toGroup),
    );
  }
}

/** WeightedCapacity is a string in this API ("1" to "999"); anything else counts 1. */
function units(weightedCapacity: string | undefined): number | undefined {
  const n = Number(weightedCapacity);
  return weightedCapacity !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
}

function toGroup(g: AutoScalingGroup): AsgGroup {
  const overrides = (g.MixedInstancesPolicy?.LaunchTemplate?.Overrides ?? [])
    .filter((x) => x.InstanceType)
    .map((x) => ({ instanceType: x.InstanceType!, weight: units(x.WeightedCapacity) ?? 1 }));
  return {
    name: g.AutoScalingGroupName ?? '',
    desired: g.DesiredCapacity ?? 0,
    min: g.MinSize ?? 0,
    max: g.MaxSize ?? 0,
    tags: Object.fromEntries((g.Tags ?? []).filter((t) => t.Key).map((t) => [t.Key!, t.Value ?? ''])),
    capacityRebalance: g.CapacityRebalance === true,
    overrides,
    instances: (g.Instances ?? [])
      .filter((i) => i.InstanceId)
      .map((i) => ({
        instanceId: i.InstanceId!,
        instanceType: i.InstanceType ?? '',
        lifecycleState: i.LifecycleState ?? 'Pending',
        weight: units(i.WeightedCapacity) ?? overrides.find((x) => x.instanceType === i.InstanceType)?.weight ?? 1,
        protectedFromScaleIn: i.ProtectedFromScaleIn === true,
      })),
  };
}

/** DescribeScalingActivities: "MaxRecords … The default value is 100 and the maximum value is 100." */
const SCALING_ACTIVITIES_MAX_RECORDS = 100;
/** A detach a tick looks for is at most REBALANCE_DRAIN_MAX_SECONDS (≤ 6 h) old: a few pages even on a busy group. */
const DETACH_ACTIVITY_PAGES_MAX = 5;
