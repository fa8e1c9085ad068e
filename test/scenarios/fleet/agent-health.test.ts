import { DISCONNECTED_SINCE_ATTRIBUTE, RETIRING_ATTRIBUTE } from '../../../shared/tags';
import type { SimulatedAccount } from '../../../sim/account';
import { M5_LARGE } from '../../../sim/builders';
import { joinInstances } from '../../../sim/builders-common';
import { containerInstanceStateChangeEvent } from '../../../sim/ecs-instance-events';
import { capacityCluster, runningOf } from '../../support/capacity-world';
import { agentHealthWorld, instanceAttributes, PERIOD_MS, stoppedBeforeTargetsDrained } from '../../support/agent-health-world';

type Kind = 'asg' | 'ec2Fleet' | 'spotFleet';

/** Four instances of one backend, one `app` task each behind an ALB (30 s deregistration delay). */
function cluster(kind: Kind = 'asg') {
  return capacityCluster({ backend: kind, instances: 4, tasksPerInstance: 1, loadBalanced: { deregistrationDelaySeconds: 30 } });
}

/** The backend's members still running, and its desired / target capacity. */
function backendState(account: SimulatedAccount, kind: Kind, id: string): { alive: string[]; desired: number } {
  const running = (ids: string[]) => ids.filter((i) => account.ec2.instance(i)?.state === 'running');
  if (kind === 'asg') {
    const g = account.autoscaling.groupState(id);
    return { alive: running(g.instances.map((i) => i.instanceId)), desired: g.desired };
  }
  if (kind === 'ec2Fleet') {
    const f = account.ec2.fleets.fleet(id)!;
    return { alive: running(f.instanceIds), desired: f.target };
  }
  const f = account.ec2.spotFleets.fleet(id)!;
  return { alive: running(f.instanceIds), desired: f.targetCapacity };
}

const activeIn = (account: SimulatedAccount, name: string) =>
  account.ecs
    .containerInstancesOf(name)
    .filter((ci) => ci.status === 'ACTIVE')
    .map((ci) => ci.ec2InstanceId);
const draining = (account: SimulatedAccount, name: string) =>
  account.ecs.containerInstancesOf(name).filter((ci) => ci.status === 'DRAINING');

describe('agentHealth: debounce', () => {
  it('a 2-minute disconnect is remembered, then forgotten when the agent is back, and nothing is drained or replaced', async () => {
    const { account, built } = cluster();
    const w = agentHealthWorld(account);
    const victim = built.instances[0]!.instanceId;
    const t0 = account.clock.now();
    account.ecs.setAgentConnected(victim, false);
    const first = w.report(await w.run(), built.cluster);
    expect(first.verdicts).toEqual([expect.objectContaining({ ec2InstanceId: victim, verdict: 'waiting' })]);
    expect(instanceAttributes(account, victim)[DISCONNECTED_SINCE_ATTRIBUTE]).toBe(new Date(t0).toISOString());

    account.advance(2 * 60_000);
    account.ecs.setAgentConnected(victim, true);
    account.clock.set(t0 + PERIOD_MS);
    for (let i = 0; i < 4; i++) await w.period();

    expect(instanceAttributes(account, victim)[DISCONNECTED_SINCE_ATTRIBUTE]).toBeUndefined();
    expect(draining(account, built.cluster)).toEqual([]);
    expect(backendState(account, 'asg', built.backend.id)).toEqual({ alive: expect.arrayContaining([victim]), desired: 4 });
    expect(w.metric(built.cluster, 'agentDrainsStarted')).toBe(0);
    expect(account.calls.filter((c) => /Terminate|UpdateContainerInstancesState/.test(c.operation))).toEqual([]);
  });

  it.each<Kind>(['asg', 'spotFleet', 'ec2Fleet'])(
    '%s: a disconnect that outlasts the configured time is drained, then replaced: new instance launched, old one gone, no task killed while its targets were registered',
    async (kind) => {
      const { account, built } = cluster(kind);
      const w = agentHealthWorld(account, { AGENT_DISCONNECTED_SECONDS: '600' });
      const victim = built.instances[0]!.instanceId;
      account.ecs.setAgentConnected(victim, false);
      const verdicts = [];
      for (let i = 0; i < 3; i++) verdicts.push(w.report(await w.period(), built.cluster));
      expect(verdicts.slice(0, 2).map((r) => r.verdicts[0]?.verdict)).toEqual(['waiting', 'waiting']);
      const acted = verdicts[2]!;
      expect(acted.verdicts[0]).toMatchObject({ ec2InstanceId: victim, verdict: 'replace', disconnectedSeconds: 600 });
      expect(acted.drains.map((d) => d.outcome)).toEqual(['drained']);
      expect(acted.replaced).toEqual([victim]);
      const victimTasks = built.tasks.filter((t) => account.ecs.task(t)?.containerInstanceArn === built.instances[0]!.containerInstanceArn);
      expect(victimTasks.map((t) => account.ecs.task(t)?.lastStatus)).toEqual(['STOPPED']);
      expect(acted.drains[0]!.targetsDeregistered).toBe(1);

      await w.period(); // the backend launches the replacement; it registers with ECS
      const after = backendState(account, kind, built.backend.id);
      expect(after.desired).toBe(4);
      expect(after.alive).toHaveLength(4);
      expect(after.alive).not.toContain(victim);
      expect(account.ec2.instance(victim)?.state).not.toBe('running');
      expect(activeIn(account, built.cluster)).toHaveLength(4);
      expect(activeIn(account, built.cluster)).not.toContain(victim);
      expect(account.ecs.killedByTermination()).toEqual([]);
      expect(stoppedBeforeTargetsDrained(account, built.targetGroupArn!)).toEqual([]);
      expect(runningOf(account, built.cluster, 'app')).toBe(4);
      expect(w.metric(built.cluster, 'agentInstancesReplaced')).toBe(1);
    },
  );
});

