import { Coalescer } from '../lambda/coalesce';
import type { Clock } from '../lambda/clock';
import type { AsgGroup, AsgMembership, AutoScalingGroupsAdapter } from './autoscaling-groups';
import type { CallOptions } from './call';
import { chunk, DESCRIBE_AUTO_SCALING_GROUPS_NAMES_MAX, DESCRIBE_AUTO_SCALING_INSTANCES_MAX } from './limits';

/** One asker's share of a batch: its answer, or the error of the call that carried its question. */
type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Per-instance and per-group Auto Scaling reads that many concurrent callers make at one moment
 * (a Spot wave's replacements: one of each per victim), gathered as shared/lambda/coalesce.ts
 * gathers the drains' reads — on the clock's `defer`, so the simulator's virtual time is not
 * moved — and sent as one DescribeAutoScalingInstances per 50 instance ids (InstanceIds: "Array
 * Members: Maximum number of 50 items.", API_DescribeAutoScalingInstances) and one
 * DescribeAutoScalingGroups per 50 group names ("By default, you can only specify up to 50
 * names", API_DescribeAutoScalingGroups). Each caller gets its own answer; a failed call fails
 * only the callers whose questions it carried (they retry through their own retry policy, and
 * the retries gather again).
 */
export function batchedAsgLookups(groups: AutoScalingGroupsAdapter, clock: Clock) {
  const memberships = new Coalescer<string, Settled<AsgMembership | undefined>>(clock, async (_key, ids, signal) => {
    const parts = chunk([...new Set(ids)], DESCRIBE_AUTO_SCALING_INSTANCES_MAX);
    return answerEach(ids, await Promise.all(parts.map((part) => settle(part, () => groups.groupsOfInstances(part, { signal })))));
  });
  const groupsByName = new Coalescer<string, Settled<AsgGroup | undefined>>(clock, async (_key, names, signal) => {
    const parts = chunk([...new Set(names)], DESCRIBE_AUTO_SCALING_GROUPS_NAMES_MAX);
    const read = async (part: string[]) => new Map((await groups.byNames(part, { signal })).map((g) => [g.name, g] as const));
    return answerEach(names, await Promise.all(parts.map((part) => settle(part, () => read(part)))));
  });
  return {
    /** The group an instance is in (undefined: none manages it), read with every other instance asked about now. */
    groupOfInstance: async (instanceId: string, o?: CallOptions) => unwrap(await memberships.ask('', instanceId, o?.signal)),
    /** The named group (undefined: it does not exist), read with every other group asked about now. */
    group: async (name: string, o?: CallOptions) => unwrap(await groupsByName.ask('', name, o?.signal)),
  };
}

/** The result of reading one part (its keys and what was found for them, or the call's error). */
async function settle<T>(keys: string[], read: () => Promise<Map<string, T>>): Promise<{ keys: string[]; read: Settled<Map<string, T>> }> {
  try {
    return { keys, read: { ok: true, value: await read() } };
  } catch (error) {
    return { keys, read: { ok: false, error } };
  }
}

/** Each question's answer from the part that carried it (a key absent from a part's map: not found). */
function answerEach<T>(
  questions: string[],
  parts: Array<{ keys: string[]; read: Settled<Map<string, T>> }>,
): Array<Settled<T | undefined>> {
  return questions.map((q) => {
    const { read } = parts.find((p) => p.keys.includes(q))!;
    return read.ok ? { ok: true, value: read.value.get(q) } : read;
  });
}

function unwrap<T>(s: Settled<T>): T {
  if (!s.ok) throw s.error;
  return s.value;
}
