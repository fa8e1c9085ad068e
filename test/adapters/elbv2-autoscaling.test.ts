import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeLifecycleHooksCommand,
  RecordLifecycleActionHeartbeatCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DeregisterTargetsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { LifecycleAdapter } from '../../shared/aws/autoscaling-lifecycle';
import { TargetsAdapter } from '../../shared/aws/elbv2-targets';

const cfg = { region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 };
const elbMock = mockClient(ElasticLoadBalancingV2Client);
const asgMock = mockClient(AutoScalingClient);
const targets = () => new TargetsAdapter(new ElasticLoadBalancingV2Client(cfg));
const lifecycle = () => new LifecycleAdapter(new AutoScalingClient(cfg));
beforeEach(() => {
  elbMock.reset();
  asgMock.reset();
});

describe('TargetsAdapter', () => {
  it('deregisters targets of one group with instance id and port', async () => {
    elbMock.on(DeregisterTargetsCommand).resolves({});
    const signal = new AbortController().signal;
    await targets().deregister(
      'tg',
      [
        { id: 'i-0123456789abcdef0', port: 32768 },
        { id: '10.0.0.5', port: 8080 },
      ],
      { signal },
    );
    const call = elbMock.commandCalls(DeregisterTargetsCommand)[0]!;
    expect(call.args[0].input).toEqual({
      TargetGroupArn: 'tg',
      Targets: [
        { Id: 'i-0123456789abcdef0', Port: 32768 },
        { Id: '10.0.0.5', Port: 8080 },
      ],
    });
    expect((call.args as unknown[])[1]).toEqual({ abortSignal: signal });
  });

  it('reads the health of the whole group in one call (no Targets asked), draining targets included', async () => {
    elbMock.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: 'i-0123456789abcdef0', Port: 32768 }, TargetHealth: { State: 'draining' } },
        { Target: { Id: 'i-0fedcba9876543210', Port: 32770 }, TargetHealth: { State: 'healthy' } },
      ],
    });
    const health = await targets().groupHealth('tg');
    const calls = elbMock.commandCalls(DescribeTargetHealthCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({ TargetGroupArn: 'tg' });
    expect(health).toEqual([
      { id: 'i-0123456789abcdef0', port: 32768, state: 'draining' },
      { id: 'i-0fedcba9876543210', port: 32770, state: 'healthy' },
    ]);
  });

  it("reads the group's deregistration delay, 300 s when the attribute is missing", async () => {
    elbMock
      .on(DescribeTargetGroupAttributesCommand, { TargetGroupArn: 'tg30' })
      .resolves({ Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }] });
    elbMock
      .on(DescribeTargetGroupAttributesCommand, { TargetGroupArn: 'bare' })
      .resolves({ Attributes: [{ Key: 'stickiness.enabled', Value: 'false' }] });
    await expect(targets().deregistrationDelaySeconds('tg30')).resolves.toBe(30);
    await expect(targets().deregistrationDelaySeconds('bare')).resolves.toBe(300);
    expect(elbMock.commandCalls(DescribeTargetGroupAttributesCommand).map((c) => c.args[0].input)).toEqual([
      { TargetGroupArn: 'tg30' },
      { TargetGroupArn: 'bare' },
    ]);
  });
});

