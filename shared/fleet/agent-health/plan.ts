import { readMark } from '../../retire/mark';
import type { BackendKind, HeldInstance } from '../../retire/ports';
import type { RetireRequest } from '../../retire/request';
import type { AgentHealthSettings } from './config';
import { DISCONNECTED_SINCE_ATTRIBUTE, DO_NOT_DISRUPT_TAG, SCALE_IN_TAG } from '../../tags';
import type { AgentInstance } from './ports';

/** One cluster as one run read it. */
export interface ClusterHealthRead {
  cluster: string;
  /** Container instances ACTIVE or DRAINING (INACTIVE ones are gone). */
  instances: AgentInstance[];
  /** The backend of ours that launched each EC2 instance (read only when an instance may be acted on). */
  owners: ReadonlyMap<string, { kind: BackendKind; id: string; state: HeldInstance['state'] }>;
  /** Backends of the cluster whose read failed: an instance not found elsewhere may be theirs. */
  unreadBackends: string[];
}

/** A side effect of one run on one cluster. Every one is a step, so report-only and the report see it. */
export type AgentStep =
  /** Record when the agent was first seen disconnected (bookkeeping: runs in report-only too). */
  | { kind: 'markDisconnected'; ec2InstanceId: string; containerInstanceArn: string; since: number }
  /** The agent is back: forget it (bookkeeping: runs in report-only too). */
  | { kind: 'clearDisconnected'; ec2InstanceId: string; containerInstanceArn: string }
  /**
   * Begin the retirement: retire checks the backend holds it now and writes its one mark before the
   * drain starts (a crash mid-drain still leaves it ours).
   */
  | { kind: 'markReplace'; ec2InstanceId: string; containerInstanceArn: string; at: number; request: RetireRequest }
  /** Our retiring mark on an instance that is not DRAINING and whose agent is back: the replacement is off (bookkeeping). */
  | { kind: 'clearReplace'; ec2InstanceId: string; containerInstanceArn: string }
  /**
   * Hand it to retire (start or resume): ownership, the drain (bounded by the request's deadline, for
   * at most this run's time), ownership again, then terminated keeping the backend's desired, so the
   * backend launches its replacement — only once the drain ended.
   */
  | { kind: 'retire'; ec2InstanceId: string; request: RetireRequest };

export const BOOKKEEPING_STEPS: ReadonlySet<AgentStep['kind']> = new Set(['markDisconnected', 'clearDisconnected', 'clearReplace']);

export type AgentVerdict =
  | 'reconnected' // the agent is back: our records are removed
  | 'waiting' // disconnected for less than the configured time
  | 'replace' // drained and replaced now
  | 'resume' // a replacement begun earlier goes on
  | 'held-by-breaker' // the circuit breaker is open: nothing done
  | 'over-limit' // more than the per-run limit: a later run takes it
  | 'skipped' // someone else's (scale-in, Spot, lifecycle), do-not-disrupt, or leaving
  | 'not-ours'; // no backend of ours launched it: reported, not touched

export interface AgentInstanceVerdict {
  ec2InstanceId: string;
  verdict: AgentVerdict;
  disconnectedSeconds?: number;
  reason: string;
}

export interface AgentHealthPlan {
  steps: AgentStep[];
  instances: AgentInstanceVerdict[];
  /** Set when more than the configured share of the cluster is disconnected at once. */
  breaker?: { disconnected: number; total: number; percent: number };
  reasons: string[];
}

const time = (v: string | undefined): number | undefined => {
  const t = v === undefined ? NaN : Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
};
const seconds = (ms: number) => Math.max(0, Math.round(ms / 1000));

/**
 * How old an event's `detail.updatedAt` may be and still count as the disconnect's start.
 * EventBridge delivers in seconds; an older event was retried (for up to ~10 minutes here) and
 * may be about an earlier disconnect that has since reconnected, so it would make a fresh blip
 * look long. One minute keeps the error of trusting it below one minute of the threshold; the
 * schedule (every 5 minutes) finds every disconnect anyway. Older: counted from now.
 */
export const EVENT_TIME_MAX_AGE_MS = 60_000;

