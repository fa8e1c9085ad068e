import type { Finding, LoadBalancerFacts, PreflightSettings } from './types';

/** serverless.yml names queues `<service>-<stage>-<suffix>`; deploy/operations.js names its logical id `<Suffix>Queue`. */
const logicalIdOf = (suffix: string) => `${suffix.replace(/(^|-)([a-z0-9])/g, (_m, _d, ch: string) => ch.toUpperCase())}Queue`;

export const expectedQueueNames = (s: PreflightSettings) => s.deadLetterQueues.map((q) => `${s.stackPrefix}-${q}`);

/**
 * The alarms deploy/operations.js creates that preflight insists on: each function's
 * `<prefix>-<fn>-errors` and `-throttles`, and each dead-letter queue's `<prefix>-<LogicalId>-not-empty`.
 */
export function expectedAlarmNames(s: PreflightSettings): string[] {
  return [
    ...s.functions.flatMap((fn) => [`${s.stackPrefix}-${fn}-errors`, `${s.stackPrefix}-${fn}-throttles`]),
    ...s.deadLetterQueues.map((q) => `${s.stackPrefix}-${logicalIdOf(q)}-not-empty`),
  ];
}

/** A dead-letter queue serverless.yml creates that does not exist: what fails is lost (error). */
export function checkDeadLetterQueues(queues: ReadonlyArray<{ name: string; exists: boolean }>): Finding[] {
  return queues
    .filter((q) => !q.exists)
    .map((q) => ({
      severity: 'error',
      check: 'dead-letter-queue',
      subject: q.name,
      detail: 'the dead-letter queue does not exist: failed events and rejected messages have nowhere to go',
      fix: 'deploy the stack (npx sls deploy --stage <stage>), or set the stage prefix preflight checks (PREFLIGHT_STACK_PREFIX)',
    }));
}

/** An expected alarm that does not exist: the failure it watches goes unnoticed (warning). */
export function checkAlarms(existing: readonly string[], s: PreflightSettings): Finding[] {
  const have = new Set(existing);
  return expectedAlarmNames(s)
    .filter((name) => !have.has(name))
    .map((name) => ({
      severity: 'warning',
      check: 'alarm',
      subject: name,
      detail: 'the alarm does not exist: nobody hears of the failure it watches',
      fix: 'deploy the stack (deploy/operations.js creates it), or set PREFLIGHT_FUNCTIONS to the functions deployed',
    }));
}

/**
 * Each load balancer in front of a checked service, with its idle timeout. ALB: the application's
 * keep-alive timeout must stay above it, otherwise the ALB reuses connections the server already
 * closed (502/504s): info, an error when the keep-alive timeout is configured and not above it.
 * NLB TCP listener: the NLB does not pool or reuse connections (each client flow goes through to
 * one target), so the keep-alive reasoning does not apply; its TCP idle timeout (350 s by
 * default) drops idle flows silently, which only matters to long-lived idle connections: info.
 */
export function checkIdleTimeouts(balancers: readonly LoadBalancerFacts[], s: PreflightSettings): Finding[] {
  const out: Finding[] = [];
  for (const lb of balancers) {
    for (const t of lb.idleTimeouts) {
      const subject = t.listener ? `${lb.name} (${t.listener})` : lb.name;
      if (lb.type === 'network') {
        out.push({
          severity: 'info',
          check: 'idle-timeout',
          subject,
          detail: `TCP idle timeout ${t.seconds} s (NLB; in front of ${lb.usedBy.join(', ')})`,
          fix: `a connection idle for ${t.seconds} s is dropped without a reset: clients holding idle connections longer should send TCP keep-alives more often than every ${t.seconds} s`,
        });
        continue;
      }
      const bad = s.appKeepAliveSeconds !== undefined && s.appKeepAliveSeconds <= t.seconds;
      out.push({
        severity: bad ? 'error' : 'info',
        check: 'idle-timeout',
        subject,
        detail:
          `idle timeout ${t.seconds} s (ALB; in front of ${lb.usedBy.join(', ')})` +
          (bad ? `, not below the application's keep-alive timeout ${s.appKeepAliveSeconds} s` : ''),
        fix: `keep every application's keep-alive timeout above ${t.seconds} s (e.g. Node.js server.keepAliveTimeout = ${(t.seconds + 5) * 1000}), otherwise the load balancer reuses connections the server already closed: 502/504s`,
      });
    }
  }
  return out;
}
