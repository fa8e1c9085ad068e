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
   * `draining`: marked and DRAINING now (or already, by an earlier try); `not-ours`, `not-in-cluster`, `not-active` (someone
   * else's drain, or another retirement's mark): nothing written; `skipped`: dry run.
   */
  outcome: 'draining' | 'not-ours' | 'not-in-cluster' | 'not-active' | 'skipped';
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
  opts: { dryRun: boolean; at: number },
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
  const failed = await ports.setDraining(ci.cluster, ci.containerInstanceArn, o);
  if (failed.length > 0) throw new Error(`UpdateContainerInstancesState DRAINING failed: ${failed.map((f) => f.reason).join('; ')}`);
  return { ec2InstanceId: id, outcome: 'draining', why: 'DRAINING: ECS moves its service tasks, start before stop', ...where };
}

/**
 * Call a rebalance drain off once no notice followed within the bound: EC2 is read again (running,
 * Spot), then the instance is set ACTIVE and our mark removed — ACTIVE first, so a failure leaves
 * it marked and DRAINING (retried next tick), never DRAINING unmarked (nobody's). Answers whether
 * it was called off and why; throws when a call fails.
 */
export async function callOffRebalance(
  deps: RetireDeps,
  step: RebalanceCallOffStep,
  now: number,
  o?: CallOptions,
): Promise<{ calledOff: boolean; why: string }> {
  const r = deps.ports.rebalance;
  if (!r) throw new Error('this function cannot call a rebalance drain off (no EC2 reads)');
  const ec2 = await r.ec2Facts(step.ec2InstanceId, o);
  const d = rebalanceCallOff({ status: 'DRAINING', mark: step.mark, leaving: step.leaving, ec2 }, step.boundMs, now);
  if (!d.callOff) return { calledOff: false, why: d.why };
  await r.setActive(step.containerInstanceArn, o);
  await deps.ports.removeMarks(step.containerInstanceArn, [RETIRING_ATTRIBUTE], o);
  return { calledOff: true, why: `no Spot notice within ${Math.round(step.boundMs / 60_000)} min: ACTIVE again, mark removed` };
}

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
 * tick never calls off a drain that is now the notice's. Only instances DRAINING with our `rebalance`
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
          // Only our rebalance drain is taken over: a scale-in's or agentHealth's mark stays theirs.
          if (ci?.status !== 'DRAINING' || readMark(ci.attributes ?? {}, {})?.reason !== 'rebalance') return;
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