describe('agentHealth: circuit breaker', () => {
  it('half the cluster disconnected at once: nothing is drained or replaced, and it alerts (metric and error log)', async () => {
    const { account, built } = cluster();
    const w = agentHealthWorld(account);
    const [a, b] = built.instances.map((i) => i.instanceId);
    account.ecs.setAgentConnected(a!, false);
    account.ecs.setAgentConnected(b!, false);
    let last;
    for (let i = 0; i < 4; i++) last = w.report(await w.period(), built.cluster);
    expect(last!.outcome).toBe('breaker-open');
    expect(last!.breaker).toEqual({ disconnected: 2, total: 4, percent: 50 });
    expect(last!.verdicts.map((v) => v.verdict)).toEqual(['held-by-breaker', 'held-by-breaker']);
    expect(draining(account, built.cluster)).toEqual([]);
    expect(backendState(account, 'asg', built.backend.id).alive).toHaveLength(4);
    expect(w.metric(built.cluster, 'agentBreakerOpen')).toBeGreaterThanOrEqual(2);
    expect(w.logger.entries.some((e) => e.level === 'error' && /circuit breaker open/.test(e.message))).toBe(true);

    // One comes back: 1 of 4 is a bad host, but the outage did not count: its disconnect time
    // runs from the last run that saw the breaker open, so it is replaced only 10 minutes later.
    account.ecs.setAgentConnected(a!, true);
    const next = w.report(await w.period(), built.cluster);
    expect(next.outcome).toBe('checked');
    expect(next.replaced).toEqual([]);
    expect(next.verdicts.find((v) => v.ec2InstanceId === b)).toMatchObject({ verdict: 'waiting', disconnectedSeconds: 300 });
    const later = w.report(await w.period(), built.cluster);
    expect(later.replaced).toEqual([b]);
  });
});

describe('agentHealth: report-only', () => {
  it('reports what it would replace and changes nothing but its disconnected-since record', async () => {
    const { account, built } = cluster();
    const w = agentHealthWorld(account, { DRY_RUN: 'true' });
    const victim = built.instances[1]!.instanceId;
    account.ecs.setAgentConnected(victim, false);
    let last;
    for (let i = 0; i < 4; i++) last = w.report(await w.period(), built.cluster);
    expect(last!.reportOnly).toBe(true);
    expect(last!.verdicts).toEqual([expect.objectContaining({ ec2InstanceId: victim, verdict: 'replace' })]);
    expect(last!.steps.filter((s) => s.kind !== 'markDisconnected').every((s) => s.skipped === 'report-only')).toBe(true);
    expect(last!.replaced).toEqual([]);
    expect(draining(account, built.cluster)).toEqual([]);
    expect(backendState(account, 'asg', built.backend.id).alive).toContain(victim);
    expect(instanceAttributes(account, victim)[DISCONNECTED_SINCE_ATTRIBUTE]).toBeDefined();
    expect(instanceAttributes(account, victim)[RETIRING_ATTRIBUTE]).toBeUndefined();
    expect(account.calls.filter((c) => /Terminate|UpdateContainerInstancesState|DeregisterTargets|StopTask/.test(c.operation))).toEqual([]);
  });
});