describe('LifecycleAdapter', () => {
  const ref = { autoScalingGroupName: 'asg', lifecycleHookName: 'hook', lifecycleActionToken: 'tok', instanceId: 'i-0123456789abcdef0' };
  const actionOver = () => Object.assign(new Error('No active Lifecycle Action found with token tok'), { name: 'ValidationError' });

  it('completes with CONTINUE by token', async () => {
    asgMock.on(CompleteLifecycleActionCommand).resolves({});
    await expect(lifecycle().complete(ref)).resolves.toBe(true);
    expect(asgMock.commandCalls(CompleteLifecycleActionCommand)[0]!.args[0].input).toEqual({
      AutoScalingGroupName: 'asg',
      LifecycleHookName: 'hook',
      LifecycleActionToken: 'tok',
      LifecycleActionResult: 'CONTINUE',
    });
  });

  it('completes with the result asked for', async () => {
    asgMock.on(CompleteLifecycleActionCommand).resolves({});
    await lifecycle().complete(ref, 'ABANDON');
    expect(asgMock.commandCalls(CompleteLifecycleActionCommand)[0]!.args[0].input.LifecycleActionResult).toBe('ABANDON');
  });

  it('answers false (not an error) when the action was already completed', async () => {
    asgMock.on(CompleteLifecycleActionCommand).rejects(actionOver());
    await expect(lifecycle().complete(ref)).resolves.toBe(false);
  });

  it('lets any other error through', async () => {
    asgMock.on(CompleteLifecycleActionCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(lifecycle().complete(ref)).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('records a heartbeat by token, answering false once the action is over and letting other errors through', async () => {
    asgMock
      .on(RecordLifecycleActionHeartbeatCommand)
      .resolvesOnce({})
      .rejectsOnce(actionOver())
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(lifecycle().recordHeartbeat(ref)).resolves.toBe(true);
    expect(asgMock.commandCalls(RecordLifecycleActionHeartbeatCommand)[0]!.args[0].input).toEqual({
      AutoScalingGroupName: 'asg',
      LifecycleHookName: 'hook',
      LifecycleActionToken: 'tok',
    });
    await expect(lifecycle().recordHeartbeat(ref)).resolves.toBe(false);
    await expect(lifecycle().recordHeartbeat(ref)).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('describes the hook: GlobalTimeout from the answer, else min(48 h, 100 × HeartbeatTimeout); undefined for an unknown hook', async () => {
    asgMock.on(DescribeLifecycleHooksCommand, { AutoScalingGroupName: 'explicit' }).resolves({
      LifecycleHooks: [{ LifecycleHookName: 'hook', HeartbeatTimeout: 300, GlobalTimeout: 9000, DefaultResult: 'CONTINUE' }],
    });
    asgMock
      .on(DescribeLifecycleHooksCommand, { AutoScalingGroupName: 'short' })
      .resolves({ LifecycleHooks: [{ LifecycleHookName: 'hook', HeartbeatTimeout: 300 }] });
    asgMock
      .on(DescribeLifecycleHooksCommand, { AutoScalingGroupName: 'long' })
      .resolves({ LifecycleHooks: [{ LifecycleHookName: 'hook', HeartbeatTimeout: 7200 }] });
    asgMock.on(DescribeLifecycleHooksCommand, { AutoScalingGroupName: 'none' }).resolves({ LifecycleHooks: [] });
    const a = lifecycle();
    await expect(a.describeHook('explicit', 'hook')).resolves.toEqual({
      heartbeatTimeoutSeconds: 300,
      globalTimeoutSeconds: 9000,
      defaultResult: 'CONTINUE',
    });
    await expect(a.describeHook('short', 'hook')).resolves.toEqual({
      heartbeatTimeoutSeconds: 300,
      globalTimeoutSeconds: 30_000,
      defaultResult: 'ABANDON',
    });
    await expect(a.describeHook('long', 'hook')).resolves.toMatchObject({ heartbeatTimeoutSeconds: 7200, globalTimeoutSeconds: 172_800 });
    await expect(a.describeHook('none', 'hook')).resolves.toBeUndefined();
    expect(asgMock.commandCalls(DescribeLifecycleHooksCommand)[0]!.args[0].input).toEqual({
      AutoScalingGroupName: 'explicit',
      LifecycleHookNames: ['hook'],
    });
  });

  it("reads the group's tags, undefined when the group does not exist", async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ['asg'] }).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'asg',
          MinSize: 0,
          MaxSize: 3,
          DesiredCapacity: 1,
          DefaultCooldown: 300,
          AvailabilityZones: ['eu-west-1a'],
          HealthCheckType: 'EC2',
          CreatedTime: new Date(0),
          Tags: [{ Key: 'ecs-steady', Value: 'true' }],
        },
      ],
    });
    asgMock.on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ['gone'] }).resolves({ AutoScalingGroups: [] });
    await expect(lifecycle().groupTags('asg')).resolves.toEqual(new Map([['ecs-steady', 'true']]));
    await expect(lifecycle().groupTags('gone')).resolves.toBeUndefined();
  });
});
