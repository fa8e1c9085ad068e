import { snsNotification } from '../../support/sqs-records';
import { SimulatedAccount } from '../../../sim/account';
import { buildCapacityCluster } from '../../../sim/builders-capacity';
import { container } from '../../../sim/builders-common';
import { placementFailure, placementFailureEvent, runTaskFailure, runTaskResult } from '../../support/capacity-events';
import { capacityWorld } from '../../support/capacity-world';

/** Two m5.large with CPU fully reserved (4 tasks of 512 each), and a batch job definition of 1024 CPU / 2048 MiB. */
function fullCluster() {
  const account = new SimulatedAccount();
  const b = buildCapacityCluster(account, { backend: 'asg', instances: 2, tasksPerInstance: 4 });
  const job = account.ecs.registerTaskDefinition({
    family: 'nightly-report',
    networkMode: 'bridge',
    containerDefinitions: [container('nightly-report', 'report', 1024, 2048)],
  });
  const desired = () => account.autoscaling.groupState(b.backend.id).desired;
  const setDesiredCalls = () => account.calls.filter((c) => c.operation === 'SetDesiredCapacity' && !c.error).length;
  return { account, b, job: job.taskDefinitionArn!, desired, setDesiredCalls };
}

describe('runTaskFailure', () => {
  it('scales out in the invocation that receives the failure, sized to the failed tasks, within seconds', async () => {
    const { account, b, job, desired } = fullCluster();
    const fn = runTaskFailure(account);
    fn.publish(runTaskResult(b.cluster, job, 3, account.clock.now(), { reasons: ['RESOURCE:CPU', 'RESOURCE:CPU'] }));
    await fn.source.run();
    expect(fn.source.invocations).toBe(1);
    // 3 × 1024 CPU: bin-packing needs 2 m5.large; with them placed CPU would be 7168 / 8192 (87.5 %) — a third keeps it under 85 %.
    expect(desired()).toBe(5);
    const seconds = fn.clusterMetrics.get(b.cluster)!.values.get('secondsToCapacityRequest')!;
    expect(seconds).toBeLessThanOrEqual(5);
    expect(account.sqs.pending(fn.dlqUrl)).toHaveLength(0);
  });

  it('adds capacity once for a duplicate message, and not at all for reasons capacity does not answer', async () => {
    const { account, b, job, desired, setDesiredCalls } = fullCluster();
    const fn = runTaskFailure(account);
    const message = runTaskResult(b.cluster, job, 2, account.clock.now(), { reasons: ['RESOURCE:MEMORY'] });
    fn.publish(message);
    await fn.source.run();
    const after = desired();
    expect(after).toBeGreaterThan(2);
    fn.publish(message); // SNS delivered it twice
    fn.publish(runTaskResult(b.cluster, job, 4, account.clock.now(), { reasons: ['ATTRIBUTE'] }));
    fn.publish(runTaskResult(b.cluster, job, 1, account.clock.now(), { error: { name: 'AccessDeniedException', message: 'nope' } }));
    await fn.source.run();
    expect(desired()).toBe(after);
    expect(setDesiredCalls()).toBe(1);
    expect(account.sqs.pending(fn.dlqUrl)).toHaveLength(0);
  });

  it('scales an empty cluster from zero when RunTask finds no container instance', async () => {
    const account = new SimulatedAccount();
    const b = buildCapacityCluster(account, { backend: 'ec2Fleet', instances: 0, tasksPerInstance: 0 });
    const fn = runTaskFailure(account);
    fn.publish(
      runTaskResult(b.cluster, b.taskDefinitionArn, 2, account.clock.now(), {
        error: { name: 'InvalidParameterException', message: 'No Container Instances were found in your cluster.' },
      }),
    );
    await fn.source.run();
    expect(account.ec2.fleets.fleet(b.backend.id)!.target).toBeGreaterThanOrEqual(1);
  });

  it('sizes with the overrides RunTask was given (a task-level memory override of 6 GiB needs an instance per task)', async () => {
    const { account, b, job, desired } = fullCluster();
    const fn = runTaskFailure(account, { SCALE_OUT_CPU_PERCENT: '100', SCALE_OUT_MEMORY_PERCENT: '100' });
    fn.publish(runTaskResult(b.cluster, job, 2, account.clock.now(), { reasons: ['RESOURCE:MEMORY'] }, { memory: '6144' }));
    await fn.source.run();
    expect(desired()).toBe(4); // one 6 GiB task per m5.large (7680 MiB registered, 4096 used on the two full ones)
  });

  it('dead-letters a malformed message naming each bad field and still answers the rest of the batch', async () => {
    const { account, b, job, desired } = fullCluster();
    const fn = runTaskFailure(account);
    fn.publish({ version: 1, at: 'yesterday', request: { cluster: b.cluster, count: 0 } });
    fn.publish(snsNotification(runTaskResult(b.cluster, job, 1, account.clock.now(), { reasons: ['RESOURCE:CPU'] })));
    await fn.source.run();
    expect(desired()).toBeGreaterThan(2);
    const dead = account.sqs.pending(fn.dlqUrl);
    expect(dead).toHaveLength(1);
    const envelope = JSON.parse(dead[0]!.body) as { source: string; error: string };
    expect(envelope.source).toBe('runTaskFailure');
    expect(envelope.error).toMatch(/at: .*request\.taskDefinition: .*request\.count: /s);
  });
});