describe('agentHealth: event trigger', () => {
  it('a state-change event dates the disconnect from its updatedAt, so the run at the configured time acts', async () => {
    const { account, built } = cluster();
    const w = agentHealthWorld(account);
    const victim = built.instances[2]!.instanceId;
    const t0 = account.clock.now();
    account.ecs.setAgentConnected(victim, false);
    const event = containerInstanceStateChangeEvent(account, victim);
    account.advance(30_000); // delivered in the usual seconds
    const onEvent = w.report(await w.run(event), built.cluster);
    expect(onEvent.verdicts[0]).toMatchObject({ ec2InstanceId: victim, verdict: 'waiting', disconnectedSeconds: 30 });
    expect(instanceAttributes(account, victim)[DISCONNECTED_SINCE_ATTRIBUTE]).toBe(new Date(t0).toISOString());

    account.clock.set(t0 + 600_000);
    const r = w.report(await w.run(), built.cluster);
    expect(r.replaced).toEqual([victim]);
  });

  it('a late event (retried for minutes) about an earlier disconnect does not date a fresh one: counted from now', async () => {
    const { account, built } = cluster();
    const w = agentHealthWorld(account);
    const victim = built.instances[2]!.instanceId;
    account.ecs.setAgentConnected(victim, false);
    const event = containerInstanceStateChangeEvent(account, victim); // the first disconnect, at t0
    account.ecs.setAgentConnected(victim, true);
    account.advance(10 * 60_000); // delivered after retries, during a fresh blip
    account.ecs.setAgentConnected(victim, false);
    const delivered = account.clock.now();
    const onEvent = w.report(await w.run(event), built.cluster);
    expect(onEvent.verdicts[0]).toMatchObject({ ec2InstanceId: victim, verdict: 'waiting', disconnectedSeconds: 0 });
    expect(instanceAttributes(account, victim)[DISCONNECTED_SINCE_ATTRIBUTE]).toBe(new Date(delivered).toISOString());
    account.advance(60_000);
    expect(w.report(await w.run(), built.cluster).replaced).toEqual([]);
  });

  it('an event for a cluster not watched leaves it alone; a malformed event is dead-lettered and the run goes on', async () => {
    const { account, built } = cluster();
    const dlq = account.sqs.createQueue('agent-health-dlq');
    const w = agentHealthWorld(account, { CLUSTERS: 'other', DEAD_LETTER_QUEUE_NAME: 'agent-health-dlq' });
    account.ecs.setAgentConnected(built.instances[0]!.instanceId, false);
    const r = w.report(await w.run(containerInstanceStateChangeEvent(account, built.instances[0]!.instanceId)), built.cluster);
    expect(r.outcome).toBe('not-managed');
    expect(account.calls.filter((c) => c.operation === 'PutAttributes')).toEqual([]);

    const bad = { ...containerInstanceStateChangeEvent(account, built.instances[0]!.instanceId), detail: { agentConnected: 'no' } };
    const rejected = await w.run(bad);
    expect(rejected).toMatchObject({ outcome: 'rejected', error: expect.stringMatching(/detail\.agentConnected.*detail\.clusterArn/s) });
    expect(account.sqs.messages(dlq)).toHaveLength(1);
    expect(w.metrics.values.get('agentHealthEventsRejected')).toBe(1);
  });
});

describe('agentHealth: instances that are not ours', () => {
  it('an instance launched by no backend of ours is reported, not touched', async () => {
    const { account, built } = capacityCluster({ backend: 'asg', instances: 3, tasksPerInstance: 1 });
    const [stray] = joinInstances(account, built.cluster, 1, M5_LARGE, { lifecycle: 'on-demand' });
    const w = agentHealthWorld(account);
    account.ecs.setAgentConnected(stray!.instanceId, false);
    let last;
    for (let i = 0; i < 3; i++) last = w.report(await w.period(), built.cluster);
    expect(last!.verdicts).toEqual([expect.objectContaining({ ec2InstanceId: stray!.instanceId, verdict: 'not-ours' })]);
    expect(w.metric(built.cluster, 'agentInstancesNotOurs')).toBe(1);
    expect(account.ec2.instance(stray!.instanceId)?.state).toBe('running');
    expect(draining(account, built.cluster)).toEqual([]);
  });
});
