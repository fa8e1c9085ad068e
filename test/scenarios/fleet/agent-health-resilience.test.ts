import { SimulatedAccount } from '../../../sim/account';
import { buildCapacityCluster } from '../../../sim/builders-capacity';
import { serverError } from '../../../sim/errors';
import { RETIRING_ATTRIBUTE } from '../../../shared/tags';
import { capacityCluster, runningOf } from '../../support/capacity-world';
import { agentHealthWorld, instanceAttributes, stoppedBeforeTargetsDrained } from '../../support/agent-health-world';

describe('agentHealth: drains that span runs, and failures', () => {
  it('a drain that outlasts one run (300 s deregistration delay) is resumed by the next, and the instance is replaced only once empty', async () => {
    const { account, built } = capacityCluster({
      backend: 'asg',
      instances: 4,
      tasksPerInstance: 1,
      loadBalanced: { deregistrationDelaySeconds: 300 },
    });
    const w = agentHealthWorld(account);
    const victim = built.instances[0]!.instanceId;
    account.ecs.setAgentConnected(victim, false);
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(w.report(await w.period(), built.cluster));
    const started = runs[2]!;
    expect(started.verdicts[0]).toMatchObject({ verdict: 'replace' });
    expect(started.drains.map((d) => d.outcome)).toEqual(['handed-on']);
    expect(started.replaced).toEqual([]);
    expect(started.steps.find((s) => s.kind === 'retire')?.detail).toMatch(/^draining: the drain ended handed-on/);
    expect(runs[3]!.verdicts[0]).toMatchObject({ ec2InstanceId: victim, verdict: 'resume' });
    expect(runs[3]!.replaced).toEqual([victim]);
    // How the second run knew the drain was ours: retire's one mark, an attribute tagging rights cannot write.
    expect(instanceAttributes(account, victim)[RETIRING_ATTRIBUTE]).toMatch(/^agent-unhealthy@\d{4}-/);
    expect(account.ec2.instance(victim)?.state).not.toBe('running');
    expect(account.autoscaling.groupState(built.backend.id).desired).toBe(4);
    expect(account.ecs.killedByTermination()).toEqual([]);
    expect(stoppedBeforeTargetsDrained(account, built.targetGroupArn!)).toEqual([]);
    expect(runningOf(account, built.cluster, 'app')).toBe(4);
  });

  it('a cluster whose reads keep failing is reported as an error while the other is healed', async () => {
    const account = new SimulatedAccount();
    const good = buildCapacityCluster(account, { cluster: 'good', backend: 'asg', instances: 3, tasksPerInstance: 1 });
    buildCapacityCluster(account, { cluster: 'down', backend: 'spotFleet', instances: 3, tasksPerInstance: 1 });
    account.failNext('ecs', 'ListContainerInstances', () => serverError('ecs'), {
      times: 1000,
      when: (input: { cluster?: string }) => input.cluster === 'down',
    });
    const w = agentHealthWorld(account);
    const victim = good.instances[1]!.instanceId;
    account.ecs.setAgentConnected(victim, false);
    let result;
    for (let i = 0; i < 3; i++) result = await w.period();
    expect(w.report(result!, 'down')).toMatchObject({
      outcome: 'error',
      error: expect.stringMatching(/ServiceUnavailable|InternalFailure|Server/),
    });
    expect(w.report(result!, 'good').replaced).toEqual([victim]);
    expect(w.metric('down', 'agentHealthErrors')).toBe(3);
    expect(w.metric('good', 'agentHealthErrors')).toBe(0);
  });

  it('a replacement the backend refuses (failing past the SDK retries) is reported as a failed step and retried by the next run', async () => {
    const { account, built } = capacityCluster({ backend: 'asg', instances: 4, tasksPerInstance: 1 });
    const w = agentHealthWorld(account);
    const victim = built.instances[3]!.instanceId;
    account.ecs.setAgentConnected(victim, false);
    await w.period();
    await w.period();
    account.failNext('autoscaling', 'TerminateInstanceInAutoScalingGroup', () => serverError('autoscaling'), { times: 10 });
    const failed = w.report(await w.period(), built.cluster);
    expect(failed.steps.find((s) => s.kind === 'retire')).toMatchObject({ ok: false, error: expect.any(String) });
    expect(w.metric(built.cluster, 'agentStepFailures')).toBe(1);
    const retried = w.report(await w.period(), built.cluster);
    expect(retried.verdicts[0]).toMatchObject({ verdict: 'resume' });
    expect(retried.replaced).toEqual([victim]);
    expect(account.autoscaling.groupState(built.backend.id).desired).toBe(4);
  });
});

describe('agentHealth: a run that cannot find the backends', () => {
  it('reports every configured cluster as an error, with its metric, and changes nothing', async () => {
    const { account, built } = capacityCluster({ backend: 'asg', instances: 3, tasksPerInstance: 1 });
    account.failNext('autoscaling', 'DescribeAutoScalingGroups', () => serverError('autoscaling'), { times: 100 });
    const w = agentHealthWorld(account, { CLUSTERS: built.cluster });
    account.ecs.setAgentConnected(built.instances[0]!.instanceId, false);
    const r = w.report(await w.run(), built.cluster);
    expect(r).toMatchObject({ outcome: 'error', error: expect.stringMatching(/could not be discovered/) });
    expect(w.metric(built.cluster, 'agentHealthErrors')).toBe(1);
    expect(account.calls.filter((c) => c.operation === 'PutAttributes')).toEqual([]);
  });
});
