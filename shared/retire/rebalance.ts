import type { CallOptions, ItemFailure } from '../aws/call';
import { retryUntil, type Backoff } from '../aws/retry';
import type { Clock } from '../lambda/clock';
import type { ContainerInstanceRef } from '../aws/ecs-container-instances';
import { lookupInstances } from '../drain/lookup';
import type { DrainPorts } from '../drain/ports';
import { RETIRING_ATTRIBUTE } from '../tags';
import { formatMark, readMark } from './mark';
import { ownershipOf } from './plan';
import type { HeldInstance } from './ports';
import type { RetireDeps } from './run';
import { checkRetireRequest, type RetireRequest } from './request';
import { rebalanceCallOff, type RebalanceCallOffStep, type StaleRebalanceMarkStep } from './rebalance-plan';

export { rebalanceCallOff, rebalanceRequest, type Ec2Facts, type RebalanceCallOffStep } from './rebalance-plan';

/**
 * A rebalance recommendation's drain that keeps serving. We only set the instance DRAINING (with
 * our mark `rebalance@<at>`): ECS then replaces its service tasks itself, starting the replacements
 * before stopping the old ones within the service's maximumPercent, and a load-balanced task leaves
 * its targets only once its replacement is healthy ("Draining Amazon ECS container instances",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-instance-draining.html).
 * We stop no task and deregister no target: a Spot notice that follows runs the normal drain.
 */

/** What beginning the drain needs of AWS (the spotInterruption function's ECS clients). */
export interface RebalanceDrainPorts {
  /** The container instance of this EC2 instance in the configured clusters (undefined: in none). */
  find(ec2InstanceId: string, o?: CallOptions): Promise<ContainerInstanceRef | undefined>;
  putMark(cluster: string, containerInstanceArn: string, name: string, value: string, o?: CallOptions): Promise<void>;
  setDraining(cluster: string, containerInstanceArn: string, o?: CallOptions): Promise<ItemFailure[]>;
}

export interface RebalanceDrainResult {
  ec2InstanceId: string;
  /**
   * `draining`: marked and DRAINING now (or already, by an earlier try); `marked`: marked only (`replace`: the tick's
   * memory of a detach it must not leave orphaned); `not-ours`, `not-in-cluster`, `not-active` (someone else's drain, or
   * another retirement's mark): nothing written; `skipped`: dry run.
   */
  outcome: 'draining' | 'marked' | 'not-ours' | 'not-in-cluster' | 'not-active' | 'skipped';
  why: string;
  cluster?: string;
  containerInstanceArn?: string;
}

/**
 * Begin the drain that keeps serving: ours only while the backend named holds the instance (`held`:
 * its instance list read just before; undefined when it is not a backend we manage), and only an
 * ACTIVE container instance without another retirement's mark (a drain begun by someone else never
 * becomes ours to call off, and their mark is never overwritten). The mark is written before DRAINING, so the instance is never DRAINING by us without it. Throws when
 * a call fails or ECS reports the state change failed (the record is retried).
 */
