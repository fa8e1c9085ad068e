import type { DrainOutcome } from '../drain/report';
import type { HeldInstance } from './ports';
import type { RetireRequest } from './request';

/** Whether the instance is ours to mark, drain, remove or replace, from one read of the backend named. */
export type Ownership = { ours: true } | { ours: false; why: string };

/**
 * Ours only while a backend we manage holds it now (pure; `held` is that backend's instance list
 * read just before, or undefined when the backend is not among ours). An instance leaving its
 * backend (terminating, detaching) is not ours to act on any more: someone else is taking it.
 * A Spot notice or a hook of ours needs no backend: AWS takes the instance whatever we do, and
 * the drain only acts inside the configured clusters. A rebalance recommendation is only advice:
 * it needs the backend, as a removal does.
 */
export function ownershipOf(
  request: Pick<RetireRequest, 'ec2InstanceId' | 'then' | 'backend'> & Partial<Pick<RetireRequest, 'reason'>>,
  held: readonly HeldInstance[] | undefined,
): Ownership {
  if (request.then !== 'remove' && request.then !== 'replace' && request.reason !== 'rebalance') return { ours: true };
  const name = request.backend ? `${request.backend.kind} ${request.backend.id}` : 'no backend';
  if (!held) return { ours: false, why: `${name} is not a backend we manage` };
  const mine = held.find((i) => i.ec2InstanceId === request.ec2InstanceId);
  if (!mine) return { ours: false, why: `${name} does not hold ${request.ec2InstanceId}` };
  if (mine.state === 'leaving') return { ours: false, why: `${request.ec2InstanceId} is already leaving ${name}` };
  return { ours: true };
}

/**
 * Whether the `then` step is due after a drain that ended `outcome` (pure). A removal lowers
 * desired, so it waits for an empty instance (`drained`); a replacement also goes on at the force
 * time (`deadline-reached`: what remained was stopped), since the instance is broken anyway.
 */
export function thenIsDue(then: RetireRequest['then'], outcome: DrainOutcome): boolean {
  if (then === 'remove') return outcome === 'drained';
  if (then === 'replace') return outcome === 'drained' || outcome === 'deadline-reached';
  return false;
}
