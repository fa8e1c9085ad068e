import { AlarmsAdapter } from '../../../shared/aws/cloudwatch-alarms';
import { InstanceOriginsAdapter } from '../../../shared/aws/ec2-instance-origins';
import { StopTimeoutsAdapter } from '../../../shared/aws/ecs-stop-timeouts';
import { LoadBalancersAdapter } from '../../../shared/aws/elbv2-load-balancers';
import { QueueLookupAdapter } from '../../../shared/aws/sqs-queue-lookup';
import { SimulatedAccount } from '../../../sim/account';
import { container } from '../../../sim/builders-common';

describe('preflight adapters on the simulated account', () => {
  it('reads every alarm under a prefix, 100 a page, and none of another prefix', async () => {
    const account = new SimulatedAccount();
    for (let i = 0; i < 230; i++) account.cloudwatch.putAlarm({ name: `ecs-steady-prod-a${String(i).padStart(3, '0')}` });
    account.cloudwatch.putAlarm({ name: 'ecs-steady-dev-a000' });
    const names = await new AlarmsAdapter(account.clients().cloudwatch).metricAlarmNames('ecs-steady-prod-');
    expect(names).toHaveLength(230);
    expect(
      account.calls.filter((c) => c.operation === 'DescribeAlarms').map((c) => (c.input as { MaxRecords: number }).MaxRecords),
    ).toEqual([100, 100, 100]);
  });

  it('answers whether a queue exists', async () => {
    const account = new SimulatedAccount();
    account.sqs.createQueue('there');
    const q = new QueueLookupAdapter(account.clients().sqs);
    await expect(q.exists('there')).resolves.toBe(true);
    await expect(q.exists('gone')).resolves.toBe(false);
  });

  it("reads an ALB's idle timeout (default 60 s, or as modified) and each NLB TCP listener's (default 350 s)", async () => {
    const account = new SimulatedAccount();
    const alb = account.elbv2.createLoadBalancer('web');
    const tuned = account.elbv2.createLoadBalancer('tuned');
    account.elbv2.balancers.setIdleTimeout(tuned, 120);
    const nlb = account.elbv2.createLoadBalancer('tcp', 'net');
    account.elbv2.balancers.createListener(nlb, { port: 443, protocol: 'TLS' });
    account.elbv2.balancers.createListener(nlb, { port: 5432, tcpIdleTimeoutSeconds: 600 });
    account.elbv2.balancers.createListener(nlb, { port: 53, protocol: 'UDP' });
    const lbs = new LoadBalancersAdapter(account.clients().elbv2);
    expect((await lbs.idleTimeouts(alb)).idleTimeouts).toEqual([{ seconds: 60 }]);
    expect((await lbs.idleTimeouts(tuned)).idleTimeouts).toEqual([{ seconds: 120 }]);
    expect(await lbs.idleTimeouts(nlb)).toMatchObject({
      name: 'tcp',
      type: 'network',
      idleTimeouts: [
        { listener: 'TLS 443', seconds: 350 },
        { listener: 'TCP 5432', seconds: 600 },
      ],
    });
  });

  it('reads target groups 20 a call with their deregistration delay and load balancers', async () => {
    const account = new SimulatedAccount();
    const alb = account.elbv2.createLoadBalancer('web');
    const arns = Array.from({ length: 25 }, (_, i) =>
      account.elbv2.createTargetGroup({
        name: `tg-${i}`,
        targetType: 'ip',
        port: 80,
        deregistrationDelaySeconds: i,
        loadBalancerArns: [alb],
      }),
    );
    const groups = await new LoadBalancersAdapter(account.clients().elbv2).targetGroups(arns);
    expect(groups.map((g) => g.deregistrationDelaySeconds).sort((a, b) => a - b)).toEqual(arns.map((_, i) => i));
    expect(groups.every((g) => g.loadBalancerArns[0] === alb)).toBe(true);
    expect(
      account.calls
        .filter((c) => c.operation === 'DescribeTargetGroups')
        .map((c) => (c.input as { TargetGroupArns: string[] }).TargetGroupArns.length),
    ).toEqual([20, 5]);
  });

  it("tells Spot from on-demand and the launcher from AWS's tags; an instance EC2 forgot is left out", async () => {
    const account = new SimulatedAccount();
    const spot = account.ec2.launchInstance({ lifecycle: 'spot', asgName: 'web-asg' });
    const od = account.ec2.launchInstance({});
    const origins = await new InstanceOriginsAdapter(account.clients().ec2).byInstanceIds([
      spot.instanceId,
      od.instanceId,
      'i-0123456789abcdef0',
    ]);
    expect(origins).toEqual([
      { instanceId: spot.instanceId, spot: true, instanceType: 'm5.large', launchedBy: { kind: 'asg', id: 'web-asg' } },
      { instanceId: od.instanceId, spot: false, instanceType: 'm5.large' },
    ]);
  });

  it('takes the longest container stopTimeout of a task definition, none when no container sets one', async () => {
    const account = new SimulatedAccount();
    const set = account.ecs.registerTaskDefinition({
      family: 'a',
      containerDefinitions: [
        { ...container('a', 'web', 256, 512), stopTimeout: 20 },
        { ...container('a', 'sidecar', 128, 256), stopTimeout: 90 },
      ],
    });
    const unset = account.ecs.registerTaskDefinition({ family: 'b', containerDefinitions: [container('b', 'web', 256, 512)] });
    const facts = await new StopTimeoutsAdapter(account.clients().ecs).of([set.taskDefinitionArn!, unset.taskDefinitionArn!]);
    expect(facts.get(set.taskDefinitionArn!)).toEqual({ stopTimeoutSeconds: 90, cpu: 384, memory: 768 });
    expect(facts.get(unset.taskDefinitionArn!)).toEqual({ cpu: 256, memory: 512 });
  });
});