export async function beginRebalanceDrain(
  ports: RebalanceDrainPorts,
  request: RetireRequest,
  held: readonly HeldInstance[] | undefined,
  opts: { dryRun: boolean; at: number; /** false: the mark only, no DRAINING (`replace`). */ drain?: boolean },
  o?: CallOptions,
): Promise<RebalanceDrainResult> {
  const req = checkRetireRequest(request);
  const id = req.ec2InstanceId;
  const own = ownershipOf(req, held);
  if (!own.ours) return { ec2InstanceId: id, outcome: 'not-ours', why: own.why };
  const ci = await ports.find(id, o);
  if (!ci) return { ec2InstanceId: id, outcome: 'not-in-cluster', why: `${id} is in none of the configured clusters` };
  const where = { cluster: ci.cluster, containerInstanceArn: ci.containerInstanceArn };
  const mark = readMark(ci.attributes ?? {}, {});
  const ourMark = mark?.reason === 'rebalance' && mark.from === 'mark';
  // DRAINING with our own mark: an earlier try whose DRAINING answer was lost (the record is retried). Nothing to write again.
  if (ci.status === 'DRAINING' && ourMark)
    return { ec2InstanceId: id, outcome: 'draining', why: 'already DRAINING with our rebalance mark (an earlier try took)', ...where };
  if (ci.status !== 'ACTIVE')
    return { ec2InstanceId: id, outcome: 'not-active', why: `${id} is ${ci.status}: not ours to drain`, ...where };
  // Scale-in and agentHealth write their mark just before DRAINING: an ACTIVE instance with one is theirs, being begun now.
  if (mark && !ourMark)
    return { ec2InstanceId: id, outcome: 'not-active', why: `${id} carries a ${mark.reason} mark: another retirement's`, ...where };
  if (opts.dryRun) return { ec2InstanceId: id, outcome: 'skipped', why: 'dry run', ...where };
  await ports.putMark(ci.cluster, ci.containerInstanceArn, RETIRING_ATTRIBUTE, formatMark('rebalance', opts.at), o);
  if (opts.drain === false)
    return { ec2InstanceId: id, outcome: 'marked', why: 'marked: the tick attaches it back if no notice follows', ...where };
  const failed = await ports.setDraining(ci.cluster, ci.containerInstanceArn, o);
  if (failed.length > 0) throw new Error(`UpdateContainerInstancesState DRAINING failed: ${failed.map((f) => f.reason).join('; ')}`);
  return { ec2InstanceId: id, outcome: 'draining', why: 'DRAINING: ECS moves its service tasks, start before stop', ...where };
}

/**
 * Act on a rebalance mark whose bound passed with no Spot notice. EC2 and Auto Scaling are read
 * again; an instance in no group that a backend of ours detached around our mark (its own scaling
 * activity, not our tag) is attached back to that group first — the group then holds one more than
 * the planner needs, and scale-in removes the emptiest instance through the one capacity path. Then
 * the instance is set ACTIVE and our mark removed: attach first and ACTIVE before the unmark, so a
 * failure (AttachInstances above max, say) leaves the mark for the next tick, never an unmarked
 * orphan. Answers whether it was acted on and why; throws when a call fails (the step's error).
 */
export async function callOffRebalance(
  deps: RetireDeps,
  step: RebalanceCallOffStep,
  now: number,
  o?: CallOptions,
): Promise<{ calledOff: boolean; why: string }> {
  const r = deps.ports.rebalance;
  if (!r) throw new Error('this function cannot call a rebalance drain off (no EC2 reads)');
  const id = step.ec2InstanceId;
  const ec2 = await r.ec2Facts(id, o);
  const group = await r.groupOf(id, o);
  const detachedFrom = group === undefined ? await detacherOf(deps, r, id, step.mark.at, o) : undefined;
  const asg = { group, ...(detachedFrom ? { detachedFrom } : {}) };
  const d = rebalanceCallOff({ status: step.status, mark: step.mark, leaving: step.leaving, ec2, asg }, step.boundMs, now);
  if (!d.callOff) return { calledOff: false, why: d.why };
  if (d.attachTo) await r.attach(d.attachTo, id, o);
  if (step.status === 'DRAINING') await r.setActive(step.containerInstanceArn, o);
  await deps.ports.removeMarks(step.containerInstanceArn, [RETIRING_ATTRIBUTE], o);
  const back = d.attachTo ? `attached to ${d.attachTo} again, ` : group === undefined ? 'in no group of ours to go back to, ' : '';
  return { calledOff: true, why: `no Spot notice within ${Math.round(step.boundMs / 60_000)} min: ${back}ACTIVE, mark removed` };
}

/** The Auto Scaling backend of ours on record as having detached it within REBALANCE_ACT_MS of our mark (the recommendation's replacement). */
async function detacherOf(
  deps: RetireDeps,
  r: NonNullable<RetireDeps['ports']['rebalance']>,
  id: string,
  markedAt: number,
  o?: CallOptions,
): Promise<string | undefined> {
  for (const b of deps.ports.backends.filter((x) => x.ref.kind === 'asg'))
    if (await r.detachedKeepingCapacity(b.ref.id, id, markedAt - DETACH_WINDOW_MS, markedAt + DETACH_WINDOW_MS, o)) return b.ref.id;
  return undefined;
}

