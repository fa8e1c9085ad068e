import { makeHandler, type Deps } from '../../../functions/asg-lifecycle-drain/handler';
import { SimulatedAccount } from '../../../sim/account';
import { buildAsgCluster } from '../../../sim/builders';
import { simError } from '../../../sim/errors';
import { SqsEventSource } from '../../../sim/event-source';
import { DRAIN_DEFAULTS, deregisteredBeforeStopped } from '../../support/drain-checks';
import { recordingLogger, recordingMetrics } from '../../support/recorders';

const QUEUE = 'ecs-steady-test-asg-drain';
const DLQ = 'ecs-steady-test-dead-letter';

function setup(account: SimulatedAccount, config: Partial<Deps['config']> = {}) {
  const queueUrl = account.sqs.createQueue(QUEUE, { VisibilityTimeout: '360' });
  const dlqUrl = account.sqs.createQueue(DLQ);
  const logger = recordingLogger();
  const deps: Deps = {
    clients: account.clients(),
    config: { ...DRAIN_DEFAULTS, stepMs: 240_000, defaultHeartbeatSeconds: 300, drainQueueName: QUEUE, deadLetterQueueName: DLQ, ...config },
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
    expect(deregisteredBeforeStopped(account, onVictim.filter((t) => t.serviceName).map((t) => t.arn))).toEqual([]);
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
    expect(action.heartbeats.length).toBeGreaterThanOrEqual(source.invocations - 1);
    const continuations = account.sqs.messages(queueUrl).filter((m) => m.body.includes('asg-drain-continuation'));
    expect(continuations.length).toBe(source.invocations - 1);
    for (const m of continuations) expect(m.delaySeconds).toBeGreaterThan(0);
    // The web targets drained fully (300 s) before their tasks stopped.
    const web = account.ecs.tasksOn(victim.instanceId).filter((t) => t.serviceName);
    for (const t of web) expect(t.stopRequestedAt! - action.startedAt).toBeGreaterThanOrEqual(300_000);
    expect(deregisteredBeforeStopped(account, web.map((t) => t.arn))).toEqual([]);
  });

  it('completes at once for an instance that is in no cluster', async () => {
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
      lifecycleHooks: [{ name: 'drain', transition: 'autoscaling:EC2_INSTANCE_TERMINATING', heartbeatTimeout: 300 }],
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

  it('reports a transient failure as a batch item failure, and the redelivered message finishes the drain', async () => {
    const account = new SimulatedAccount();
    const c = buildAsgCluster(account);
    const { source, publish, dlqUrl } = setup(account);
    account.failNext('ecs', 'ListContainerInstances', simError('ServerException', 'simulated outage', 500), { times: 8 });
    const event = account.autoscaling.beginTermination(c.asgName, c.instances[0]!.instanceId);

    publish(event);
    await source.run();

    expect(source.invocations).toBeGreaterThanOrEqual(2);
    expect(account.sqs.pending(dlqUrl)).toEqual([]);
    const action = account.autoscaling.lifecycleAction(event.detail.LifecycleActionToken)!;
    expect(action.result).toBe('CONTINUE');
    expect(action.timedOut).toBeFalsy(); // completed by the drain, not by the hook running out
    expect(action.completedAt! - action.startedAt).toBeLessThan(120_000);
  });
});
