import type { ECSClient } from '@aws-sdk/client-ecs';
import { SPOT_NOTICE_MS } from '../../../functions/spot-interruption/handler';
import { SimulatedAccount } from '../../../sim/account';
import { buildSpotCluster } from '../../../sim/builders';
import { simError } from '../../../sim/errors';
import { deregisteredBeforeStopped, runningAt, secondsWithoutHealthy } from '../../support/drain-checks';
import { asReport, spotWorld } from '../../support/spot-world';
import { buildWave } from '../../support/wave';

const server = (name: string, status: number) => () => simError(name, `simulated ${status}`, status);

/** Rewrite what ECS answers for one command (an emulator's or a partial failure's shape), before the simulator sees the call. */
function rewriteEcs(ecs: ECSClient, command: string, rewrite: (output: any, input: any) => any) {
  (ecs.middlewareStack as any).add(
    (next: any, context: any) => async (args: any) => {
      const out = await next(args);
      return context.commandName === command ? { ...out, output: rewrite(out.output, args.input) } : out;
    },
    { step: 'initialize', name: `rewrite${command}` },
  );
}

describe('the drain under a Spot wave and AWS failures', () => {
  it('drains a wave of 10 instances × 50 tasks under the shared ECS and ELB rate limits: nothing left running at the deadline, no handler throws', async () => {
    const account = new SimulatedAccount({ seed: 3 });
    // The wave meets the rate limits, not ECS's own draining (off here: it only slows the simulation; the bench runs both).
    account.ecs.drainingReplacesServiceTasks = false;
    const w = buildWave(account, { victims: 10, tasksPerVictim: 50, services: 10, spare: 4 });
    const { handler } = spotWorld(account);
    const noticeAt = account.clock.now();
    const events = w.victims.map((v) => account.ec2.interruptSpot(v.instanceId));

    const reports = (await Promise.all(events.map((e) => handler(e)))).map(asReport);

    const all = [...w.tasksByVictim.values()].flat();
    expect(runningAt(account, all, noticeAt + SPOT_NOTICE_MS)).toEqual([]);
    expect(deregisteredBeforeStopped(account, all)).toEqual([]);
    for (const r of reports) expect(r).toMatchObject({ outcome: 'drained', tasksLeftRunning: 0 });
  }, 120_000);

  it('keeps draining while ListTasks answers 500 for 70 s, and reports the failed reads', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account, { deregistrationDelaySeconds: 10 });
    const { handler } = spotWorld(account);
    const noticeAt = account.clock.now();
    account.failDuring('ecs', 'ListTasks', server('ServerException', 500), { from: noticeAt, to: noticeAt + 70_000 });
    const victim = c.instances[0]!;

    const report = asReport(await handler(account.ec2.interruptSpot(victim.instanceId)));

    const onVictim = c.tasksByInstance[victim.instanceId]!;
    expect(runningAt(account, onVictim, noticeAt + SPOT_NOTICE_MS)).toEqual([]);
    expect(report.outcome).toBe('drained');
    expect(report.failures.some((f) => f.step === 'listTasks' && f.times > 1)).toBe(true);
    expect(account.ecs.containerInstanceRecord(victim.instanceId)?.status).toBe('DRAINING'); // DRAINING did not wait for the tasks
  });

  it.each([
    ['DeregisterTargets', 'elbv2', 60_000, server('ServiceUnavailable', 503)],
    ['StopTask', 'ecs', 30_000, server('ServerException', 500)],
  ] as const)(
    'carries on through %s failing for a while and leaves nothing running at the deadline',
    async (operation, service, ms, error) => {
      const account = new SimulatedAccount();
      account.ecs.drainingReplacesServiceTasks = false; // our retries must do the work, not ECS's own draining
      const c = buildSpotCluster(account, { deregistrationDelaySeconds: 10 });
      const { handler } = spotWorld(account);
      const noticeAt = account.clock.now();
      account.failDuring(service, operation, error, { from: noticeAt, to: noticeAt + ms });
      const victim = c.instances[0]!;

      const report = asReport(await handler(account.ec2.interruptSpot(victim.instanceId)));

      const onVictim = c.tasksByInstance[victim.instanceId]!;
      expect(runningAt(account, onVictim, noticeAt + SPOT_NOTICE_MS)).toEqual([]);
      expect(
        deregisteredBeforeStopped(
          account,
          onVictim.filter((a) => a !== c.tasks.batch),
        ),
      ).toEqual([]);
      expect(report.failures.map((f) => f.step)).toContain(operation === 'StopTask' ? 'stopTask' : 'deregisterTargets');
      expect(report.outcome).toBe('drained');
    },
  );

  it('does not call a drain done while ECS refuses DRAINING (failures[]) and keeps tasks on the instance', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account, { deregistrationDelaySeconds: 10 });
    const { handler, clients } = spotWorld(account);
    // ECS answers 200 with a per-item failure and changes nothing.
    (clients.ecs.middlewareStack as any).add(
      (next: any, context: any) => async (args: any) =>
        context.commandName === 'UpdateContainerInstancesStateCommand'
          ? {
              output: {
                containerInstances: [],
                failures: args.input.containerInstances.map((arn: string) => ({ arn, reason: 'simulated: instance update refused' })),
                $metadata: {},
              },
              response: {},
            }
          : next(args),
      { step: 'initialize', name: 'refuseDraining' },
    );
    const victim = c.instances[0]!;

    const report = asReport(await handler(account.ec2.interruptSpot(victim.instanceId)));

    expect(account.ecs.containerInstanceRecord(victim.instanceId)?.status).not.toBe('DRAINING'); // ECS never took it
    expect(report.failures).toEqual(
      expect.arrayContaining([expect.objectContaining({ step: 'setDraining', error: expect.stringContaining('instance update refused') })]),
    );
    // The outcome follows what ECS says at the end, never what the drain meant to do.
    // What the reclaim killed without a stop from us: the tasks ECS kept placing on the instance it would not drain.
    const stillThere = account.ecs.tasksOn(victim.instanceId).filter((t) => t.stoppedBy === 'termination').length;
    expect(report.tasksLeftRunning).toBe(stillThere);
    expect(report.outcome).toBe(stillThere === 0 ? 'drained' : 'deadline-reached');
  });

  it('finds and deregisters a bridge target whose networkBindings are missing from DescribeTasks', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account, { deregistrationDelaySeconds: 10 });
    const { handler, clients, logger } = spotWorld(account);
    rewriteEcs(clients.ecs, 'DescribeTasksCommand', (out) => ({
      ...out,
      tasks: out.tasks.map((t: any) => ({ ...t, containers: t.containers?.map((k: any) => ({ ...k, networkBindings: [] })) })),
    }));
    const victim = c.instances[0]!;

    const report = asReport(await handler(account.ec2.interruptSpot(victim.instanceId)));

    const web = c.tasksByInstance[victim.instanceId]!.filter((a) => account.ecs.task(a)!.serviceName === 'web-frontend');
    expect(web.length).toBeGreaterThan(0);
    expect(deregisteredBeforeStopped(account, web)).toEqual([]);
    expect(report.outcome).toBe('drained');
    expect(report.warnings.join('\n')).toMatch(/no host port bound/);
    void logger;
  });

  it('picks the right instance when ListContainerInstances ignores the ec2InstanceId filter (an emulator)', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account, { deregistrationDelaySeconds: 10, instances: 3 });
    const { handler, clients } = spotWorld(account);
    (clients.ecs.middlewareStack as any).add(
      (next: any, context: any) => (args: any) =>
        next(context.commandName === 'ListContainerInstancesCommand' ? { ...args, input: { ...args.input, filter: undefined } } : args),
      { step: 'initialize', name: 'dropFilter' },
    );
    const victim = c.instances[2]!; // not the first one listed

    const report = asReport(await handler(account.ec2.interruptSpot(victim.instanceId)));

    expect(report.outcome).toBe('drained');
    expect(report.containerInstanceArn).toBe(victim.containerInstanceArn);
    expect(account.ecs.containerInstanceRecord(c.instances[0]!.instanceId)?.status).toBe('ACTIVE');
  });

  it('keeps a healthy target in a group whose tasks all sit on the victim while ECS places replacements elsewhere', async () => {
    const account = new SimulatedAccount();
    account.ecs.drainingReplacesServiceTasks = true; // what ECS does (said here, whatever the default)
    const w = buildWave(account, { victims: 1, tasksPerVictim: 2, services: 1, spare: 2, deregistrationDelaySeconds: 10 });
    const { handler } = spotWorld(account);
    const noticeAt = account.clock.now();
    const tg = w.services[0]!.targetGroupArn;

    const report = asReport(await handler(account.ec2.interruptSpot(w.victims[0]!.instanceId)));

    expect(report.outcome).toBe('drained');
    expect(report.targetGroups.find((g) => g.targetGroupArn === tg)).toMatchObject({ held: true, secondsWithoutHealthyTarget: 0 });
    expect(secondsWithoutHealthy(account, tg, noticeAt, noticeAt + SPOT_NOTICE_MS)).toBe(0);
    expect(runningAt(account, w.tasksByVictim.get(w.victims[0]!.instanceId)!, noticeAt + SPOT_NOTICE_MS)).toEqual([]);
  });

  it('without keep-serving, the same group has no healthy target for a while (the test can fail)', async () => {
    const account = new SimulatedAccount();
    account.ecs.drainingReplacesServiceTasks = true;
    const w = buildWave(account, { victims: 1, tasksPerVictim: 2, services: 1, spare: 2, deregistrationDelaySeconds: 10 });
    const { handler } = spotWorld(account, { keepServing: false });
    const noticeAt = account.clock.now();

    await handler(account.ec2.interruptSpot(w.victims[0]!.instanceId));

    expect(secondsWithoutHealthy(account, w.services[0]!.targetGroupArn, noticeAt, noticeAt + SPOT_NOTICE_MS)).toBeGreaterThan(0);
  });

  it('reports a notice whose deadline has passed (a replay from 2020) as expired and changes nothing', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account);
    const { handler, metrics } = spotWorld(account);
    const event = { ...account.ec2.interruptSpot(c.instances[0]!.instanceId), time: '2020-03-01T10:00:00Z' };
    const callsBefore = account.calls.length;

    const report = asReport(await handler(event));

    expect(report.outcome).toBe('expired');
    expect(account.calls.slice(callsBefore).filter((x) => !/^(Describe|List)/.test(x.operation))).toEqual([]);
    expect(account.ecs.containerInstanceRecord(c.instances[0]!.instanceId)?.status).toBe('ACTIVE');
    expect(metrics.values.get('drainsExpired')).toBe(1);
  });

  it('counts a duplicate notice once: one interrupted-task record, one set of metrics', async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account, { deregistrationDelaySeconds: 10 });
    const { handler, metrics, topicArn } = spotWorld(account);
    const event = account.ec2.interruptSpot(c.instances[0]!.instanceId);

    const [a, b] = (await Promise.all([handler(event), handler(event)])).map(asReport);
    const third = asReport(await handler(event));

    // Stops ECS kept our reason for (ECS's own draining may stop some tasks first: those are not ours to count).
    const onVictim = c.tasksByInstance[c.instances[0]!.instanceId]!.filter((arn) =>
      account.ecs.task(arn)!.stoppedReason?.startsWith('ecs-steady drain'),
    ).length;
    expect(onVictim).toBeGreaterThan(0);
    expect(a!.tasksStopped.service + a!.tasksStopped.standalone + b!.tasksStopped.service + b!.tasksStopped.standalone).toBe(onVictim);
    expect(account.sns.published(topicArn)).toHaveLength(1);
    expect(metrics.values.get('tasksStopped')).toBe(onVictim);
    expect(third.duplicate).toBe(true);
    expect(metrics.values.get('drainsDuplicate')).toBe(1);
  });

  it('names the region it searched when the instance is in no cluster', async () => {
    const account = new SimulatedAccount();
    buildSpotCluster(account);
    const stray = account.ec2.launchInstance({ lifecycle: 'spot' });
    const { handler, logger } = spotWorld(account, {}, { region: 'eu-west-1' });

    await handler(account.ec2.interruptSpot(stray.instanceId));

    const line = logger.entries.find((e) => e.message === 'instance not in any cluster: nothing to drain')!;
    expect(line.extra[0]).toMatchObject({ region: 'eu-west-1' });
  });

  it('sends nothing after the reclaim, however slow AWS is: a late notice under heavy throttling', async () => {
    const account = new SimulatedAccount({ seed: 9 });
    account.ecs.drainingReplacesServiceTasks = false;
    const w = buildWave(account, { victims: 1, tasksPerVictim: 200, services: 20, spare: 2, deregistrationDelaySeconds: 300 });
    const { handler } = spotWorld(account);
    const event = account.ec2.interruptSpot(w.victims[0]!.instanceId);
    const deadline = account.clock.now() + SPOT_NOTICE_MS;
    account.advance(60_000); // delivered 60 s late
    account.faults.throttleRate = 0.5;
    account.faults.latencyMs = 50;
    const from = account.calls.length;

    const report = asReport(await handler(event));

    const late = account.calls.slice(from).filter((c) => c.at >= deadline);
    expect(late.map((c) => `${c.operation}@${c.at - deadline}`)).toEqual([]);
    expect(Date.parse(report.finishedAt)).toBeLessThanOrEqual(deadline + 1_000);
    // ECS's counts could not be read after the last stop under this throttling: the report says
    // `unknown`, never 0, and names the tasks no stop of its own reached, which the reclaim then killed.
    const killed = w.tasksByVictim.get(w.victims[0]!.instanceId)!.filter((a) => account.ecs.task(a)!.stoppedBy === 'termination').length;
    expect(report.outcome).toBe(killed > 0 ? 'deadline-reached' : 'drained');
    if (report.tasksLeftRunning === 'unknown') expect(report.tasksNotConfirmedStopped).toBe(killed);
    else expect(report.tasksLeftRunning).toBe(killed);
  });
});
