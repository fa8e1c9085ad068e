import { SPOT_NOTICE_MS } from '../../../functions/spot-interruption/handler';
import { SimulatedAccount } from '../../../sim/account';
import { ModifySpotFleetRequestCommand } from '@aws-sdk/client-ec2';
import { buildLargeCluster, buildSpotCluster } from '../../../sim/builders';
import { simError } from '../../../sim/errors';
import { DRAIN_DEFAULTS, deregisteredBeforeStopped, runningAt } from '../../support/drain-checks';
import { asReport, spotWorld } from '../../support/spot-world';

const setup = spotWorld;

describe('spotInterruption on the simulated account', () => {
  // These scenarios check our own deregistration and stops; ECS's own draining (on by
  // default in the simulator, as on AWS) would deregister and stop tasks first. The last
  // scenario runs the drain alongside it.

  it('drains bridge and awsvpc services in several target groups and a batch task before the reclaim', async () => {
    const account = new SimulatedAccount();
    account.ecs.drainingReplacesServiceTasks = false;
    const c = buildSpotCluster(account, { deregistrationDelaySeconds: 30 });
    const { handler, topicArn, metrics } = setup(account);
    const victim = c.instances[0]!;
    const event = account.ec2.interruptSpot(victim.instanceId);
    const noticeAt = account.clock.now();

    const report = asReport(await handler(event));

    expect(report.outcome).toBe('drained');
    expect(account.ecs.containerInstanceRecord(victim.instanceId)?.status).toBe('DRAINING');
    const onVictim = c.tasksByInstance[victim.instanceId]!;
    expect(runningAt(account, onVictim, noticeAt + SPOT_NOTICE_MS - 1)).toEqual([]);
    const serviceTasks = onVictim.filter((arn) => arn !== c.tasks.batch);
    expect(deregisteredBeforeStopped(account, serviceTasks)).toEqual([]);
    // The awsvpc api task was in two target groups; both were deregistered.
    const api = onVictim.map((a) => account.ecs.task(a)!).find((t) => t.serviceName === 'api')!;
    expect(new Set(api.targets.map((t) => t.targetGroupArn))).toEqual(new Set([c.targetGroups.api, c.targetGroups.apiInternal]));
    // The batch task was stopped at once, not after the targets drained.
    expect(account.ecs.task(c.tasks.batch)!.stopRequestedAt! - noticeAt).toBeLessThan(5_000);
    // Service tasks behind load balancers waited for their targets to finish draining (30 s).
    const web = onVictim.map((a) => account.ecs.task(a)!).filter((t) => t.serviceName === 'web-frontend');
    for (const t of web) expect(t.stopRequestedAt! - noticeAt).toBeGreaterThanOrEqual(30_000);
    // Tasks on the other instance were not touched.
    expect(runningAt(account, c.tasksByInstance[c.instances[1]!.instanceId]!, account.clock.now())).toHaveLength(4);
    // The batch job can be re-queued from the published record.
    const published = account.sns.published(topicArn).map((p) => JSON.parse(p.message));
    expect(published).toEqual([
      expect.objectContaining({
        taskArn: c.tasks.batch,
        startedBy: 'job-runner',
        group: 'family:nightly-report',
        taskDefinitionArn: c.taskDefinitions.batch,
      }),
    ]);
    expect(published[0].overrides.containerOverrides[0].command).toEqual(['--date', '2026-11-22']);

    expect(report.tasksStopped).toEqual({ standalone: 1, service: 4 });
    expect(report.targetsDeregistered).toBe(4); // 2 frontend targets + the api task in 2 groups
    expect(report.secondsToSpare).toBeGreaterThan(15);
    expect(metrics.values.get('tasksStopped')).toBe(5);

    account.advance(SPOT_NOTICE_MS);
    expect(account.ecs.killedByTermination()).toEqual([]);
  });

  it('is a logged no-op for an instance in no cluster', async () => {
    const account = new SimulatedAccount();
    account.ecs.drainingReplacesServiceTasks = false;
    buildSpotCluster(account);
    const stray = account.ec2.launchInstance({ lifecycle: 'spot' });
    const { handler, logger, metrics } = setup(account);

    const report = asReport(await handler(account.ec2.interruptSpot(stray.instanceId)));

    expect(report.outcome).toBe('not-in-cluster');
    expect(metrics.values.get('drainsNotInCluster')).toBe(1);
    expect(logger.messages()).toContain('instance not in any cluster: nothing to drain');
    expect(account.countCalls('ecs', 'UpdateContainerInstancesState')).toBe(0);
    expect(account.countCalls('ecs', 'StopTask')).toBe(0);
  });

  it('re-runs a repeated notice safely', async () => {
    const account = new SimulatedAccount();
    account.ecs.drainingReplacesServiceTasks = false;
    const c = buildSpotCluster(account);
    const { handler } = setup(account);
    const event = account.ec2.interruptSpot(c.instances[0]!.instanceId);

    const first = asReport(await handler(event));
    const stopsAfterFirst = account.countCalls('ecs', 'StopTask');
    const second = asReport(await handler(event));

    expect(first.outcome).toBe('drained');
    expect(second.outcome).toBe('drained');
    expect(second.failures).toEqual([]);
    expect(second.tasksStopped).toEqual({ standalone: 0, service: 0 });
    expect(account.countCalls('ecs', 'StopTask')).toBe(stopsAfterFirst);
  });

  it('shortens its waits for a notice delivered 90 s late and still finishes before the reclaim', async () => {
    const account = new SimulatedAccount();
    account.ecs.drainingReplacesServiceTasks = false;
    const c = buildSpotCluster(account, { deregistrationDelaySeconds: 60 });
    const { handler } = setup(account);
    const victim = c.instances[0]!;
    const noticeAt = account.clock.now();
    const event = account.ec2.interruptSpot(victim.instanceId);
    account.advance(90_000);

    const report = asReport(await handler(event));

    const forceAt = noticeAt + SPOT_NOTICE_MS - DRAIN_DEFAULTS.safetyMarginMs;
    expect(Date.parse(report.finishedAt)).toBeLessThanOrEqual(noticeAt + SPOT_NOTICE_MS);
    expect(report.secondsToSpare).toBeGreaterThanOrEqual(0);
    const onVictim = c.tasksByInstance[victim.instanceId]!;
    for (const arn of onVictim) expect(account.ecs.task(arn)!.stopRequestedAt).toBeLessThanOrEqual(forceAt + 1_000);
    expect(
      deregisteredBeforeStopped(
        account,
        onVictim.filter((a) => a !== c.tasks.batch),
      ),
    ).toEqual([]);
    account.advance(SPOT_NOTICE_MS);
    expect(account.ecs.killedByTermination()).toEqual([]);
  });

  it('gets the same end state with 10 % of API calls throttled', async () => {
    const account = new SimulatedAccount({ seed: 7 });
    account.ecs.drainingReplacesServiceTasks = false;
    const c = buildSpotCluster(account);
    const { handler } = setup(account);
    account.faults.throttleRate = 0.1;
    const victim = c.instances[0]!;

    const report = asReport(await handler(account.ec2.interruptSpot(victim.instanceId)));

    expect(account.calls.some((call) => call.error === 'ThrottlingException')).toBe(true);
    expect(report.outcome).toBe('drained');
    const onVictim = c.tasksByInstance[victim.instanceId]!;
    expect(
      deregisteredBeforeStopped(
        account,
        onVictim.filter((a) => a !== c.tasks.batch),
      ),
    ).toEqual([]);
    account.advance(SPOT_NOTICE_MS);
    expect(account.ecs.killedByTermination()).toEqual([]);
  });

  it('carries on when DeregisterTargets fails once for one target group, and retries it', async () => {
    const account = new SimulatedAccount();
    account.ecs.drainingReplacesServiceTasks = false;
    const c = buildSpotCluster(account);
    const { handler } = setup(account);
    account.failNext('elbv2', 'DeregisterTargets', simError('InternalFailure', 'simulated outage', 500), {
      times: 20, // more than the SDK's retries: the drain itself has to come back to it
      when: (input: { TargetGroupArn: string }) => input.TargetGroupArn === c.targetGroups.apiInternal,
    });
    const victim = c.instances[0]!;
    const noticeAt = account.clock.now();

    const report = asReport(await handler(account.ec2.interruptSpot(victim.instanceId)));

    // Reported once, with how many looks it failed on: 8 + 8 failed SDK attempts, and the third look's retries get through.
    const failed = report.failures.filter((f) => f.step === 'deregisterTargets');
    expect(failed).toEqual([expect.objectContaining({ subject: c.targetGroups.apiInternal, times: 2 })]);
    const onVictim = c.tasksByInstance[victim.instanceId]!;
    expect(
      deregisteredBeforeStopped(
        account,
        onVictim.filter((a) => a !== c.tasks.batch),
      ),
    ).toEqual([]);
    // The frontend tasks (other target group) did not wait for the failing one beyond their own drain.
    const frontend = onVictim.map((a) => account.ecs.task(a)!).filter((t) => t.serviceName === 'web-frontend');
    for (const t of frontend) expect(t.stopRequestedAt! - noticeAt).toBeLessThan(40_000);
    expect(report.outcome).toBe('drained');
  });

  it('rejects a malformed event with a clear error and parks it in the dead-letter queue', async () => {
    const account = new SimulatedAccount();
    account.ecs.drainingReplacesServiceTasks = false;
    const { handler, dlqUrl } = setup(account);
    const bad = {
      id: 'e-1',
      source: 'aws.ec2',
      'detail-type': 'EC2 Spot Instance Interruption Warning',
      time: 'yesterday',
      detail: { 'instance-id': 'web-1' },
    };

    const result = await handler(bad);

    expect(result).toMatchObject({ outcome: 'rejected' });
    const error = (result as { error: string }).error;
    expect(error).toMatch(/time: expected an ISO-8601 time/);
    expect(error).toMatch(/detail\.instance-id: expected an EC2 instance id/);
    expect(error).toMatch(/detail\.instance-action/);
    const parked = account.sqs.pending(dlqUrl);
    expect(parked).toHaveLength(1);
    const envelope = JSON.parse(parked[0]!.body) as { input: string };
    expect(envelope).toMatchObject({
      source: 'spotInterruption',
      kind: 'spot-interruption-warning',
      rejectedAt: new Date(account.clock.now()).toISOString(),
    });
    // The queue's record body, as it arrived: the notice itself.
    expect(JSON.parse(envelope.input)).toEqual(bad);
    expect(account.countCalls('ecs', 'ListClusters')).toBe(0);
  });

  it('in dry run plans the drain and changes nothing', async () => {
    const account = new SimulatedAccount();
    account.ecs.drainingReplacesServiceTasks = false;
    const c = buildSpotCluster(account);
    const { handler } = setup(account, { dryRun: true });

    const report = asReport(await handler(account.ec2.interruptSpot(c.instances[0]!.instanceId)));

    expect(report.outcome).toBe('dry-run');
    expect(report.steps).toMatchObject({ setDraining: 1, stopTask: 2, deregisterTargets: 3 });
    for (const op of ['UpdateContainerInstancesState', 'StopTask']) expect(account.countCalls('ecs', op)).toBe(0);
    expect(account.countCalls('elbv2', 'DeregisterTargets')).toBe(0);
  });

  it('drains 50 tasks over 10 target groups with throttling: none still running at the deadline, every target deregistered first', async () => {
    const account = new SimulatedAccount({ seed: 11 });
    account.ecs.drainingReplacesServiceTasks = false;
    const c = buildLargeCluster(account, { tasks: 50, targetGroups: 10, deregistrationDelaySeconds: 30 });
    const { handler } = setup(account);
    account.faults.throttleRate = 0.1;
    account.faults.latencyMs = 20;
    const noticeAt = account.clock.now();

    const report = asReport(await handler(account.ec2.interruptSpot(c.victim.instanceId)));

    expect(report.outcome).toBe('drained');
    expect(runningAt(account, c.taskArns, noticeAt + SPOT_NOTICE_MS)).toEqual([]);
    expect(deregisteredBeforeStopped(account, c.taskArns)).toEqual([]);
    expect(report.tasksStopped.service).toBe(50);
    account.advance(SPOT_NOTICE_MS);
    expect(account.ecs.killedByTermination()).toEqual([]);
  });

  it('drains the instance a Spot Fleet scale-in chose, from the same notice', async () => {
    const account = new SimulatedAccount();
    account.ecs.drainingReplacesServiceTasks = false;
    const c = buildSpotCluster(account, { fleetReplacesInstances: false });
    const { handler } = setup(account);
    await account.clients().ec2.send(
      new ModifySpotFleetRequestCommand({
        SpotFleetRequestId: c.spotFleetRequestId,
        TargetCapacity: 1,
        ExcessCapacityTerminationPolicy: 'default',
      }),
    );
    const notices = account.ec2.events().filter((e) => e['detail-type'] === 'EC2 Spot Instance Interruption Warning');
    expect(notices).toHaveLength(1);
    const leaving = (notices[0]!.detail as { 'instance-id': string })['instance-id'];

    const report = asReport(await handler(notices[0]));

    expect(report.outcome).toBe('drained');
    expect(report.ec2InstanceId).toBe(leaving);
    const onLeaving = c.tasksByInstance[leaving]!;
    expect(
      deregisteredBeforeStopped(
        account,
        onLeaving.filter((a) => a !== c.tasks.batch),
      ),
    ).toEqual([]);
    account.advance(SPOT_NOTICE_MS);
    expect(account.ecs.killedByTermination()).toEqual([]);
  });

  it("works alongside ECS's own draining (ECS replacing and stopping service tasks of a DRAINING instance)", async () => {
    const account = new SimulatedAccount();
    const c = buildSpotCluster(account, { spareInstances: 1 });
    account.ecs.drainingReplacesServiceTasks = true;
    const { handler } = setup(account);
    const victim = c.instances[0]!;
    const noticeAt = account.clock.now();

    const report = asReport(await handler(account.ec2.interruptSpot(victim.instanceId)));

    expect(report.outcome).toBe('drained');
    expect(report.failures).toEqual([]);
    // ECS acted on DRAINING: replacements for all four service tasks started at once on the spare...
    const replacements = account.ecs.tasksOn(c.spares[0]!.instanceId);
    expect(replacements).toHaveLength(4);
    for (const t of replacements) expect(t.createdAt - noticeAt).toBeLessThan(5_000);
    const onVictim = c.tasksByInstance[victim.instanceId]!;
    // ...and our deregistration still came first (at the notice); ECS's own arrives later and finds nothing to do.
    expect(
      deregisteredBeforeStopped(
        account,
        onVictim.filter((a) => a !== c.tasks.batch),
      ),
    ).toEqual([]);
    expect(runningAt(account, onVictim, noticeAt + SPOT_NOTICE_MS - 1)).toEqual([]);
    account.advance(SPOT_NOTICE_MS);
    expect(account.ecs.killedByTermination()).toEqual([]);
  });
});
