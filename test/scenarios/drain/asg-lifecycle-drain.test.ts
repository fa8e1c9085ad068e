import { SimulatedAccount } from '../../../sim/account';
import { buildAsgCluster } from '../../../sim/builders';
import { simError } from '../../../sim/errors';
import { setupAsgDrain } from '../../support/asg-drain';
import { deregisteredBeforeStopped } from '../../support/drain-checks';

describe('asgLifecycleDrain on the simulated account', () => {
  it('drains the instance, then completes the lifecycle action with CONTINUE once nothing runs on it', async () => {
    const account = new SimulatedAccount();
    const c = buildAsgCluster(account, { heartbeatTimeout: 300, deregistrationDelaySeconds: 30 });
    const { source, publish } = setupAsgDrain(account);
    const victim = c.instances[0]!;
    const event = account.autoscaling.beginTermination(c.asgName, victim.instanceId);

    publish(event);
    await source.run();

    const action = account.autoscaling.lifecycleAction(event.detail.LifecycleActionToken)!;
    expect(action.result).toBe('CONTINUE');
    expect(action.timedOut).toBeFalsy();
    const onVictim = account.ecs.tasksOn(victim.instanceId);
    expect(onVictim.length).toBeGreaterThan(0);
    for (const t of onVictim) expect(t.stoppedAt).toBeLessThanOrEqual(action.completedAt!);
    expect(
      deregisteredBeforeStopped(
        account,
        onVictim.filter((t) => t.serviceName).map((t) => t.arn),
      ),
    ).toEqual([]);
    expect(account.ecs.task(c.batchTask)!.stopRequestedAt! - action.startedAt).toBeLessThan(5_000);
    expect(account.ecs.killedByTermination()).toEqual([]);
  });

  it('drains hooks that fire together as one wave: one lookup, one DeregisterTargets per target group for all of them', async () => {
    const account = new SimulatedAccount();
    account.ecs.drainingReplacesServiceTasks = false; // our own calls are counted here, not ECS's
    const c = buildAsgCluster(account, { instances: 6, heartbeatTimeout: 300, deregistrationDelaySeconds: 30 });
    const { source, publish } = setupAsgDrain(account, {}, { batchSize: 10 });
    const victims = c.instances.slice(0, 3);
    const events = victims.map((v) => account.autoscaling.beginTermination(c.asgName, v.instanceId));
    const from = account.calls.length;

    for (const e of events) publish(e);
    await source.run();

    for (const e of events) expect(account.autoscaling.lifecycleAction(e.detail.LifecycleActionToken)!.result).toBe('CONTINUE');
    const calls = account.calls.slice(from);
    const lists = calls.filter((x) => x.operation === 'ListContainerInstances' && (x.input as { filter?: string }).filter);
    expect(lists).toHaveLength(1); // the lookup (the others read how many instances are DRAINING: the wave's share)
    expect((lists[0]!.input as { filter: string }).filter).toMatch(/^ec2InstanceId in \[/);
    const groups = calls
      .filter((x) => x.operation === 'DeregisterTargets' && !x.error)
      .map((x) => (x.input as { TargetGroupArn: string }).TargetGroupArn);
    expect(groups.length).toBe(new Set(groups).size); // each group once, every victim's targets in that one call
    expect(account.ecs.killedByTermination()).toEqual([]);
  });

  it('hands a long drain on to itself with heartbeats instead of blocking past one invocation', async () => {
    const account = new SimulatedAccount();
    const c = buildAsgCluster(account, { heartbeatTimeout: 600, deregistrationDelaySeconds: 300 });
    const { source, publish, queueUrl } = setupAsgDrain(account, { stepMs: 60_000, maxWaitMs: 400_000 });
    const victim = c.instances[0]!;
    const event = account.autoscaling.beginTermination(c.asgName, victim.instanceId);

    publish(event);
    await source.run();

    const action = account.autoscaling.lifecycleAction(event.detail.LifecycleActionToken)!;
    expect(action.result).toBe('CONTINUE');
    expect(action.timedOut).toBeFalsy();
    expect(source.invocations).toBeGreaterThanOrEqual(5); // 300 s of draining in steps of at most 60 s
    // Heartbeats go out every third of the 600 s timeout (not with every hand-on): 300 s of draining needs one.
    expect(action.heartbeats.length).toBeGreaterThanOrEqual(1);
    const continuations = account.sqs.messages(queueUrl).filter((m) => m.body.includes('asg-drain-continuation'));
    expect(continuations.length).toBe(source.invocations - 1);
    for (const m of continuations) expect(m.delaySeconds).toBeGreaterThan(0);
    expect(account.countCalls('sqs', 'GetQueueUrl')).toBe(1); // the queue URL is looked up once per container, not per hand-on
    // The web targets drained fully (300 s) before their tasks stopped.
    const web = account.ecs.tasksOn(victim.instanceId).filter((t) => t.serviceName);
    for (const t of web) expect(t.stopRequestedAt! - action.startedAt).toBeGreaterThanOrEqual(300_000);
    expect(
      deregisteredBeforeStopped(
        account,
        web.map((t) => t.arn),
      ),
    ).toEqual([]);
  });

  it('retries a transient ECS failure inside the drain, burning no SQS receive, and finishes the drain', async () => {
    const account = new SimulatedAccount();
    const c = buildAsgCluster(account);
    const { source, publish, dlqUrl } = setupAsgDrain(account);
    account.failNext('ecs', 'ListContainerInstances', simError('ServerException', 'simulated outage', 500), { times: 8 });
    const event = account.autoscaling.beginTermination(c.asgName, c.instances[0]!.instanceId);

    publish(event);
    await source.run();

    expect(source.invocations).toBe(1);
    expect(account.countCalls('ecs', 'ListContainerInstances')).toBeGreaterThanOrEqual(9);
    expect(account.sqs.pending(dlqUrl)).toEqual([]);
    const action = account.autoscaling.lifecycleAction(event.detail.LifecycleActionToken)!;
    expect(action.result).toBe('CONTINUE');
    expect(action.timedOut).toBeFalsy(); // completed by the drain, not by the hook running out
    expect(action.completedAt! - action.startedAt).toBeLessThan(120_000);
  });

  it('keeps a 1 h drain alive with heartbeats on a 300 s hook and completes it by the drain, not by the hook timing out', async () => {
    const account = new SimulatedAccount();
    account.ecs.drainingReplacesServiceTasks = false; // the long deregistration delay is ours to wait out
    const c = buildAsgCluster(account, { heartbeatTimeout: 300, deregistrationDelaySeconds: 3000 });
    const { source, publish } = setupAsgDrain(account);
    const victim = c.instances[0]!;
    const event = account.autoscaling.beginTermination(c.asgName, victim.instanceId);

    publish(event);
    await source.run();

    const action = account.autoscaling.lifecycleAction(event.detail.LifecycleActionToken)!;
    expect(action).toMatchObject({ result: 'CONTINUE' });
    expect(action.timedOut).toBeFalsy();
    expect(action.completedAt! - action.startedAt).toBeGreaterThanOrEqual(3000_000);
    expect(action.heartbeats.length).toBeGreaterThanOrEqual(10);
    const web = account.ecs.tasksOn(victim.instanceId).filter((t) => t.serviceName);
    for (const t of web) expect(t.stopRequestedAt! - action.startedAt).toBeGreaterThanOrEqual(3000_000);
    expect(
      deregisteredBeforeStopped(
        account,
        web.map((t) => t.arn),
      ),
    ).toEqual([]);
  });

  it('rides out a 15-minute ECS outage mid-drain: no task killed while the hook lives, CONTINUE after', async () => {
    const account = new SimulatedAccount();
    account.ecs.drainingReplacesServiceTasks = false;
    const c = buildAsgCluster(account, { heartbeatTimeout: 300, deregistrationDelaySeconds: 300 });
    const { source, publish, dlqUrl } = setupAsgDrain(account);
    const victim = c.instances[0]!;
    const event = account.autoscaling.beginTermination(c.asgName, victim.instanceId);
    const t0 = account.clock.now();
    account.failDuring('ecs', '*', () => simError('ServerException', 'simulated ECS outage', 500), {
      from: t0 + 20_000,
      to: t0 + 20_000 + 15 * 60_000,
    });

    publish(event);
    await source.run();

    const action = account.autoscaling.lifecycleAction(event.detail.LifecycleActionToken)!;
    expect(action.result).toBe('CONTINUE');
    expect(action.timedOut).toBeFalsy();
    expect(account.sqs.pending(dlqUrl)).toEqual([]);
    const onVictim = account.ecs.tasksOn(victim.instanceId);
    for (const t of onVictim) expect(t.stoppedAt).toBeLessThanOrEqual(action.completedAt!);
    expect(account.ecs.killedByTermination()).toEqual([]);
    expect(
      deregisteredBeforeStopped(
        account,
        onVictim.filter((t) => t.serviceName).map((t) => t.arn),
      ),
    ).toEqual([]);
  });

  it('names the step and subject when completing the lifecycle action fails, and logs the drain report once before completing', async () => {
    const account = new SimulatedAccount();
    const c = buildAsgCluster(account, { deregistrationDelaySeconds: 10 });
    const { source, publish, logger } = setupAsgDrain(account);
    account.failNext('autoscaling', 'CompleteLifecycleAction', () => simError('ServiceUnavailable', 'simulated Auto Scaling outage', 503), {
      times: 30,
    });
    const event = account.autoscaling.beginTermination(c.asgName, c.instances[0]!.instanceId);

    publish(event);
    await source.run();

    const warned = logger.entries.find(
      (e) => e.message.startsWith('drain step failed') && JSON.stringify(e.extra).includes('completeLifecycle'),
    );
    expect(JSON.stringify(warned?.extra)).toContain(`${c.asgName}`);
    const reportAt = logger.entries.findIndex((e) => e.message === 'drain report');
    expect(reportAt).toBeGreaterThanOrEqual(0);
    // Once, however many times completing was retried.
    expect(logger.entries.filter((e) => e.message.startsWith('drain step failed')).length).toBeGreaterThan(1);
    expect(logger.entries.filter((e) => e.message === 'drain report')).toHaveLength(1);
    expect(account.autoscaling.lifecycleAction(event.detail.LifecycleActionToken)!.result).toBe('CONTINUE');
  });
});
