import { checkBackendSettings, checkBackendTags, checkLifecycleHooks, checkSpareRoom } from './checks-capacity';
import { checkDeployments, checkStopTimeouts } from './checks-drain';
import { checkAlarms, checkDeadLetterQueues, checkIdleTimeouts } from './checks-operations';
import type { Finding, PreflightSettings, PreflightSnapshot, Severity } from './types';

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Errors first, then warnings, then info; within a severity by check, then subject (deterministic). */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity] || cmp(a.check, b.check) || cmp(a.subject, b.subject));
}

/** Every check over one snapshot. Pure: the same snapshot and settings always give the same findings. */
export function runChecks(snapshot: PreflightSnapshot, settings: PreflightSettings): Finding[] {
  const { clusters, backends } = snapshot;
  return sortFindings([
    ...snapshot.readFailures.map((f): Finding => ({
      severity: 'error',
      check: 'read',
      subject: f.subject,
      detail: f.notFound ? `not found: ${f.detail}` : `could not be read: ${f.detail}`,
      fix: f.notFound
        ? `${f.subject} does not exist in this account and region: check its name, the account and the region (a misspelt name in CLUSTERS?)`
        : 'grant the preflight role the read it lacks, or run again (its checks are incomplete)',
    })),
    ...checkStopTimeouts(clusters, backends, settings),
    ...checkDeployments(clusters, backends),
    ...checkSpareRoom(clusters, backends),
    // Without the directory every backend would look untagged and every group unhooked: say nothing rather than guess.
    ...(snapshot.backendsUnread
      ? []
      : [
          ...checkBackendTags(clusters, backends),
          ...checkBackendSettings(clusters, backends),
          ...checkLifecycleHooks(clusters, backends, settings),
        ]),
    ...checkDeadLetterQueues(snapshot.queues),
    ...(snapshot.alarms ? checkAlarms(snapshot.alarms, settings) : []),
    ...checkIdleTimeouts(snapshot.loadBalancers, settings),
  ]);
}

/** Findings counted by severity (metrics, the summary line). */
export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const out: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) out[f.severity] += 1;
  return out;
}
