import { makeHandler, type Deps } from '../functions/nlb-target-sync/handler';
import { SimulatedAccount } from '../sim/account';
import { joinInstances, M5_LARGE } from '../sim/builders-common';
import { containerInstanceStateChangeEvent } from '../sim/ecs-instance-events';
import { silentLog, silentMetrics } from './capacity-tick';
import type { Section } from './harness';

const PORT = 24224;

/** Calls one nlbTargetSync invocation sent, by operation (answered calls; throttled attempts apart). */
export interface NlbCallsRow {
  instances: number;
  /** fill: empty group; steady: in sync; churn: 10 % DRAINING and as many new ACTIVE; event: one instance's state change; spot: one notice. */
  phase: 'fill' | 'steady' | 'churn' | 'event' | 'spot';
  byOperation: Record<string, number>;
  calls: number;
  /** Attempts the account's rate buckets refused (the SDK retried them). */
  throttled: number;
  /** Answered calls that failed, by operation and error (e.g. RegisterTargets TooManyTargets at the quota). */
  failed: Record<string, number>;
}

/**
 * The exact calls of nlbTargetSync at 10 / 100 / 1,000 instances on the simulated account (one
 * cluster, one NLB ip group, rate limits on): a reconcile reads ⌈n/100⌉ ListContainerInstances
 * pages + ⌈n/100⌉ DescribeContainerInstances + ⌈n/200⌉ DescribeInstances + 1 DescribeTargetHealth,
 * then writes ⌈k/100⌉ per direction for k changes and reads the group once more; an event or a
 * Spot notice costs the same at any size.
 */
export async function nlbTargetCalls(sizes: readonly number[] = [10, 100, 1000]): Promise<NlbCallsRow[]> {
  const rows: NlbCallsRow[] = [];
  for (const n of sizes) {
    const account = new SimulatedAccount();
    account.ecs.createCluster('web');
    const tg = account.elbv2.createTargetGroup({ name: 'web-fluentd', targetType: 'ip', port: PORT, protocol: 'TCP' });
    const fleet = joinInstances(account, 'web', n, M5_LARGE, { lifecycle: 'spot' });
    const deps: Deps = {
      clients: account.clients(),
      config: {
        bindings: [{ cluster: 'web', targetGroupArn: tg, port: PORT }],
        prune: false,
        dryRun: false,
        deadLetterQueueName: undefined,
      },
      clock: account.clock,
      logger: silentLog,
      metrics: silentMetrics,
    };
    const handler = makeHandler(() => deps);
    const tick = () => ({
      version: '0',
      id: 'bench',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      time: new Date(account.clock.now()).toISOString(),
      detail: {},
    });
    const measure = async (phase: NlbCallsRow['phase'], event: () => unknown) => {
      const from = account.calls.length;
      await handler(event());
      const made = account.calls.slice(from);
      const byOperation: Record<string, number> = {};
      for (const c of made.filter((c) => !c.throttledBy)) byOperation[c.operation] = (byOperation[c.operation] ?? 0) + 1;
      const failed: Record<string, number> = {};
      for (const c of made.filter((c) => c.error && !c.throttledBy))
        failed[`${c.operation} ${c.error}`] = (failed[`${c.operation} ${c.error}`] ?? 0) + 1;
      rows.push({
        failed,
        instances: n,
        phase,
        byOperation,
        calls: made.filter((c) => !c.throttledBy).length,
        throttled: made.filter((c) => c.throttledBy).length,
      });
      account.advance(60_000); // a minute between invocations: the rate buckets refill as they would
    };
    await measure('fill', tick);
    await measure('steady', tick);
    const churn = Math.max(1, Math.round(n / 10));
    for (const x of fleet.slice(0, churn)) account.ecs.containerInstanceRecord(x.instanceId)!.status = 'DRAINING';
    joinInstances(account, 'web', churn, M5_LARGE, { lifecycle: 'spot' });
    await measure('churn', tick);
    const last = fleet[fleet.length - 1]!;
    account.ecs.containerInstanceRecord(last.instanceId)!.status = 'DRAINING';
    await measure('event', () => containerInstanceStateChangeEvent(account, last.instanceId));
    await measure('spot', () => account.ec2.interruptSpot(fleet[churn]!.instanceId));
  }
  return rows;
}

/** The rows as a report section (for bench/run.ts to include). */
export async function nlbTargetsSection(): Promise<Section> {
  const rows = await nlbTargetCalls();
  return {
    title: 'nlbTargetSync: calls per invocation',
    body: [
      'One cluster and its NLB ip target group on the simulated account (rate limits on); Register/Deregister go 100 targets a call (IP_TARGETS_CHUNK). ' +
        'At 1,000 instances the group sits at the default quota of 1,000 targets and draining targets still count, so churn registrations are refused ' +
        '(TooManyTargets) until the drain ends and a later reconcile makes them.',
      {
        columns: ['instances', 'phase', 'calls', 'by operation', 'throttled attempts', 'failed'],
        rows: rows.map((r) => [r.instances, r.phase, r.calls, list(r.byOperation), r.throttled, list(r.failed) || '–']),
      },
    ],
  };
}

const list = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
