import { CLUSTER_TAG } from '../tags';
import type { CallOptions } from '../aws/call';
import { retryUntil, type Backoff } from '../aws/retry';
import type { Clock } from '../lambda/clock';
import { errorMessage } from '../lambda/errors';

/** What replacement at a Spot notice reads. */
export interface ReplacePorts {
  groupOfInstance(instanceId: string, o?: CallOptions): Promise<{ groupName: string; lifecycleState: string } | undefined>;
  group(name: string, o?: CallOptions): Promise<{ tags: Record<string, string>; capacityRebalance: boolean } | undefined>;
  detachKeepingCapacity(groupName: string, instanceId: string, o?: CallOptions): Promise<void>;
  /** Date the replacement as capacity asked for now (the last-scale-out tag), so capacity planning counts it as coming, not late. */
  recordScaleOut(groupName: string, at: number, o?: CallOptions): Promise<void>;
}

/**
 * The group that holds the instance, when it is ours: tagged `ecs-steady:cluster` for a managed
 * cluster (pure; read from AWS just before). Absent: not in a group, or not ours.
 */
export function ourGroupOf(
  member: { groupName: string; lifecycleState: string } | undefined,
  group: { tags: Record<string, string> } | undefined,
  managedClusters: readonly string[],
): string | undefined {
  const cluster = group?.tags[CLUSTER_TAG];
  if (!member || !cluster) return undefined;
  const names = managedClusters.map((c) => (c.startsWith('arn:') ? c.slice(c.lastIndexOf('/') + 1) : c));
  return names.length === 0 || names.includes(cluster) ? member.groupName : undefined;
}

export interface ReplaceDecision {
  action: 'detach' | 'none';
  group?: string;
  reason: string;
}

/**
 * Whether to ask for a replacement now, at the notice, rather than after the reclaim. Pure.
 * Only an Auto Scaling group that is ours (tagged `ecs-steady:cluster`, for a managed cluster)
 * and that does not replace the instance itself (Capacity Rebalancing) gets one: the instance
 * is detached without lowering desired, so the group launches the replacement now and, once
 * the instance is reclaimed outside the group, launches nothing more — never a double
 * replacement. A maintain EC2 Fleet or Spot Fleet replaces its interrupted instances itself.
 */
export function planReplacement(
  member: { groupName: string; lifecycleState: string } | undefined,
  group: { tags: Record<string, string>; capacityRebalance: boolean } | undefined,
  managedClusters: readonly string[],
): ReplaceDecision {
  if (!member) return { action: 'none', reason: 'not in an Auto Scaling group: a maintain EC2 Fleet or Spot Fleet replaces it on its own' };
  const g = member.groupName;
  if (member.lifecycleState !== 'InService')
    return { action: 'none', group: g, reason: `already ${member.lifecycleState} in its group: the group is replacing it` };
  if (!group) return { action: 'none', group: g, reason: `group ${g} not found` };
  const cluster = group.tags[CLUSTER_TAG];
  const names = managedClusters.map((c) => (c.startsWith('arn:') ? c.slice(c.lastIndexOf('/') + 1) : c));
  if (!cluster) return { action: 'none', group: g, reason: `group ${g} is not ours (no ${CLUSTER_TAG} tag)` };
  if (names.length > 0 && !names.includes(cluster))
    return { action: 'none', group: g, reason: `group ${g} serves cluster ${cluster}, which is not managed here` };
  if (group.capacityRebalance) return { action: 'none', group: g, reason: `group ${g} replaces it itself (Capacity Rebalancing)` };
  return { action: 'detach', group: g, reason: `detach from ${g} without lowering desired: the group launches the replacement now` };
}

export interface ReplacementReport extends ReplaceDecision {
  /** `requested`: the replacement was asked for; `skipped`: dry run; `failed`: still failing at the deadline. */
  outcome: 'requested' | 'not-needed' | 'skipped' | 'failed';
  error?: string;
  /** When the request was made (the trigger-to-request latency starts at the notice). */
  at?: number;
}

/** Short waits (0.5 s doubling to 5 s, jittered): the replacement is worth most early in the two-minute notice. */
const REPLACE_RETRY: Backoff = { baseMs: 500, capMs: 5_000 };

/**
 * Decide and ask for a replacement for an instance under a Spot notice. A failed call is
 * retried with backoff until `deadline`; never throws.
 */
export async function replaceAtNotice(
  ports: ReplacePorts,
  instanceId: string,
  opts: { dryRun: boolean; clusters: readonly string[]; clock: Clock; deadline: number; o?: CallOptions; random?: () => number },
): Promise<ReplacementReport> {
  const r = await retryUntil(
    opts.deadline,
    async ({ signal }): Promise<ReplacementReport> => {
      const o = { signal };
      const member = await ports.groupOfInstance(instanceId, o);
      const group = member ? await ports.group(member.groupName, o) : undefined;
      const d = planReplacement(member, group, opts.clusters);
      if (d.action === 'none') return { ...d, outcome: 'not-needed' };
      if (opts.dryRun) return { ...d, outcome: 'skipped' };
      await ports.detachKeepingCapacity(d.group!, instanceId, o);
      const at = opts.clock.now();
      // Best effort: without it the replacement may look late to scaleTick (dated by an older scale-out).
      await ports.recordScaleOut(d.group!, at, o).catch(() => undefined);
      return { ...d, outcome: 'requested', at };
    },
    {
      clock: opts.clock,
      backoff: REPLACE_RETRY,
      ...(opts.random ? { random: opts.random } : {}),
      ...(opts.o?.signal ? { signal: opts.o.signal } : {}),
    },
  );
  if (r.ok) return r.value;
  return {
    action: 'none',
    reason: 'the replacement could not be asked for before the deadline',
    outcome: 'failed',
    error: errorMessage(r.error),
  };
}
