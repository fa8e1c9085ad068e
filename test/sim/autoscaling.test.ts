import {
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeLifecycleHooksCommand,
  paginateDescribeAutoScalingGroups,
  RecordLifecycleActionHeartbeatCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { SimulatedAccount } from '../../sim/account';
import { buildAsgCluster } from '../../sim/builders';

function setup(opts: { heartbeatTimeout?: number; defaultResult?: 'CONTINUE' | 'ABANDON' } = {}) {
  const account = new SimulatedAccount();
  const c = buildAsgCluster(account, opts);
  return { account, autoscaling: account.clients().autoscaling, c };
}

describe('simulated Auto Scaling lifecycle hooks', () => {
  it('describes the hook with GlobalTimeout = min(48 h, 100 × heartbeat)', async () => {
    const { autoscaling, c } = setup({ heartbeatTimeout: 300 });
    const out = await autoscaling.send(
      new DescribeLifecycleHooksCommand({ AutoScalingGroupName: c.asgName, LifecycleHookNames: [c.hookName] }),
    );
    expect(out.LifecycleHooks).toEqual([
      {
        LifecycleHookName: 'ecs-steady-drain',
        AutoScalingGroupName: 'ecs-web-ondemand',
        LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
        HeartbeatTimeout: 300,
        GlobalTimeout: 30_000,
        DefaultResult: 'CONTINUE',
        NotificationMetadata: '{"cluster":"web-od"}',
      },
    ]);
    const long = setup({ heartbeatTimeout: 7200 });
    const hooks = await long.autoscaling.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: long.c.asgName }));
    expect(hooks.LifecycleHooks![0]!.GlobalTimeout).toBe(172_800);
  });

  it('sends the terminate lifecycle event exactly as EventBridge delivers it and puts the instance in Terminating:Wait', async () => {
    const { account, autoscaling, c } = setup();
    const instanceId = c.instances[0]!.instanceId;
    const event = account.autoscaling.beginTermination(c.asgName, instanceId);
    expect(event).toEqual({
      version: '0',
      id: expect.any(String),
      'detail-type': 'EC2 Instance-terminate Lifecycle Action',
      source: 'aws.autoscaling',
      account: '123456789012',
      time: '2026-11-23T10:00:00Z',
      region: 'eu-west-1',
      resources: [c.asgArn],
      detail: {
        LifecycleActionToken: expect.stringMatching(/^[0-9a-f-]{36}$/),
        AutoScalingGroupName: 'ecs-web-ondemand',
        LifecycleHookName: 'ecs-steady-drain',
        EC2InstanceId: instanceId,
        LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
        NotificationMetadata: '{"cluster":"web-od"}',
        Origin: 'AutoScalingGroup',
        Destination: 'EC2',
      },
    });
    const group = (await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [c.asgName] })))
      .AutoScalingGroups![0]!;
    expect(group.Instances!.find((i) => i.InstanceId === instanceId)!.LifecycleState).toBe('Terminating:Wait');
  });

  it('pushes the timeout on each heartbeat, then applies the default result and terminates the instance', async () => {
    const { account, autoscaling, c } = setup({ heartbeatTimeout: 300, defaultResult: 'ABANDON' });
    const instanceId = c.instances[0]!.instanceId;
    const { detail } = account.autoscaling.beginTermination(c.asgName, instanceId);
    const ref = { AutoScalingGroupName: c.asgName, LifecycleHookName: c.hookName };

    account.advance(200_000);
    await autoscaling.send(new RecordLifecycleActionHeartbeatCommand({ ...ref, LifecycleActionToken: detail.LifecycleActionToken }));
    account.advance(200_000); // 400 s after the start: alive only thanks to the heartbeat
    await autoscaling.send(new RecordLifecycleActionHeartbeatCommand({ ...ref, InstanceId: instanceId }));
    expect(account.ec2.instance(instanceId)!.state).toBe('running');

    account.advance(299_999);
    expect(account.autoscaling.lifecycleAction(detail.LifecycleActionToken)!.completedAt).toBeUndefined();
    account.advance(1);
    const action = account.autoscaling.lifecycleAction(detail.LifecycleActionToken)!;
    expect(action).toMatchObject({ result: 'ABANDON', timedOut: true, completedAt: action.startedAt + 700_000 });
    expect(action.heartbeats).toEqual([action.startedAt + 200_000, action.startedAt + 400_000]);
    expect(account.ec2.instance(instanceId)!.state).toBe('terminated');
    // Its ECS tasks went with it.
    expect(account.ecs.tasksOn(instanceId).every((t) => t.lastStatus === 'STOPPED')).toBe(true);

    await expect(
      autoscaling.send(
        new CompleteLifecycleActionCommand({
          ...ref,
          LifecycleActionToken: detail.LifecycleActionToken,
          LifecycleActionResult: 'CONTINUE',
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: `No active Lifecycle Action found with token ${detail.LifecycleActionToken}`,
    });
  });

  it('CONTINUE completes the action and terminates the instance; a second completion is an error naming the token or instance', async () => {
    const { account, autoscaling, c } = setup();
    const instanceId = c.instances[1]!.instanceId;
    const { detail } = account.autoscaling.beginTermination(c.asgName, instanceId);
    const ref = { AutoScalingGroupName: c.asgName, LifecycleHookName: c.hookName };
    account.advance(42_000);
    await autoscaling.send(
      new CompleteLifecycleActionCommand({ ...ref, LifecycleActionToken: detail.LifecycleActionToken, LifecycleActionResult: 'CONTINUE' }),
    );
    expect(account.autoscaling.lifecycleAction(detail.LifecycleActionToken)).toMatchObject({
      result: 'CONTINUE',
      timedOut: false,
      completedAt: account.clock.now(),
    });
    expect(account.ec2.instance(instanceId)!.state).toBe('terminated');
    await expect(autoscaling.send(new RecordLifecycleActionHeartbeatCommand({ ...ref, InstanceId: instanceId }))).rejects.toThrow(
      `No active Lifecycle Action found with instance ID ${instanceId}`,
    );
  });
});

