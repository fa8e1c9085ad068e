import { makeHandler, type Deps } from '../../../functions/asg-lifecycle-drain/handler';
import { SimulatedAccount } from '../../../sim/account';
import { buildAsgCluster } from '../../../sim/builders';
import { simError } from '../../../sim/errors';
import { SqsEventSource } from '../../../sim/event-source';
import { ASG_DEFAULTS, DRAIN_DEFAULTS, deregisteredBeforeStopped } from '../../support/drain-checks';
import { recordingLogger, recordingMetrics } from '../../support/recorders';

const QUEUE = 'ecs-steady-test-asg-drain';
const DLQ = 'ecs-steady-test-dead-letter';

function setup(account: SimulatedAccount, config: Partial<Deps['config']> = {}) {
  const queueUrl = account.sqs.createQueue(QUEUE, { VisibilityTimeout: '360' });
  const dlqUrl = account.sqs.createQueue(DLQ);
  const logger = recordingLogger();
  const deps: Deps = {
    clients: account.clients(),
    config: {
      ...DRAIN_DEFAULTS,
      ...ASG_DEFAULTS,
      maxWaitMs: ASG_DEFAULTS.drainMaxMs,
      drainQueueName: QUEUE,
      deadLetterQueueName: DLQ,
      ...config,
    },
    clock: account.clock,
    logger,
    metrics: recordingMetrics(),
  };
  const handler = makeHandler(() => deps);
  const source = new SqsEventSource(account, queueUrl, (e) => handler(e), { maxReceiveCount: 5, deadLetterUrl: dlqUrl });
  /** What the EventBridge rule does: put the event on the queue. */
  const publish = (event: unknown) => account.sqs.deliver(queueUrl, JSON.stringify(event));
  return { handler, source, publish, queueUrl, dlqUrl, logger };
}

