import type { CallOptions } from '../aws/call';
import type { DrainReport } from '../drain/report';
import type { Log } from '../lambda/observability';
import { AGENT_REPLACE_ATTRIBUTE, RETIRING_ATTRIBUTE, SCALE_IN_TAG } from '../tags';
import { formatMark } from './mark';
import { ownershipOf, thenIsDue, type Ownership } from './plan';
import type { RetirePorts } from './ports';
import { checkRetireRequest, type RetireRequest } from './request';

export interface RetireDeps {
  ports: RetirePorts;
  log: Log;
}

/**
 * How a retirement step ended: `not-ours` (no backend we manage holds it now: nothing done, never
 * an error), `marked`, `draining` (the drain has not ended as the `then` step needs: a later
 * invocation resumes it from AWS state), `drained` (then = none), `removed` / `replaced`, or
 * `gone` (the backend answered it was already gone: nothing changed again).
 */
export type RetireOutcome = 'not-ours' | 'marked' | 'draining' | 'drained' | 'removed' | 'replaced' | 'gone';

export interface RetireResult {
  ec2InstanceId: string;
  outcome: RetireOutcome;
  why: string;
  drain?: DrainReport;
}

/** Reads the backend the request names (one describe) and decides whether the instance is ours now. Throws when the read fails. */
async function ownershipNow(ports: RetirePorts, req: RetireRequest, o?: CallOptions): Promise<Ownership> {
  const backend = req.backend && ports.backends.find((b) => b.ref.kind === req.backend!.kind && b.ref.id === req.backend!.id);
  return ownershipOf(req, backend ? (await backend.describe(o)).instances : undefined);
}

/**
 * Begin a retirement: check that a backend we manage holds the instance now, then write our one
 * mark (`<reason>@<at>`) on its container instance, before anything else happens to it (a crash
 * mid-drain still leaves it ours). Not ours ⇒ `not-ours`, nothing written. Throws when a read or
 * the write fails (the caller's step fails, and what depends on it does not run).
 */
export async function markRetiring(deps: RetireDeps, request: RetireRequest, at: number, o?: CallOptions): Promise<RetireResult> {
  const req = checkRetireRequest(request);
  const own = await ownershipNow(deps.ports, req, o);
  if (!own.ours) return { ec2InstanceId: req.ec2InstanceId, outcome: 'not-ours', why: own.why };
  if (!req.containerInstanceArn) throw new Error(`no container instance named for ${req.ec2InstanceId}: nowhere to write the mark`);
  await deps.ports.putMark(req.containerInstanceArn, RETIRING_ATTRIBUTE, formatMark(req.reason, at), o);
  return { ec2InstanceId: req.ec2InstanceId, outcome: 'marked', why: `${req.reason} begun` };
}

/**
 * A retirement called off (a late batch job, the agent came back): our mark is removed, and so are
 * the marks of the last release (the agent-replace attribute; the scale-in tag when `legacyTag`).
 */
export async function unmarkRetiring(deps: RetireDeps, containerInstanceArn: string, legacyTag: boolean, o?: CallOptions): Promise<void> {
  await deps.ports.removeMarks(containerInstanceArn, [RETIRING_ATTRIBUTE, AGENT_REPLACE_ATTRIBUTE], o);
  if (legacyTag && deps.ports.removeLegacyTag) await deps.ports.removeLegacyTag(containerInstanceArn, SCALE_IN_TAG, o);
}

/**
 * Carry a retirement out (start or resume): ownership, the drain (shared/drain, bounded by the
 * request's deadline, for at most `stepEndsAt`), then — once the drain ended as the `then` step
 * needs, and the backend still holds the instance — remove or replace it through that backend.
 * Ownership is read before the drain and again before the removal: an instance no backend of
 * ours holds is never drained, removed or replaced. Throws only when a read or the removal
 * fails (the drain itself never throws for AWS: its report says what failed).
 */
export async function carryOutRetire(
  deps: RetireDeps,
  request: RetireRequest,
  stepEndsAt: number,
  drainId: string,
  o?: CallOptions,
): Promise<RetireResult> {
  const req = checkRetireRequest(request);
  const id = req.ec2InstanceId;
  const before = await ownershipNow(deps.ports, req, o);
  if (!before.ours) return { ec2InstanceId: id, outcome: 'not-ours', why: `${before.why}: not drained` };
  if (req.drained && (req.then === 'remove' || req.then === 'replace')) return thenStep(deps, req, undefined, o);
  const drain = await deps.ports.drain(req, stepEndsAt, drainId);
  if (req.then === 'none' || req.then === 'complete-lifecycle')
    return { ec2InstanceId: id, outcome: drain.outcome === 'drained' ? 'drained' : 'draining', why: drain.why, drain };
  if (!thenIsDue(req.then, drain.outcome))
    return { ec2InstanceId: id, outcome: 'draining', why: `the drain ended ${drain.outcome}: a later invocation resumes it`, drain };
  return thenStep(deps, req, drain, o);
}

/** The removal or replacement, once the backend named is read again and still holds the instance. */
async function thenStep(deps: RetireDeps, req: RetireRequest, drain: DrainReport | undefined, o?: CallOptions): Promise<RetireResult> {
  const id = req.ec2InstanceId;
  const d = drain ? { drain } : {};
  const after = await ownershipNow(deps.ports, req, o);
  if (!after.ours) return { ec2InstanceId: id, outcome: 'not-ours', why: `${after.why}: not ${req.then}d`, ...d };
  const backend = deps.ports.backends.find((b) => b.ref.kind === req.backend!.kind && b.ref.id === req.backend!.id)!;
  if (req.then === 'remove') {
    const r = await backend.remove(id, o);
    return {
      ec2InstanceId: id,
      outcome: r.removed ? 'removed' : 'gone',
      why: r.removed ? 'removed' : `not removed: ${r.reason ?? 'already gone'}`,
      drain,
    };
  }
  const r = await backend.replace(id, o);
  return {
    ec2InstanceId: id,
    outcome: r.replaced ? 'replaced' : 'gone',
    why: r.replaced ? 'replaced' : `not replaced: ${r.reason ?? 'already gone'}`,
    drain,
  };
}