/**
 * One cluster's plan. Pure. Our memory is our own records (custom attributes a holder of tagging
 * rights alone cannot write), and every effect stands on what ECS says now; no tag is a reason to
 * act (docs/design/trust.md). For each ACTIVE or DRAINING container instance:
 * - agent connected: our disconnected-since record, if any, is removed, and so is a replace record
 *   on an instance that is not DRAINING (the agent came back before the drain began);
 * - agent disconnected now: recorded on first sight (at `hints`' time when an event said when and
 *   is at most EVENT_TIME_MAX_AGE_MS old, else now); acted on only once disconnected for
 *   `disconnectedMs` since the time we recorded;
 * - DRAINING with our retiring mark (reason agent-unhealthy; or the last release's replace record):
 *   our retirement, resumed first through retire (drain, then replace) while a backend of ours holds
 *   it. DRAINING without it is someone else's (a Spot notice, a lifecycle hook, an operator): left alone;
 * - the circuit breaker: two or more instances disconnected and more than `breakerPercent` of
 *   the cluster ⇒ an AWS or network event, not a bad host: nothing is drained or replaced, and
 *   every disconnected instance's record is set to now (the outage does not age it);
 * - otherwise the longest-disconnected instances, up to `maxReplacePerRun` less the resumed ones,
 *   are marked, drained and replaced — except an instance marked for scale-in, tagged
 *   do-not-disrupt, already leaving its backend, or launched by no backend of ours (reported,
 *   not touched). Those tags only ever hold us back.
 */
