/**
 * npm run demo [-- --late 90] [--throttle 0.2] [--dry-run] [--delay 30] [--seed 42]
 *
 * A Spot interruption drained by the real spotInterruption handler on a simulated AWS
 * account: no credentials, no network. Prints a timeline in simulated time and the report.
 */
import { SPOT_NOTICE_MS, type Deps } from '../functions/spot-interruption/handler';
import { spotHandlers } from '../test/support/spot-world';
import type { Log } from '../shared/lambda/observability';
import { SimulatedAccount } from '../sim/account';
import { buildSpotCluster } from '../sim/builders';
import { addLogRouterDaemon } from '../sim/builders-daemon';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`--${name} needs a number`);
  return v;
}

async function main(): Promise<void> {
  const late = arg('late', 0);
  const throttle = arg('throttle', 0);
  const delay = arg('delay', 30);
  const dryRun = process.argv.includes('--dry-run');
  const account = new SimulatedAccount({ seed: arg('seed', 42) });
  const c = buildSpotCluster(account, { deregistrationDelaySeconds: delay });
  // fluent-bit on every instance as a DAEMON service: the drain stops it last, so the others' last logs are shipped.
  addLogRouterDaemon(account, c.cluster);
  const topicArn = account.sns.createTopic('interrupted-tasks');
  const victim = c.instances[0]!;
  const short = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1).slice(0, 12);
  const taskName = (arn: string) => {
    const t = account.ecs.task(arn);
    return `${t?.serviceName ?? t?.group ?? '?'} ${short(arn)}`;
  };

  console.log(`cluster "${c.cluster}": ${c.instances.length} Spot instances in ${c.spotFleetRequestId}`);
  for (const i of c.instances) {
    const tasks = account.ecs.tasksOn(i.instanceId).map((t) => t.serviceName ?? t.group);
    console.log(`  ${i.instanceId}  ${tasks.join(', ')}`);
  }
  console.log(`target groups: ${Object.keys(c.targetGroups).join(', ')} (deregistration delay ${delay} s)\n`);

  const noticeAt = account.clock.now();
  const event = account.ec2.interruptSpot(victim.instanceId);
  account.advance(late * 1000);
  account.faults.throttleRate = throttle;
  const callsBefore = account.calls.length;

  const logLines: Array<[number, string]> = [];
  const remember = (message: unknown, extra?: unknown) => {
    const text = String(message);
    if (['drain step', 'drain report', 'drain plan (dry run: nothing changed)'].includes(text)) return;
    logLines.push([account.clock.now(), `log: ${text}${extra ? ` ${JSON.stringify(extra)}` : ''}`]);
  };
  const logger: Log = { debug: () => {}, info: remember, warn: remember, error: remember } as unknown as Log;
  const deps: Deps = {
    clients: account.clients(),
    config: {
      clusters: [],
      replaceOnNotice: true,
      dryRun,
      safetyMarginMs: 15_000,
      pollMs: 5_000,
      maxWaitMs: 90_000,
      keepServing: true,
      expiredToleranceMs: 0,
      interruptedTasksTopicArn: topicArn,
    },
    clock: account.clock,
    logger,
    metrics: { addMetric: () => {} } as unknown as Deps['metrics'],
  };
  const report = await spotHandlers(() => deps).handler(event);
  const finishedAt = account.clock.now();
  account.faults.throttleRate = 0;
  account.advance(noticeAt + SPOT_NOTICE_MS + 1 - account.clock.now());

  // ---- timeline, from what the simulated account saw ----
  const lines: Array<[number, string]> = [[noticeAt, `Spot interruption notice for ${victim.instanceId} (reclaim at +120 s)`]];
  if (late) lines.push([noticeAt + late * 1000, `notice delivered ${late} s late: handler starts`]);
  else lines.push([noticeAt, 'handler starts']);
  const calls = account.calls.slice(callsBefore);
  const throttled = calls.filter((x) => x.error === 'ThrottlingException').length;
  for (const call of calls) {
    const input = call.input as Record<string, any>;
    const failed = call.error ? `  ✗ ${call.error} (retried)` : '';
    if (call.operation === 'UpdateContainerInstancesState')
      lines.push([call.at, `UpdateContainerInstancesState → ${input.status}${failed}`]);
    if (call.operation === 'DeregisterTargets')
      lines.push([
        call.at,
        `DeregisterTargets ${input.TargetGroupArn.split('/')[1]}: ${input.Targets.map((t: any) => `${t.Id}:${t.Port}`).join(', ')}${failed}`,
      ]);
    if (call.operation === 'StopTask') lines.push([call.at, `StopTask ${taskName(input.task)}${failed}`]);
    if (call.operation === 'Publish' && !call.error) lines.push([call.at, `SNS: interrupted-task record published (for re-queue)`]);
  }
  for (const h of account.elbv2.targetHistory()) {
    if (h.drainedAt && h.drainedAt >= noticeAt && h.deregisteredBy === 'api')
      lines.push([h.drainedAt, `target ${h.id}:${h.port} left ${h.targetGroupArn.split('/')[1]} (draining over)`]);
  }
  for (const t of account.ecs.tasksOn(victim.instanceId)) if (t.stoppedAt) lines.push([t.stoppedAt, `task ${taskName(t.arn)} STOPPED`]);
  for (const i of c.instances.slice(1)) {
    for (const t of account.ecs.tasksOn(i.instanceId))
      if (t.createdAt > noticeAt) lines.push([t.createdAt, `replacement ${t.serviceName} placed on ${i.instanceId}`]);
  }
  lines.push(...logLines);
  lines.push([finishedAt, `handler returns: ${report.outcome}`]);
  const killed = account.ecs.killedByTermination();
  lines.push([noticeAt + SPOT_NOTICE_MS, `instance reclaimed by EC2: ${killed.length} task(s) still running were killed`]);

  console.log('timeline (simulated time since the notice):');
  // At equal times, what the account did (a target leaving, a task stopping) comes before what the handler did about it.
  const rank = (text: string) => (/^(target|task|instance)/.test(text) ? 0 : 1);
  for (const [at, text] of lines.sort((a, b) => a[0] - b[0] || rank(a[1]) - rank(b[1])))
    console.log(`  +${((at - noticeAt) / 1000).toFixed(1).padStart(6)} s  ${text}`);
  console.log(`\n${calls.length} API calls, ${throttled} throttled and retried by the SDK`);
  console.log('\ndrain report:');
  console.log(JSON.stringify(report, null, 2));
  if (killed.length > 0 && !dryRun) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
