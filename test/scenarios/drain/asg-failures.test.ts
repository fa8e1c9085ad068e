import { makeHandler, type Deps } from '../../../functions/asg-lifecycle-drain/handler';
import { SimulatedAccount } from '../../../sim/account';
import { buildAsgCluster } from '../../../sim/builders';
import { serverError, simError } from '../../../sim/errors';
import { SqsEventSource } from '../../../sim/event-source';
import { ASG_DEFAULTS, DRAIN_DEFAULTS } from '../../support/drain-checks';
import { recordingLogger, recordingMetrics } from '../../support/recorders';

const QUEUE = 'asg-drain';

/** The ASG drain on the simulated account, with the hook and the queue; `config` overrides the stage defaults. */
function world(opts: { heartbeatTimeout?: number; delaySeconds?: number } = {}, config: Partial<Deps['config']> = {}) {
  const account = new SimulatedAccount();
  account.ecs.drainingReplacesServiceTasks = false; // these scenarios time our own waits
  const c = buildAsgCluster(account, {
    heartbeatTimeout: opts.heartbeatTimeout ?? 300,
    deregistrationDelaySeconds: opts.delaySeconds ?? 300,
  });
  const queueUrl = account.sqs.createQueue(QUEUE, { VisibilityTimeout: '1800' });
  const logger = recordingLogger();
  const metrics = recordingMetrics();
  const deps: Deps = {
    clients: account.clients(),
    config: { ...DRAIN_DEFAULTS, ...ASG_DEFAULTS, maxWaitMs: ASG_DEFAULTS.drainMaxMs, drainQueueName: QUEUE, ...config },
    clock: account.clock,
    logger,
    metrics,
  };
  const handler = makeHandler(() => deps);
  const source = new SqsEventSource(account, queueUrl, (e) => handler(e), {});
  const victim = c.instances[0]!;
  const event = account.autoscaling.beginTermination(c.asgName, victim.instanceId);
  const t0 = account.clock.now();
  const start = () => account.sqs.deliver(queueUrl, JSON.stringify(event));
  const action = () => account.autoscaling.lifecycleAction(event.detail.LifecycleActionToken)!;
  return { account, c, victim, source, start, action, t0, logger, metrics, queueUrl };
}

describe('the ASG drain when AWS fails or is slow', () => {
  it('does not complete the action while tasks are still stopping at the force time', async () => {
    const w = world({ delaySeconds: 300 }, { drainMaxMs: 120_000, maxWaitMs: 120_000 });
    w.account.ecs.stopDelayMs = 10_000; // containers take 10 s to exit after SIGTERM

    w.start();
    await w.source.run();

    const action = w.action();
    expect(action).toMatchObject({ result: 'CONTINUE' });
    for (const t of w.account.ecs.tasksOn(w.victim.instanceId)) expect(t.stoppedAt).toBeLessThanOrEqual(action.completedAt!);
    expect(w.account.ecs.killedByTermination()).toEqual([]);
  });

  it('gives the message back to SQS when the drain cannot be handed on, after a bounded number of tries', async () => {
    const w = world({}, { stepMs: 60_000 });
    w.account.failDuring('sqs', 'SendMessage', () => simError('AccessDenied', 'Access to the resource is denied', 403), {
      from: w.t0,
      to: w.t0 + 600_000,
    });

    w.start();
    await w.source.run({ maxInvocations: 3 });

    expect(w.account.countCalls('sqs', 'SendMessage')).toBeLessThan(60);
    expect(w.account.countCalls('autoscaling', 'RecordLifecycleActionHeartbeat')).toBeLessThan(10);
    expect(w.metrics.values.get('drainErrors')).toBeGreaterThanOrEqual(1); // counted, so its alarm sees it
  });

  it('hands each step on exactly once, even when a heartbeat in the same batch fails', async () => {
    const w = world({ heartbeatTimeout: 300, delaySeconds: 300 }, { stepMs: 60_000 });
    w.account.failNext('autoscaling', 'RecordLifecycleActionHeartbeat', () => serverError('autoscaling'), { times: 3 });

    w.start();
    await w.source.run();

    const steps = w.account.sqs
      .messages(w.queueUrl)
      .filter((m) => m.body.includes('asg-drain-continuation'))
      .map((m) => JSON.parse(m.body).step as number);
    expect(steps).toEqual([...new Set(steps)]);
    expect(w.account.countCalls('autoscaling', 'CompleteLifecycleAction')).toBe(1);
    expect(w.action()).toMatchObject({ result: 'CONTINUE' });
    expect(w.action().timedOut).toBeFalsy();
  });

  it('emits tasksLeftRunning only when the drain ends, not for the steps it hands on', async () => {
    const w = world({ heartbeatTimeout: 300, delaySeconds: 300 });

    w.start();
    await w.source.run();

    expect(w.metrics.values.get('drainsHandedOn')).toBeGreaterThanOrEqual(1);
    expect(w.metrics.values.get('tasksLeftRunning')).toBe(0);
  });

  it('ends the chain once the action has timed out when completing and heartbeats are denied', async () => {
    const w = world();
    const denied = () => simError('AccessDenied', 'User is not authorized to perform: autoscaling:CompleteLifecycleAction', 403);
    w.account.failDuring('autoscaling', 'CompleteLifecycleAction', denied, { from: w.t0, to: w.t0 + 1e10 });
    w.account.failDuring('autoscaling', 'RecordLifecycleActionHeartbeat', denied, { from: w.t0, to: w.t0 + 1e10 });

    w.start();
    await w.source.run({ maxInvocations: 20 });

    expect(w.source.invocations).toBeLessThanOrEqual(3);
    expect(w.account.sqs.pending(w.queueUrl)).toEqual([]);
    expect(w.account.clock.now() - w.t0).toBeLessThan(600_000);
  });

  it('keeps heartbeating while a slow read hangs until its request timeout', async () => {
    const w = world({ heartbeatTimeout: 60, delaySeconds: 300 });
    w.account.faults.latencyByOperation['DescribeTargetHealth'] = 10_000;
    w.account.failDuring('elbv2', 'DescribeTargetHealth', () => serverError('elbv2'), { from: w.t0 + 20_000, to: w.t0 + 620_000 });

    w.start();
    await w.source.run({ maxInvocations: 30 });

    expect(w.action()).toMatchObject({ result: 'CONTINUE' });
    expect(w.action().timedOut).toBeFalsy();
    expect(w.account.ecs.killedByTermination()).toEqual([]);
  });
});
