import type { CallOptions } from '../aws/call';
import { retryUntil, type Backoff } from '../aws/retry';
import type { Clock } from '../lambda/clock';
import { errorMessage } from '../lambda/errors';
import { beginRebalanceDrain, rebalanceRequest, type RebalanceDrainPorts, type RebalanceDrainResult } from '../retire/rebalance';
import type { RebalanceMode } from '../retire/drain-config';
import type { HeldInstance } from '../retire/ports';
import { REBALANCE_ACT_MS } from '../retire/rebalance-plan';
import { ourGroupOf, replaceAtNotice, type ReplacementReport, type ReplacePorts } from './replace';

export { REBALANCE_ACT_MS } from '../retire/rebalance-plan';

/** The replacement's short waits (0.5 s doubling to 5 s, jittered): a notice may be minutes away, or come at once. */
const REBALANCE_RETRY: Backoff = { baseMs: 500, capMs: 5_000 };

export interface RebalanceResult {
  ec2InstanceId: string;
  mode: RebalanceMode;
  recommendedAt: number;
  replacement?: ReplacementReport;
  drain?: RebalanceDrainResult;
  /** `replace`: our mark written before the detach, so the tick attaches the instance back if no notice follows. */
  mark?: RebalanceDrainResult;
  /** The drain could not be begun (a call failed until the record is retried). */
  error?: string;
}

/** The state an Auto Scaling instance is in, as retire's ownership reads it. */
const heldState = (lifecycleState: string): HeldInstance['state'] =>
  lifecycleState === 'InService' ? 'in-service' : lifecycleState.startsWith('Pending') ? 'pending' : 'leaving';

/**
 * Act on one rebalance recommendation. `replace`: the replacement is asked for at once, by the
 * notice's own code (replaceAtNotice: only an ASG of ours without Capacity Rebalancing; a maintain
 * fleet or a Capacity Rebalancing group replaces the instance itself), after our `rebalance` mark is
 * written on the ACTIVE container instance (no mark, no detach: the tick attaches back only what it can find). `replace-and-drain`: also the
 * drain that keeps serving (shared/retire/rebalance.ts), only for an instance an ASG of ours holds
 * now — read before the replacement detaches it, so the two run side by side. Each read and write
 * is retried (one retry policy, shared/aws/retry.ts) until REBALANCE_ACT_MS: a later retry of the
 * record would find the instance detached and no longer ours. Never throws: what failed is in the result.
 */
export async function actOnRecommendation(
  ports: { replace: ReplacePorts; drain: RebalanceDrainPorts },
  signal: { ec2InstanceId: string; recommendedAt: number },
  opts: { mode: RebalanceMode; dryRun: boolean; clusters: readonly string[]; clock: Clock; random?: () => number; o?: CallOptions },
): Promise<RebalanceResult> {
  const base = { ec2InstanceId: signal.ec2InstanceId, mode: opts.mode, recommendedAt: signal.recommendedAt };
  if (opts.mode === 'off') return base;
  const now = opts.clock.now();
  const deadline = Math.max(now, signal.recommendedAt) + REBALANCE_ACT_MS;
  const id = signal.ec2InstanceId;
  const retried = async <T>(fn: (o: CallOptions) => Promise<T>): Promise<T> => {
    const r = await retryUntil(deadline, ({ signal }) => fn({ signal }), {
      clock: opts.clock,
      backoff: REBALANCE_RETRY,
      ...(opts.random ? { random: opts.random } : {}),
      ...(opts.o?.signal ? { signal: opts.o.signal } : {}),
    });
    if (r.ok) return r.value;
    throw r.error;
  };
  try {
    const held = await retried((o) => ownerOf(ports.replace, id, opts.clusters, o));
    // Our mark, and DRAINING unless `drain` is false: retried like the replacement, within the same bound.
    const begin = (h: NonNullable<typeof held>, drain: boolean) =>
      retried((o) =>
        beginRebalanceDrain(
          ports.drain,
          rebalanceRequest(signal, h.backend, REBALANCE_ACT_MS),
          h.instances,
          { dryRun: opts.dryRun, at: now, ...(drain ? {} : { drain: false }) },
          o,
        ),
      );
    // `replace`: no detach without our mark first — the tick's only memory of an instance it must attach back.
    const mark = opts.mode === 'replace' && held && !held.capacityRebalance ? await begin(held, false) : undefined;
    if (mark && mark.outcome !== 'marked' && mark.outcome !== 'skipped') {
      const replacement: ReplacementReport = {
        action: 'none',
        group: held!.backend.id,
        outcome: 'not-needed',
        reason: `not detached: ${mark.why}`,
      };
      return { ...base, replacement, mark };
    }
    const replacement = replaceAtNotice(ports.replace, id, {
      dryRun: opts.dryRun,
      clusters: opts.clusters,
      clock: opts.clock,
      deadline,
      ...(opts.random ? { random: opts.random } : {}),
    });
    const notOurs: RebalanceDrainResult = { ec2InstanceId: id, outcome: 'not-ours', why: 'no Auto Scaling group of ours holds it' };
    const drain =
      opts.mode !== 'replace-and-drain'
        ? undefined
        : !held
          ? Promise.resolve(notOurs)
          : begin(held, true).catch((err: unknown) => ({ error: errorMessage(err) }));
    const [r, d] = await Promise.all([replacement, drain]);
    if (d && 'error' in d) return { ...base, replacement: r, error: d.error };
    return { ...base, replacement: r, ...(d ? { drain: d } : {}), ...(mark ? { mark } : {}) };
  } catch (err) {
    return { ...base, error: errorMessage(err) };
  }
}

/** The ASG of ours holding the instance now, and its view of it (retire decides ownership from it). */
async function ownerOf(ports: ReplacePorts, id: string, clusters: readonly string[], o?: CallOptions) {
  const member = await ports.groupOfInstance(id, o);
  const group = member ? await ports.group(member.groupName, o) : undefined;
  const name = ourGroupOf(member, group, clusters);
  if (!name || !member) return undefined;
  return {
    capacityRebalance: group?.capacityRebalance === true,
    backend: { kind: 'asg' as const, id: name },
    instances: [{ ec2InstanceId: id, state: heldState(member.lifecycleState) }],
  };
}
