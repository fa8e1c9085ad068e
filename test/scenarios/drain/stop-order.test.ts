import { SPOT_NOTICE_MS } from '../../../functions/spot-interruption/handler';
import { SimulatedAccount } from '../../../sim/account';
import { buildSpotCluster } from '../../../sim/builders';
import { addLogRouterDaemon, startAgents } from '../../../sim/builders-daemon';
import type { TaskRecord } from '../../../sim/ecs-common';
import { AGENT_TAG } from '../../../shared/tags';
import { asReport, spotWorld } from '../../support/spot-world';

/** The Spot drain's stop order: load-balanced and batch tasks first, DAEMON tasks and agents last, all inside the 2 minutes. */
describe('spotInterruption stop order: logs outlive the tasks they come from', () => {
  const MARGIN_MS = 15_000;
  const STOP_TIMEOUT_MS = 30_000;

  function world(o: { delay?: number; ecsDrains?: boolean; agentFamilies?: string[] } = {}) {
    const account = new SimulatedAccount();
    account.ecs.drainingReplacesServiceTasks = o.ecsDrains ?? false;
    const c = buildSpotCluster(account, { deregistrationDelaySeconds: o.delay ?? 30 });
    addLogRouterDaemon(account, c.cluster);
    const victim = c.instances[0]!;
    const w = spotWorld(account, { ...(o.agentFamilies ? { agentFamilies: o.agentFamilies } : {}), stopTimeoutMs: STOP_TIMEOUT_MS });
    const on = () => account.ecs.tasksOn(victim.instanceId);
    const router = () => on().find((t) => t.serviceName === 'log-router')!;
    return { account, c, victim, on, router, ...w };
  }

  /** Every task but `last` was STOPPED before any of `last` was asked to stop. */
  const stoppedBefore = (others: TaskRecord[], last: TaskRecord[]) => {
    const lastAsked = Math.min(...last.map((t) => t.stopRequestedAt ?? Infinity));
    return others.filter((t) => t.stoppedAt === undefined || t.stoppedAt > lastAsked).map((t) => t.serviceName ?? t.group);
  };

  it('stops a DAEMON log router only after every other task is STOPPED, well before the reclaim', async () => {
    const { account, victim, on, router, handler } = world();
    const noticeAt = account.clock.now();
    const report = asReport(await handler(account.ec2.interruptSpot(victim.instanceId)));

    expect(report.outcome).toBe('drained');
    expect(router().stoppedBy).toBe('api');
    expect(
      stoppedBefore(
        on().filter((t) => t.arn !== router().arn),
        [router()],
      ),
    ).toEqual([]);
    // It got its whole stop timeout before the reclaim's margin.
    expect(router().stopRequestedAt! + STOP_TIMEOUT_MS).toBeLessThanOrEqual(noticeAt + SPOT_NOTICE_MS - MARGIN_MS);
    account.advance(SPOT_NOTICE_MS);
    expect(account.ecs.killedByTermination()).toEqual([]);
  });

  it('with a 300 s deregistration delay, forces the others early enough that the log router still gets its stop timeout', async () => {
    const { account, victim, on, router, handler } = world({ delay: 300 });
    const noticeAt = account.clock.now();
    asReport(await handler(account.ec2.interruptSpot(victim.instanceId)));

    const others = on().filter((t) => t.arn !== router().arn);
    // The others are stopped at the deadline less the margin and two stop timeouts (45 s), not at 105 s.
    for (const t of others) expect(t.stopRequestedAt! - noticeAt).toBeLessThanOrEqual(SPOT_NOTICE_MS - MARGIN_MS - 2 * STOP_TIMEOUT_MS);
    expect(stoppedBefore(others, [router()])).toEqual([]);
    expect(router().stopRequestedAt! - noticeAt).toBeLessThanOrEqual(SPOT_NOTICE_MS - MARGIN_MS - STOP_TIMEOUT_MS);
    account.advance(SPOT_NOTICE_MS);
    expect(account.ecs.killedByTermination()).toEqual([]);
  });

  it("keeps the order alongside ECS's own draining of the instance", async () => {
    const { account, victim, on, router, handler } = world({ ecsDrains: true });
    asReport(await handler(account.ec2.interruptSpot(victim.instanceId)));
    expect(router().stoppedAt).toBeDefined();
    expect(
      stoppedBefore(
        on().filter((t) => t.arn !== router().arn),
        [router()],
      ),
    ).toEqual([]);
  });

  it('stops agents (by family or by tag) last, and publishes no re-queue record for them', async () => {
    const { account, c, victim, on, router, handler, topicArn } = world({ agentFamilies: ['dd-agent'] });
    const [ddAgent] = startAgents(account, c.cluster, [victim], { cpu: 64 });
    const [tagged] = startAgents(account, c.cluster, [victim], { family: 'otel-collector', cpu: 64, tags: { [AGENT_TAG]: 'true' } });
    const noticeAt = account.clock.now();
    asReport(await handler(account.ec2.interruptSpot(victim.instanceId)));

    const last = [router(), account.ecs.task(ddAgent!)!, account.ecs.task(tagged!)!];
    expect(
      stoppedBefore(
        on().filter((t) => !last.some((x) => x.arn === t.arn)),
        last,
      ),
    ).toEqual([]);
    for (const t of last) expect(t.stopRequestedAt! + STOP_TIMEOUT_MS).toBeLessThanOrEqual(noticeAt + SPOT_NOTICE_MS - MARGIN_MS);
    // The batch job is re-queued; the agents are part of the instance and come back with the next one.
    const published = account.sns.published(topicArn).map((p) => JSON.parse(p.message).taskArn);
    expect(published).toEqual([c.tasks.batch]);
    account.advance(SPOT_NOTICE_MS);
    expect(account.ecs.killedByTermination()).toEqual([]);
  });

  it('keeps the order in a wave: notices that arrive together', async () => {
    const { account, c, handleBatch } = world();
    const noticeAt = account.clock.now();
    await handleBatch(c.instances.map((i) => account.ec2.interruptSpot(i.instanceId)));
    for (const i of c.instances) {
      const on = account.ecs.tasksOn(i.instanceId);
      const router = on.find((t) => t.serviceName === 'log-router')!;
      expect(
        stoppedBefore(
          on.filter((t) => t.arn !== router.arn),
          [router],
        ),
      ).toEqual([]);
      expect(router.stopRequestedAt! + STOP_TIMEOUT_MS).toBeLessThanOrEqual(noticeAt + SPOT_NOTICE_MS - MARGIN_MS);
    }
    account.advance(SPOT_NOTICE_MS);
    expect(account.ecs.killedByTermination()).toEqual([]);
  });

  it('keeps the order for a notice delivered late', async () => {
    const { account, victim, on, router, handler } = world();
    const event = account.ec2.interruptSpot(victim.instanceId);
    account.advance(70_000);
    asReport(await handler(event));
    expect(
      stoppedBefore(
        on().filter((t) => t.arn !== router().arn),
        [router()],
      ),
    ).toEqual([]);
    account.advance(SPOT_NOTICE_MS);
    expect(account.ecs.killedByTermination()).toEqual([]);
  });
});
