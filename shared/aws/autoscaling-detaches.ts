import { Coalescer } from '../lambda/coalesce';
import type { Clock } from '../lambda/clock';
import type { AutoScalingGroupsAdapter } from './autoscaling-groups';
import type { CallOptions } from './call';
import { awsErrorName } from './errors';
import { chunk, DETACH_INSTANCES_MAX } from './limits';
import { LAST_SCALE_OUT_TAG } from '../tags';

/** One asker's share of a batch: done, or the error of the call that carried its instance. */
type Settled = { ok: true } | { ok: false; error: unknown };

/**
 * The replacement writes of a Spot wave, gathered per group as shared/aws/autoscaling-lookups.ts
 * gathers its reads (on the clock's `defer`, so every victim whose lookups came back at one
 * moment is detached at that moment): one DetachInstances per 20 instances of a group
 * (DETACH_INSTANCES_MAX) instead of one per victim, and one last-scale-out tag per group for the
 * batch instead of one per victim. Auto Scaling's bucket is shared by the account (and by
 * scaleTick), so a hundred single detaches at one moment meet its throttling and push the
 * replacements back by the SDK's backoff.
 *
 * DetachInstances is all or nothing: one instance Auto Scaling refuses (no longer InService —
 * another batch of the wave detached it, or the group is already replacing it) fails the call
 * with a ValidationError. That part is then sent again one instance a call, so the refusal
 * reaches only the caller it concerns; any other error fails every caller the call carried
 * (each retries through its own policy, and the retries gather again).
 */
export function batchedDetaches(groups: AutoScalingGroupsAdapter, clock: Clock) {
  const detaches = new Coalescer<string, Settled>(clock, async (groupName, ids, signal) => {
    const o = { signal };
    const parts = await Promise.all(
      chunk([...new Set(ids)], DETACH_INSTANCES_MAX).map(async (part) => {
        const r = await settle(() => groups.detachKeepingCapacity(groupName, part, o));
        if (r.ok || part.length === 1 || awsErrorName(r.error) !== 'ValidationError') return part.map((id) => [id, r] as const);
        return Promise.all(part.map(async (id) => [id, await settle(() => groups.detachKeepingCapacity(groupName, [id], o))] as const));
      }),
    );
    const byId = new Map(parts.flat());
    return ids.map((id) => byId.get(id)!);
  });
  // One tag per group for the batch, dated by its latest request: the tag only says "capacity was asked for at".
  const scaleOuts = new Coalescer<number, Settled>(clock, async (groupName, ats, signal) => {
    const r = await settle(() => groups.tag(groupName, LAST_SCALE_OUT_TAG, new Date(Math.max(...ats)).toISOString(), { signal }));
    return ats.map(() => r);
  });
  return {
    /** Detach the instance from its group without lowering desired, with every other instance of the group asked about now. */
    detachKeepingCapacity: async (groupName: string, instanceId: string, o?: CallOptions) =>
      unwrap(await detaches.ask(groupName, instanceId, o?.signal)),
    /** Date the group's last scale-out (the replacement asked for at `at`), once for every caller asking now. */
    recordScaleOut: async (groupName: string, at: number, o?: CallOptions) => unwrap(await scaleOuts.ask(groupName, at, o?.signal)),
  };
}

async function settle(call: () => Promise<void>): Promise<Settled> {
  try {
    await call();
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

function unwrap(s: Settled): void {
  if (!s.ok) throw s.error;
}