export function planAgentHealth(
  read: ClusterHealthRead,
  settings: AgentHealthSettings,
  now: number,
  /** When an event said an agent went away (detail.updatedAt), by EC2 instance id. */
  hints: ReadonlyMap<string, number> = new Map(),
): AgentHealthPlan {
  const steps: AgentStep[] = [];
  const instances: AgentInstanceVerdict[] = [];
  const reasons: string[] = [];
  const live = read.instances.filter((i) => i.status === 'ACTIVE' || i.status === 'DRAINING');
  const disconnected = live.filter((i) => !i.agentConnected);
  const percent = live.length > 0 ? Math.round((disconnected.length / live.length) * 100) : 0;
  const breakerOpen = disconnected.length >= 2 && (disconnected.length / live.length) * 100 > settings.breakerPercent;
  const breaker = breakerOpen ? { disconnected: disconnected.length, total: live.length, percent } : undefined;
  if (breaker)
    reasons.push(
      `circuit breaker open: ${breaker.disconnected} of ${breaker.total} instances (${percent}%) disconnected at once, above ${settings.breakerPercent}%: an AWS or network event, not a bad host; nothing drained or replaced`,
    );

  const resumed: AgentInstance[] = [];
  const overdue: Array<{ i: AgentInstance; since: number }> = [];
  for (const i of live) {
    const ref = { ec2InstanceId: i.ec2InstanceId, containerInstanceArn: i.containerInstanceArn };
    const markedAt = time(i.attributes[DISCONNECTED_SINCE_ATTRIBUTE]);
    // Our retiring mark (or the last release's replace record): attributes only, never a tag.
    const mark = readMark(i.attributes, {});
    const hasReplaceRecord = mark?.reason === 'agent-unhealthy';
    if (hasReplaceRecord && i.status === 'DRAINING') {
      resumed.push(i);
      continue;
    }
    if (i.agentConnected) {
      const cleared: string[] = [];
      if (i.attributes[DISCONNECTED_SINCE_ATTRIBUTE] !== undefined) {
        steps.push({ kind: 'clearDisconnected', ...ref });
        cleared.push('disconnected-since');
      }
      // Our replace record on an instance not DRAINING: the agent came back before the drain began.
      if (hasReplaceRecord && i.status !== 'DRAINING') {
        steps.push({ kind: 'clearReplace', ...ref });
        cleared.push('replace');
      }
      if (cleared.length > 0)
        instances.push({
          ec2InstanceId: i.ec2InstanceId,
          verdict: 'reconnected',
          reason: `the agent is connected: our ${cleared.join(' and ')} record removed`,
        });
      continue;
    }
    const hint = hints.get(i.ec2InstanceId);
    const fresh = hint !== undefined && hint <= now && now - hint <= EVENT_TIME_MAX_AGE_MS;
    const since = markedAt ?? (fresh ? hint : now);
    if (breaker) {
      // An outage is not a bad host: while the breaker is open the mark restarts at every run, so
      // once it closes an instance still disconnected counts from the last run that saw it open.
      if (markedAt !== now)
        steps.push({ kind: 'markDisconnected', ec2InstanceId: i.ec2InstanceId, containerInstanceArn: i.containerInstanceArn, since: now });
      instances.push({
        ec2InstanceId: i.ec2InstanceId,
        verdict: 'held-by-breaker',
        disconnectedSeconds: seconds(now - since),
        reason: 'held while the breaker is open; its disconnect time restarts now (the time under an outage does not count)',
      });
      continue;
    }
    if (markedAt === undefined)
      steps.push({ kind: 'markDisconnected', ec2InstanceId: i.ec2InstanceId, containerInstanceArn: i.containerInstanceArn, since });
    if (now - since < settings.disconnectedMs) {
      instances.push({
        ec2InstanceId: i.ec2InstanceId,
        verdict: 'waiting',
        disconnectedSeconds: seconds(now - since),
        reason: `disconnected for ${seconds(now - since)} s, acted on after ${seconds(settings.disconnectedMs)} s`,
      });
      continue;
    }
    overdue.push({ i, since });
  }

  let budget = settings.maxReplacePerRun;
  const request = (i: AgentInstance, owner: { kind: BackendKind; id: string }, startedAt: number, resumed: boolean): RetireRequest => ({
    cluster: read.cluster,
    ec2InstanceId: i.ec2InstanceId,
    containerInstanceArn: i.containerInstanceArn,
    reason: 'agent-unhealthy',
    startedAt,
    deadline: startedAt + settings.drainMaxMs,
    then: 'replace',
    backend: { kind: owner.kind, id: owner.id },
    ...(resumed ? { resumed: true } : {}),
  });
  for (const i of resumed) {
    const startedAt = readMark(i.attributes, {})!.at;
    const owner = read.owners.get(i.ec2InstanceId);
    if (breaker) {
      instances.push({
        ec2InstanceId: i.ec2InstanceId,
        verdict: 'held-by-breaker',
        reason: 'replacement begun earlier, held while the breaker is open',
      });
      continue;
    }
    if (!owner) {
      // No backend of ours holds it any more: not drained, not replaced, whatever our mark says.
      instances.push({ ec2InstanceId: i.ec2InstanceId, verdict: 'not-ours', reason: notOwned(read) });
      continue;
    }
    budget -= 1;
    steps.push({ kind: 'retire', ec2InstanceId: i.ec2InstanceId, request: request(i, owner, startedAt, true) });
    instances.push({
      ec2InstanceId: i.ec2InstanceId,
      verdict: 'resume',
      reason: `DRAINING since our replacement began at ${new Date(startedAt).toISOString()} (our mark): drain, then replace`,
    });
  }

  for (const { i, since } of overdue.sort((a, b) => a.since - b.since)) {
    const base = { ec2InstanceId: i.ec2InstanceId, disconnectedSeconds: seconds(now - since) };
    const skip = skipReason(i, read);
    const owner = read.owners.get(i.ec2InstanceId);
    if (skip) instances.push({ ...base, verdict: 'skipped', reason: skip });
    else if (!owner) instances.push({ ...base, verdict: 'not-ours', reason: notOwned(read) });
    else if (owner.state === 'leaving')
      instances.push({ ...base, verdict: 'skipped', reason: `already leaving ${owner.kind} ${owner.id}` });
    else if (budget <= 0)
      instances.push({
        ...base,
        verdict: 'over-limit',
        reason: `at most ${settings.maxReplacePerRun} replaced per cluster per run: a later run takes it`,
      });
    else {
      budget -= 1;
      const r = request(i, owner, now, false);
      steps.push(
        { kind: 'markReplace', ec2InstanceId: i.ec2InstanceId, containerInstanceArn: i.containerInstanceArn, at: now, request: r },
        { kind: 'retire', ec2InstanceId: i.ec2InstanceId, request: r },
      );
      instances.push({
        ...base,
        verdict: 'replace',
        reason: `disconnected for ${base.disconnectedSeconds} s: drain, then replace through ${owner.kind} ${owner.id}`,
      });
    }
  }
  for (const v of instances) reasons.push(`${v.ec2InstanceId}: ${v.verdict}: ${v.reason}`);
  return { steps, instances, ...(breaker ? { breaker } : {}), reasons };
}

/** Someone else's instance, or one we must not touch; undefined when it is ours to replace. */
function skipReason(i: AgentInstance, read: ClusterHealthRead): string | undefined {
  // Held back only: a scale-in retirement (our mark, or the last release's tag, which anyone may write) is left to capacity.
  if (readMark(i.attributes, i.tags)?.reason === 'scale-in' || i.tags[SCALE_IN_TAG] !== undefined)
    return 'marked for scale-in: capacityWriter retires it';
  if (i.status === 'DRAINING') return 'already DRAINING for another reason (a Spot notice, a lifecycle hook, an operator)';
  if ((i.tags[DO_NOT_DISRUPT_TAG] ?? '').toLowerCase() === 'true') return `tagged ${DO_NOT_DISRUPT_TAG}=true`;
  if (!read.owners.has(i.ec2InstanceId) && read.unreadBackends.length > 0)
    return `its backend may be one that could not be read (${read.unreadBackends.join(', ')})`;
  return undefined;
}

function notOwned(read: ClusterHealthRead): string {
  return `launched by no backend of ours for cluster ${read.cluster}: reported, not touched`;
}