/** The mark and the detach are both made while acting on one recommendation (REBALANCE_ACT_MS, two minutes). */
const DETACH_WINDOW_MS = 120_000;

/**
 * Remove a stale rebalance mark from an ACTIVE instance. The tick's reading may be a tick old, and a
 * drain (ours or another retirement's) may have begun since: the instance is read again, and only our
 * retiring attribute is removed, only while it is still exactly `rebalance@<the mark's time>` and the
 * instance still ACTIVE (ECS DeleteAttributes has no condition: the window left is this read's
 * milliseconds, not a tick). Throws when a call fails (the next tick tries again).
 */
export async function clearRebalanceMark(
  deps: RetireDeps,
  step: StaleRebalanceMarkStep,
  o?: CallOptions,
): Promise<{ removed: boolean; why: string }> {
  const r = deps.ports.rebalance;
  if (!r) throw new Error('this function cannot clear a rebalance mark (no container instance reads)');
  const now = await r.readInstance(step.containerInstanceArn, o);
  if (!now) return { removed: false, why: 'ECS no longer knows it' };
  if (now.status !== 'ACTIVE') return { removed: false, why: `${now.status} now: a drain was begun meanwhile` };
  const expected = formatMark('rebalance', step.mark.at);
  const found = now.attributes[RETIRING_ATTRIBUTE];
  if (found !== expected) return { removed: false, why: `the mark is ${found ?? 'gone'} now, not ${expected}` };
  await deps.ports.removeMarks(step.containerInstanceArn, [RETIRING_ATTRIBUTE], o);
  return { removed: true, why: `${expected} on an ACTIVE instance` };
}

/**
 * A Spot notice for an instance a rebalance drain already holds: the notice's drain takes over (it
 * works on a DRAINING instance as on any other), and our mark becomes `spot-notice@<notice>` so the
 * tick never calls off (nor attaches back) an instance that is now the notice's. Only instances with our `rebalance`
 * mark when looked up are re-marked (another retirement's mark stays as it is). Retried (one retry policy) until the earliest
 * reclaim; never throws: a failure is a warning (the worst case is a call-off racing the last two
 * minutes of an instance Spot takes anyway).
 */
export async function takeOverRebalanceDrains(
  ports: Pick<DrainPorts, 'containerInstances' | 'tasks'> & Pick<RebalanceDrainPorts, 'putMark'>,
  notices: ReadonlyArray<{ ec2InstanceId: string; noticeAt: number; deadline: number }>,
  clusters: readonly string[],
  opts: { clock: Clock; random?: () => number },
): Promise<string[]> {
  // Bounded by the earliest reclaim: after it, a call-off can no longer race that notice's drain.
  const deadline = Math.min(...notices.map((n) => n.deadline));
  const r = await retryUntil(
    deadline,
    async ({ signal }) => {
      const o = { signal };
      const ids = notices.map((n) => n.ec2InstanceId);
      const found = await lookupInstances(ports, ids, clusters, o, false);
      await Promise.all(
        notices.map(async (n) => {
          const ci = found.get(n.ec2InstanceId)?.instance;
          // Only our rebalance mark is taken over (DRAINING by our drain, or ACTIVE when `replace` detached it
          // and the notice's drain has not set DRAINING yet): a scale-in's or agentHealth's mark stays theirs.
          if (!ci || readMark(ci.attributes ?? {}, {})?.reason !== 'rebalance') return;
          await ports.putMark(ci.cluster, ci.containerInstanceArn, RETIRING_ATTRIBUTE, formatMark('spot-notice', n.noticeAt), o);
        }),
      );
    },
    { clock: opts.clock, backoff: TAKE_OVER_RETRY, ...(opts.random ? { random: opts.random } : {}) },
  );
  return r.ok ? [] : [`rebalance drains not handed to their notices: ${String(r.error)}`];
}

/** Short waits (0.5 s doubling to 5 s): the call-off it prevents is at most one tick away. */
const TAKE_OVER_RETRY: Backoff = { baseMs: 500, capMs: 5_000 };
