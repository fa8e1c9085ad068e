import { AutoScalingClient, CompleteLifecycleActionCommand } from '@aws-sdk/client-auto-scaling';
import { DeregisterTargetsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { AutoScalingAdapter } from '../../shared/aws/autoscaling-lifecycle';
import { Elbv2Adapter } from '../../shared/aws/elbv2-targets';

const cfg = { region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 };
const elbMock = mockClient(ElasticLoadBalancingV2Client);
const asgMock = mockClient(AutoScalingClient);
beforeEach(() => {
  elbMock.reset();
  asgMock.reset();
});

describe('Elbv2Adapter', () => {
  it('deregisters targets of one group with instance id and port', async () => {
    elbMock.on(DeregisterTargetsCommand).resolves({});
    await new Elbv2Adapter(new ElasticLoadBalancingV2Client(cfg)).deregisterTargets('tg', [
      { id: 'i-0123456789abcdef0', port: 32768 },
      { id: '10.0.0.5', port: 8080 },
    ]);
    expect(elbMock.commandCalls(DeregisterTargetsCommand)[0]!.args[0].input).toEqual({
      TargetGroupArn: 'tg',
      Targets: [
        { Id: 'i-0123456789abcdef0', Port: 32768 },
        { Id: '10.0.0.5', Port: 8080 },
      ],
    });
  });

  it('reads the state of exactly the asked targets, and counts an unmentioned one as not registered', async () => {
    elbMock.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [{ Target: { Id: '10.0.0.5', Port: 8080 }, TargetHealth: { State: 'draining' } }],
    });
    const states = await new Elbv2Adapter(new ElasticLoadBalancingV2Client(cfg)).targetStates('tg', [
      { id: '10.0.0.5', port: 8080 },
      { id: '10.0.0.6', port: 8080 },
    ]);
    expect(elbMock.commandCalls(DescribeTargetHealthCommand)[0]!.args[0].input.Targets).toHaveLength(2);
    expect(Object.fromEntries(states)).toEqual({ '10.0.0.5:8080': 'draining', '10.0.0.6:8080': 'unused' });
  });
});

describe('AutoScalingAdapter', () => {
  const ref = { autoScalingGroupName: 'asg', lifecycleHookName: 'hook', lifecycleActionToken: 'tok', instanceId: 'i-0123456789abcdef0' };

  it('completes with CONTINUE by token', async () => {
    asgMock.on(CompleteLifecycleActionCommand).resolves({});
    await expect(new AutoScalingAdapter(new AutoScalingClient(cfg)).complete(ref)).resolves.toBe(true);
    expect(asgMock.commandCalls(CompleteLifecycleActionCommand)[0]!.args[0].input).toEqual({
      AutoScalingGroupName: 'asg',
      LifecycleHookName: 'hook',
      LifecycleActionToken: 'tok',
      LifecycleActionResult: 'CONTINUE',
    });
  });

  it('answers false (not an error) when the action was already completed', async () => {
    asgMock.on(CompleteLifecycleActionCommand).rejects(Object.assign(new Error('No active Lifecycle Action found with token tok'), { name: 'ValidationError' }));
    await expect(new AutoScalingAdapter(new AutoScalingClient(cfg)).complete(ref)).resolves.toBe(false);
  });

  it('lets any other error through', async () => {
    asgMock.on(CompleteLifecycleActionCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(new AutoScalingAdapter(new AutoScalingClient(cfg)).complete(ref)).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
