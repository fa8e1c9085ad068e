import { PublishCommand } from '@aws-sdk/client-sns';
import { SimulatedAccount } from '../../../sim/account';
import { buildCapacityCluster } from '../../../sim/builders-capacity';
import { runTaskFailure } from '../../support/capacity-events';

/** Two m5.large with CPU fully reserved, runTaskFailure's queue subscribed to the topic hako publishes to. */
function hakoWorld() {
  const account = new SimulatedAccount();
  const b = buildCapacityCluster(account, { backend: 'asg', instances: 2, tasksPerInstance: 4 });
  const fn = runTaskFailure(account);
  const topicArn = account.sns.createTopic('hako-oneshot-scale-out');
  account.sns.subscribeQueue(topicArn, fn.queueUrl);
  const sns = account.clients().sns;
  /** What hako's try_scale_out_with_sns publishes (lib/hako/schedulers/ecs.rb), as hako's SNS client sends it. */
  const publishHako = (hakoTaskId: string, cpu = 1024, memory = 2048) =>
    sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: JSON.stringify({ group_name: `ecs-${b.cluster}`, cluster: b.cluster, cpu, memory, hako_task_id: hakoTaskId }),
      }),
    );
  const desired = () => account.autoscaling.groupState(b.backend.id).desired;
  const setDesiredCalls = () => account.calls.filter((c) => c.operation === 'SetDesiredCapacity' && !c.error).length;
  return { account, b, fn, publishHako, desired, setDesiredCalls };
}

describe('runTaskFailure with hako oneshot messages', () => {
  it('raises capacity once for a hako message re-sent 5 times 10 s apart while the capacity is in flight', async () => {
    const { account, fn, publishHako, desired, setDesiredCalls } = hakoWorld();
    const id = '0b6f3f4e-6a53-4f0e-9f3e-2b1d7c9a8e11';
    await publishHako(id);
    await fn.source.run();
    const raised = desired();
    expect(raised).toBeGreaterThan(2);
    for (let resend = 1; resend < 5; resend++) {
      account.advance(10_000);
      await publishHako(id); // hako sleeps RUN_TASK_INTERVAL (10 s) and publishes the same message again
      await fn.source.run();
    }
    expect(desired()).toBe(raised);
    expect(setDesiredCalls()).toBe(1);
    expect(account.sqs.pending(fn.dlqUrl)).toHaveLength(0);
  });

  it('adds capacity for another oneshot with the very same fields: the task is the identity, not the content', async () => {
    const { fn, publishHako, desired, setDesiredCalls } = hakoWorld();
    await publishHako('task-a');
    await fn.source.run();
    const first = desired();
    await publishHako('task-b');
    await fn.source.run();
    expect(setDesiredCalls()).toBe(2);
    expect(desired()).toBeGreaterThan(first);
  });

  it('dead-letters a hako message with a bad field, naming it', async () => {
    const { account, b, fn, desired } = hakoWorld();
    fn.publish({ group_name: 'g', cluster: b.cluster, cpu: 'lots', memory: 2048, hako_task_id: 'x' });
    await fn.source.run();
    expect(desired()).toBe(2);
    const dead = account.sqs.pending(fn.dlqUrl);
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0]!.body).error).toMatch(/not a hako oneshot scale-out message: cpu: /);
  });
});