describe('asgLifecycleDrain on the simulated account', () => {
  it('drains the instance, then completes the lifecycle action with CONTINUE once nothing runs on it', async () => {
    const account = new SimulatedAccount();
    const c = buildAsgCluster(account, { heartbeatTimeout: 300, deregistrationDelaySeconds: 30 });
    const { source, publish } = setup(account);
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

  it('hands a long drain on to itself with heartbeats instead of blocking past one invocation', async () => {
    const account = new SimulatedAccount();
    const c = buildAsgCluster(account, { heartbeatTimeout: 600, deregistrationDelaySeconds: 300 });
    const { source, publish, queueUrl } = setup(account, { stepMs: 60_000, maxWaitMs: 400_000 });
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

  it('completes our hook at once for an instance that is in no cluster', async () => {
    const account = new SimulatedAccount();
    const c = buildAsgCluster(account);
    const { source, publish, logger } = setup(account);
    // An instance of the group that never joined ECS.
    const stray = account.ec2.launchInstance({ lifecycle: 'on-demand', asgName: c.asgName });
    account.autoscaling.createGroup({
      name: 'plain-asg',
      min: 0,
      max: 2,
      desired: 1,
      instanceIds: [stray.instanceId],
      lifecycleHooks: [{ name: 'ecs-steady-drain', transition: 'autoscaling:EC2_INSTANCE_TERMINATING', heartbeatTimeout: 300 }],
    });
    const event = account.autoscaling.beginTermination('plain-asg', stray.instanceId);

    publish(event);
    await source.run();

    const action = account.autoscaling.lifecycleAction(event.detail.LifecycleActionToken)!;
    expect(action.result).toBe('CONTINUE');
    expect(action.completedAt! - action.startedAt).toBeLessThan(5_000);
    expect(logger.messages()).toContain('instance not in any cluster: nothing to drain');
  });

  it('treats a repeated lifecycle event as done, not as a failure', async () => {
    const account = new SimulatedAccount();
    const c = buildAsgCluster(account);
    const { source, publish, dlqUrl } = setup(account);
    const event = account.autoscaling.beginTermination(c.asgName, c.instances[0]!.instanceId);

    publish(event);
    await source.run();
    publish(event);
    await source.run();

    expect(account.sqs.pending(dlqUrl)).toEqual([]);
    expect(account.autoscaling.lifecycleAction(event.detail.LifecycleActionToken)!.result).toBe('CONTINUE');
  });

  it('dead-letters a malformed message with the reason and lets the rest of the batch run', async () => {
    const account = new SimulatedAccount();
    const c = buildAsgCluster(account);
    const { handler, dlqUrl } = setup(account);
    const good = account.autoscaling.beginTermination(c.asgName, c.instances[0]!.instanceId);
    const bad = { ...good, detail: { ...good.detail, EC2InstanceId: 'not-an-instance', LifecycleActionToken: '' } };

    const response = await handler({
      Records: [
        { messageId: 'm-bad', body: JSON.stringify(bad) },
        { messageId: 'm-junk', body: '{not json' },
        { messageId: 'm-good', body: JSON.stringify(good) },
      ] as never,
    });

    expect(response.batchItemFailures).toEqual([]);
    const parked = account.sqs.pending(dlqUrl).map((m) => JSON.parse(m.body));
    expect(parked).toHaveLength(2);
    expect(parked[0].error).toMatch(/detail\.EC2InstanceId: expected an EC2 instance id/);
    expect(parked[0].error).toMatch(/detail\.LifecycleActionToken/);
    expect(parked[1].error).toMatch(/not JSON/);
    expect(account.autoscaling.lifecycleAction(good.detail.LifecycleActionToken)!.result).toBe('CONTINUE');
  });

  it('retries a transient ECS failure inside the drain, burning no SQS receive, and finishes the drain', async () => {
    const account = new SimulatedAccount();
    const c = buildAsgCluster(account);
    const { source, publish, dlqUrl } = setup(account);
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

  it("leaves another team's hook alone: no heartbeat, no completion", async () => {
    const account = new SimulatedAccount();
    const c = buildAsgCluster(account);
    const { source, publish, logger } = setup(account);
    account.autoscaling.createGroup({
      name: 'their-asg',
      min: 0,
      max: 2,
      desired: 1,
      instanceIds: [c.instances[1]!.instanceId],
      lifecycleHooks: [
        { name: 'their-hook', transition: 'autoscaling:EC2_INSTANCE_TERMINATING', heartbeatTimeout: 3600, defaultResult: 'ABANDON' },
      ],
    });
    const event = account.autoscaling.beginTermination('their-asg', c.instances[1]!.instanceId);

    publish(event);
    await source.run();

    expect(account.countCalls('autoscaling', 'CompleteLifecycleAction')).toBe(0);
    expect(account.countCalls('autoscaling', 'RecordLifecycleActionHeartbeat')).toBe(0);
    expect(account.countCalls('ecs', 'UpdateContainerInstancesState')).toBe(0);
    expect(account.autoscaling.lifecycleAction(event.detail.LifecycleActionToken)!.result).toBeUndefined();
    expect(logger.entries.find((e) => e.message.startsWith('lifecycle action of a hook that is not ours'))?.level).toBe('debug');
  });

  it('keeps a 1 h drain alive with heartbeats on a 300 s hook and completes it by the drain, not by the hook timing out', async () => {
    const account = new SimulatedAccount();
    account.ecs.drainingReplacesServiceTasks = false; // the long deregistration delay is ours to wait out
    const c = buildAsgCluster(account, { heartbeatTimeout: 300, deregistrationDelaySeconds: 3000 });
    const { source, publish } = setup(account);
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
    const { source, publish, dlqUrl } = setup(account);
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

  it('names the step and subject when completing the lifecycle action fails, and logs the drain report before completing', async () => {
    const account = new SimulatedAccount();
    const c = buildAsgCluster(account, { deregistrationDelaySeconds: 10 });
    const { source, publish, logger } = setup(account);
    account.failNext('autoscaling', 'CompleteLifecycleAction', () => simError('ServiceUnavailable', 'simulated Auto Scaling outage', 503), {
      times: 12,
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
    expect(account.autoscaling.lifecycleAction(event.detail.LifecycleActionToken)!.result).toBe('CONTINUE');
  });

  it('names every bad field of a malformed lifecycle event in the dead-letter message', async () => {
    const account = new SimulatedAccount();
    buildAsgCluster(account);
    const { source, publish, dlqUrl } = setup(account);

    publish({
      source: 'aws.autoscaling',
      'detail-type': 'EC2 Instance-terminate Lifecycle Action',
      id: 'e1',
      time: 'yesterday',
      detail: { AutoScalingGroupName: 'x', LifecycleHookName: 'ecs-steady-drain', EC2InstanceId: 'nope' },
    });
    await source.run();

    const parked = account.sqs
      .pending(dlqUrl)
      .map((m) => m.body)
      .join('\n');
    expect(parked).toMatch(/time: expected an ISO-8601 time/);
    expect(parked).toMatch(/detail\.LifecycleActionToken/);
    expect(parked).toMatch(/detail\.EC2InstanceId: expected an EC2 instance id/);
  });
});