describe('simulated Auto Scaling capacity', () => {
  it('refuses a desired capacity outside min..max with AWS wording', async () => {
    const { autoscaling, c } = setup();
    await expect(autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: c.asgName, DesiredCapacity: 7 }))).rejects.toThrow(
      'New SetDesiredCapacity value 7 is above max value 6 for the AutoScalingGroup.',
    );
  });

  it('launches to a higher desired capacity; the new instances join ECS after they boot', async () => {
    const { account, autoscaling, c } = setup();
    await autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: c.asgName, DesiredCapacity: 5 }));
    const group = (await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [c.asgName] })))
      .AutoScalingGroups![0]!;
    expect(group.DesiredCapacity).toBe(5);
    const fresh = group.Instances!.map((i) => i.InstanceId!).filter((id) => !c.instances.some((x) => x.instanceId === id));
    expect(fresh).toHaveLength(2);
    account.advance(60_000);
    for (const id of fresh) expect(account.ecs.containerInstanceRecord(id)).toMatchObject({ status: 'ACTIVE', cluster: 'web-od' });
  });

  it('terminates a chosen instance with decrement through the lifecycle hook, and keeps min size', async () => {
    const account = new SimulatedAccount();
    const c = buildAsgCluster(account, { instances: 2 });
    const { autoscaling } = account.clients();
    const victim = c.instances[1]!.instanceId;
    const out = await autoscaling.send(
      new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: victim, ShouldDecrementDesiredCapacity: true }),
    );
    expect(out.Activity).toMatchObject({
      AutoScalingGroupName: c.asgName,
      StatusCode: 'InProgress',
      Description: `Terminating EC2 instance: ${victim}`,
    });
    expect(account.autoscaling.groupState(c.asgName).desired).toBe(1);
    expect(account.autoscaling.events()).toHaveLength(1);
    expect(account.autoscaling.lifecycleActions()[0]!.instanceId).toBe(victim);
    expect(account.autoscaling.lifecycleActions()[0]!.completedAt).toBeUndefined();
    expect(account.ec2.instance(victim)!.state).toBe('running'); // waiting on the hook
    await expect(
      autoscaling.send(
        new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: c.instances[0]!.instanceId, ShouldDecrementDesiredCapacity: true }),
      ),
    ).rejects.toThrow('Currently, desiredSize equals minSize (1).');
  });

  it('pages DescribeAutoScalingGroups', async () => {
    const account = new SimulatedAccount();
    for (let i = 0; i < 5; i++) account.autoscaling.createGroup({ name: `g${i}`, min: 0, max: 1, desired: 0, instanceIds: [] });
    const names: string[] = [];
    for await (const p of paginateDescribeAutoScalingGroups({ client: account.clients().autoscaling, pageSize: 2 }, {})) {
      expect(p.AutoScalingGroups!.length).toBeLessThanOrEqual(2);
      names.push(...p.AutoScalingGroups!.map((g) => g.AutoScalingGroupName!));
    }
    expect(names).toEqual(['g0', 'g1', 'g2', 'g3', 'g4']);
  });
});
