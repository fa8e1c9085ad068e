import { sqsRecord } from '../../support/sqs-records';
import { SimulatedAccount } from '../../../sim/account';
import { buildAsgCluster } from '../../../sim/builders';
import { setupAsgDrain } from '../../support/asg-drain';

describe('asgLifecycleDrain on the simulated account', () => {
  it('completes our hook at once for an instance that is in no cluster', async () => {
    const account = new SimulatedAccount();
    const c = buildAsgCluster(account);
    const { source, publish, logger } = setupAsgDrain(account);
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
    const { source, publish, dlqUrl } = setupAsgDrain(account);
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
    const { handler, dlqUrl } = setupAsgDrain(account);
    const good = account.autoscaling.beginTermination(c.asgName, c.instances[0]!.instanceId);
    const bad = { ...good, detail: { ...good.detail, EC2InstanceId: 'not-an-instance', LifecycleActionToken: '' } };

    const response = await handler({
      Records: [sqsRecord('m-bad', JSON.stringify(bad)), sqsRecord('m-junk', '{not json'), sqsRecord('m-good', JSON.stringify(good))],
    });

    expect(response.batchItemFailures).toEqual([]);
    const parked = account.sqs.pending(dlqUrl).map((m) => JSON.parse(m.body));
    expect(parked).toHaveLength(2);
    expect(parked[0].error).toMatch(/detail\.EC2InstanceId: expected an EC2 instance id/);
    expect(parked[0].error).toMatch(/detail\.LifecycleActionToken/);
    expect(parked[1].error).toMatch(/not JSON/);
    expect(account.autoscaling.lifecycleAction(good.detail.LifecycleActionToken)!.result).toBe('CONTINUE');
  });

  it('refuses loudly an event that is not an SQS event (a raw lifecycle event sent by hand), changing nothing', async () => {
    const account = new SimulatedAccount();
    const c = buildAsgCluster(account);
    const { handler } = setupAsgDrain(account);
    const raw = account.autoscaling.beginTermination(c.asgName, c.instances[0]!.instanceId);

    await expect(handler(raw as never)).rejects.toThrow(/asgLifecycleDrain is fed by an SQS queue .* got an EventBridge event/);
    expect(account.countCalls('ecs', 'UpdateContainerInstancesState')).toBe(0);
    expect(account.autoscaling.lifecycleAction(raw.detail.LifecycleActionToken)!.result).toBeUndefined();
  });

  it("acknowledges Auto Scaling's test notification (sent when a hook's target is set up): nothing dead-lettered, nothing drained", async () => {
    const account = new SimulatedAccount();
    const c = buildAsgCluster(account);
    const { source, publish, dlqUrl, logger } = setupAsgDrain(account);
    publish({
      AccountId: account.accountId,
      RequestId: 'a1b2c3d4-0000-4000-8000-000000000000',
      AutoScalingGroupARN: `arn:aws:autoscaling:eu-west-1:${account.accountId}:autoScalingGroup:0:autoScalingGroupName/${c.asgName}`,
      AutoScalingGroupName: c.asgName,
      Service: 'AWS Auto Scaling',
      Event: 'autoscaling:TEST_NOTIFICATION',
      Time: new Date(account.clock.now()).toISOString(),
    });
    await source.run();

    expect(account.sqs.pending(dlqUrl)).toEqual([]);
    expect(account.countCalls('ecs', 'UpdateContainerInstancesState')).toBe(0);
    expect(logger.messages()).toContain('auto scaling test notification: nothing to drain');
  });

  it("leaves another team's hook alone: no heartbeat, no completion", async () => {
    const account = new SimulatedAccount();
    const c = buildAsgCluster(account);
    const { source, publish, logger } = setupAsgDrain(account);
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

  it('names every bad field of a malformed lifecycle event in the dead-letter message', async () => {
    const account = new SimulatedAccount();
    buildAsgCluster(account);
    const { source, publish, dlqUrl } = setupAsgDrain(account);

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