describe('placementFailure', () => {
  it('re-plans the cluster in the invocation that receives the event, once for a burst', async () => {
    const { account, b, desired, setDesiredCalls } = fullCluster();
    account.ecs.services.setDesiredCount(b.cluster, 'app', 12); // 4 more than fit
    const fn = placementFailure(account);
    for (let i = 0; i < 5; i++) fn.publish(placementFailureEvent(account, b.cluster, 'app', account.clock.now(), `evt-${i}`));
    await fn.source.run();
    expect(fn.source.invocations).toBe(1);
    expect(setDesiredCalls()).toBe(1);
    expect(desired()).toBe(4);
    expect(fn.clusterMetrics.get(b.cluster)!.values.get('secondsToCapacityRequest')).toBeLessThanOrEqual(5);
  });

  it('asks once when the tick and the event race for the same shortfall', async () => {
    const { account, b, desired } = fullCluster();
    account.ecs.services.setDesiredCount(b.cluster, 'app', 12);
    const fn = placementFailure(account);
    const tick = capacityWorld(account);
    fn.publish(placementFailureEvent(account, b.cluster, 'app', account.clock.now()));
    await Promise.all([fn.source.run(), tick.tick()]);
    expect(desired()).toBe(4); // both computed the same absolute desired from the same state: not 6
    await tick.minute();
    expect(desired()).toBe(4); // and the next tick counts it as coming
  });

  it('leaves a cluster it does not manage alone', async () => {
    const { account } = fullCluster();
    const fn = placementFailure(account);
    account.ecs.createCluster('someone-else');
    fn.publish(placementFailureEvent(account, 'someone-else', 'web', account.clock.now()));
    await fn.source.run();
    expect(account.calls.filter((c) => /^(Set|Modify|Terminate)/.test(c.operation))).toEqual([]);
    expect(account.sqs.pending(fn.dlqUrl)).toHaveLength(0);
  });
});

describe('an event that is not an SQS event', () => {
  it('is refused loudly by both queue-fed functions, saying what they take, and changes nothing', async () => {
    const { account, b, job } = fullCluster();
    const raw = runTaskResult(b.cluster, job, 1, account.clock.now(), { reasons: ['RESOURCE:CPU'] });
    await expect(runTaskFailure(account).handler(raw as never)).rejects.toThrow(
      /runTaskFailure is fed by an SQS queue and takes an SQS event/,
    );
    const event = placementFailureEvent(account, b.cluster, 'app', account.clock.now());
    await expect(placementFailure(account).handler(event as never)).rejects.toThrow(/placementFailure .* got an EventBridge event/);
    expect(account.calls.filter((c) => /^(Set|Modify|Terminate)/.test(c.operation))).toEqual([]);
  });
});
