import { INTERRUPTED_AT_TAG } from '../../../shared/tags';
import { makeHandler, type Deps } from '../../../functions/nlb-target-sync/handler';

import type { SyncReport } from '../../../shared/fleet/nlb-targets/run';
import { SimulatedAccount } from '../../../sim/account';
import { container, joinInstances, M5_LARGE } from '../../../sim/builders-common';
import { containerInstanceStateChangeEvent } from '../../../sim/ecs-instance-events';
import { recordingLogger, recordingMetrics } from '../../support/recorders';

const PORT = 24224;

/** Two clusters, each with its own NLB ip target group for the fluentd aggregator on 24224. */
function world(opts: { delaySeconds?: number; prune?: boolean; dryRun?: boolean; web?: number; batch?: number } = {}) {
  const account = new SimulatedAccount();
  account.ecs.createCluster('web');
  account.ecs.createCluster('batch');
  const delay = opts.delaySeconds ?? 300;
  const webTg = account.elbv2.createTargetGroup({
    name: 'web-fluentd',
    targetType: 'ip',
    port: PORT,
    protocol: 'TCP',
    deregistrationDelaySeconds: delay,
  });
  const batchTg = account.elbv2.createTargetGroup({
    name: 'batch-fluentd',
    targetType: 'ip',
    port: PORT,
    protocol: 'TCP',
    deregistrationDelaySeconds: delay,
  });
  const web = joinInstances(account, 'web', opts.web ?? 3, M5_LARGE, { lifecycle: 'spot' });
  const batch = joinInstances(account, 'batch', opts.batch ?? 2, M5_LARGE, { lifecycle: 'on-demand' });
  const dlq = account.sqs.createQueue('nlb-dlq');
  const logger = recordingLogger();
  const metrics = recordingMetrics();
  const deps: Deps = {
    clients: account.clients(),
    config: {
      bindings: [
        { cluster: 'web', targetGroupArn: webTg, port: PORT },
        { cluster: 'batch', targetGroupArn: batchTg, port: PORT },
      ],
      prune: opts.prune ?? false,
      dryRun: opts.dryRun ?? false,
      deadLetterQueueName: 'nlb-dlq',
    },
    clock: account.clock,
    logger,
    metrics,
  };
  const handler = makeHandler(() => deps);
  const run = async (event: unknown) => (await handler(event)) as SyncReport;
  const scheduled = () => ({
    version: '0',
    id: `tick-${account.clock.now()}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    time: new Date(account.clock.now()).toISOString(),
    resources: ['arn:aws:events:eu-west-1:123456789012:rule/nlb-target-sync'],
    detail: {},
  });
  /** IPs the group serves on the port (draining ones excluded), sorted. */
  const serving = (tg: string) =>
    account.elbv2
      .currentTargets(tg)
      .filter((t) => t.port === PORT && t.state !== 'draining')
      .map((t) => t.id)
      .sort();
  const writes = () => account.calls.filter((c) => c.operation === 'RegisterTargets' || c.operation === 'DeregisterTargets').length;
  const setStatus = (id: string, status: 'ACTIVE' | 'DRAINING') => (account.ecs.containerInstanceRecord(id)!.status = status);
  const ips = (xs: Array<{ privateIp: string }>) => xs.map((x) => x.privateIp).sort();
  return { account, webTg, batchTg, web, batch, dlq, deps, logger, metrics, run, scheduled, serving, writes, setStatus, ips };
}

describe('nlbTargetSync on the simulated account', () => {
  it("fills each target group with its cluster's ACTIVE instances and registers a new one from its state-change event", async () => {
    const w = world();
    const first = await w.run(w.scheduled());
    expect(w.serving(w.webTg)).toEqual(w.ips(w.web));
    expect(w.serving(w.batchTg)).toEqual(w.ips(w.batch));
    expect(first.bindings.map((b) => [b.cluster, b.outcome, b.registered])).toEqual([
      ['web', 'synced', 3],
      ['batch', 'synced', 2],
    ]);

    const [added] = joinInstances(w.account, 'web', 1, M5_LARGE, { lifecycle: 'spot' });
    const report = await w.run(containerInstanceStateChangeEvent(w.account, added!.instanceId));
    expect(report.bindings).toEqual([expect.objectContaining({ cluster: 'web', scope: 'instances', outcome: 'synced', registered: 1 })]);
    expect(w.serving(w.webTg)).toEqual(w.ips([...w.web, added!]));
    expect(w.metrics.values.get('targetsRegistered')).toBe(6);
  });

  it('deregisters a DRAINING instance on its event and a terminated one on the reconcile, leaving the rest serving', async () => {
    const w = world();
    await w.run(w.scheduled());
    const [draining, terminated, kept] = w.web;
    w.setStatus(draining!.instanceId, 'DRAINING');
    const onEvent = await w.run(containerInstanceStateChangeEvent(w.account, draining!.instanceId));
    expect(onEvent.bindings[0]).toMatchObject({ outcome: 'synced', deregistered: 1 });
    expect(w.account.elbv2.targetState(w.webTg, { id: draining!.privateIp, port: PORT })).toBe('draining');

    w.account.ec2.terminate(terminated!.instanceId, 'api'); // no notice, no drain: only its IP is left behind in the group
    const report = await w.run(w.scheduled());
    const web = report.bindings.find((b) => b.cluster === 'web')!;
    expect(web.decisions).toContainEqual(
      expect.objectContaining({ ip: terminated!.privateIp, action: 'deregister', reason: expect.stringMatching(/terminated/) }),
    );
    expect(w.serving(w.webTg)).toEqual([kept!.privateIp]);
  });

  it('takes an interrupted Spot instance out of its group at the notice, long before the reclaim', async () => {
    const w = world();
    await w.run(w.scheduled());
    const victim = w.web[0]!;
    const notice = w.account.ec2.interruptSpot(victim.instanceId);
    const t0 = w.account.clock.now();
    const report = await w.run(notice);
    expect(report.bindings).toEqual([expect.objectContaining({ cluster: 'web', outcome: 'synced', deregistered: 1 })]);
    expect(w.account.elbv2.targetState(w.webTg, { id: victim.privateIp, port: PORT })).toBe('draining');
    expect(w.account.clock.now() - t0).toBeLessThan(5_000);
    expect(w.account.ec2.instance(victim.instanceId)!.state).toBe('running'); // the reclaim is still to come
    expect(w.serving(w.batchTg)).toEqual(w.ips(w.batch));
  });

  it('remembers the notice: a reconcile and an instance event while ECS still says ACTIVE do not register the instance again', async () => {
    const w = world({ delaySeconds: 0 });
    await w.run(w.scheduled());
    const victim = w.web[0]!;
    await w.run(w.account.ec2.interruptSpot(victim.instanceId));
    expect(w.account.ec2.instance(victim.instanceId)!.tags[INTERRUPTED_AT_TAG]).toBe(new Date(w.account.clock.now()).toISOString());
    w.account.advance(30_000);
    expect(w.account.ecs.containerInstanceRecord(victim.instanceId)!.status).toBe('ACTIVE');
    const reconcile = await w.run(w.scheduled());
    expect(reconcile.bindings.find((b) => b.cluster === 'web')!.registered).toBe(0);
    await w.run(containerInstanceStateChangeEvent(w.account, victim.instanceId));
    expect(w.serving(w.webTg)).toEqual(w.ips(w.web.slice(1)));
  });

  it("leaves alone another cluster's awsvpc tasks that ECS registered in the group on the port: their ENIs hold the IPs", async () => {
    const w = world();
    w.account.ecs.createCluster('other');
    const [host] = joinInstances(w.account, 'other', 1, M5_LARGE, { lifecycle: 'on-demand' });
    const def = w.account.ecs.registerTaskDefinition({
      family: 'aggregator',
      networkMode: 'awsvpc',
      containerDefinitions: [container('aggregator', 'fluentd', 128, 256, [PORT])],
    });
    w.account.ecs.createService({
      cluster: 'other',
      name: 'aggregator',
      taskDefinition: def.taskDefinitionArn!,
      desiredCount: 1,
      loadBalancers: [{ targetGroupArn: w.webTg, containerName: 'fluentd', containerPort: PORT }],
    });
    const task = w.account.ecs.startTask({
      cluster: 'other',
      containerInstanceArn: host!.containerInstanceArn,
      taskDefinition: def.taskDefinitionArn!,
      serviceName: 'aggregator',
    });
    const taskIp = w.account.ecs.task(task)!.eni!.privateIp;
    const report = await w.run(w.scheduled());
    const web = report.bindings.find((b) => b.cluster === 'web')!;
    expect(web.decisions).toContainEqual(expect.objectContaining({ ip: taskIp, action: 'leave-alone' }));
    expect(w.serving(w.webTg)).toEqual([...w.ips(w.web), taskIp].sort());
  });

  it('deregisters before it registers, so a replacement fits a full group under the targets-per-group quota', async () => {
    const w = world({ delaySeconds: 0 });
    w.account.elbv2.targetsPerGroupQuota = 3;
    await w.run(w.scheduled());
    w.setStatus(w.web[0]!.instanceId, 'DRAINING');
    const [replacement] = joinInstances(w.account, 'web', 1, M5_LARGE, { lifecycle: 'spot' });

    const report = await w.run(w.scheduled());
    expect(report.bindings.find((b) => b.cluster === 'web')).toMatchObject({
      outcome: 'synced',
      registered: 1,
      deregistered: 1,
      failures: [],
    });
    expect(w.serving(w.webTg)).toEqual(w.ips([w.web[1]!, w.web[2]!, replacement!]));
  });

  it('reports a registration the quota refuses while targets still drain, and makes it on a later reconcile', async () => {
    const w = world({ delaySeconds: 30 });
    w.account.elbv2.targetsPerGroupQuota = 3;
    await w.run(w.scheduled());
    w.setStatus(w.web[0]!.instanceId, 'DRAINING');
    const [replacement] = joinInstances(w.account, 'web', 1, M5_LARGE, { lifecycle: 'spot' });

    const first = (await w.run(w.scheduled())).bindings.find((b) => b.cluster === 'web')!;
    expect(first).toMatchObject({ outcome: 'partial', deregistered: 1, registered: 0, missing: [replacement!.privateIp] });
    expect(first.failures).toEqual([expect.stringContaining("You've reached the limit on the number of targets.")]);
    expect(w.metrics.values.get('targetsMissing')).toBe(1);

    w.account.advance(31_000);
    await w.run(w.scheduled());
    expect(w.serving(w.webTg)).toEqual(w.ips([w.web[1]!, w.web[2]!, replacement!]));
  });

  it('sends nothing on a second reconcile of an unchanged fleet', async () => {
    const w = world();
    await w.run(w.scheduled());
    w.setStatus(w.web[0]!.instanceId, 'DRAINING');
    await w.run(w.scheduled());
    const before = w.writes();
    const again = await w.run(w.scheduled());
    expect(w.writes()).toBe(before);
    expect(again.bindings.map((b) => b.outcome)).toEqual(['in-sync', 'in-sync']);
  });

  it("leaves an operator's own targets and every other port alone, and prunes the port only when asked", async () => {
    for (const prune of [false, true]) {
      const w = world({ prune });
      const standalone = w.account.ec2.launchInstance({ instanceType: 'm5.large' }); // a fluentd box outside ECS
      const otherPort = { id: w.web[0]!.privateIp, port: 9880 };
      w.account.elbv2.registerTarget(w.webTg, { id: standalone.privateIp, port: PORT }, { by: 'api', healthy: true });
      w.account.elbv2.registerTarget(w.webTg, otherPort, { by: 'api', healthy: true });
      w.setStatus(w.web[0]!.instanceId, 'DRAINING');

      const report = await w.run(w.scheduled());
      expect(w.account.elbv2.targetState(w.webTg, otherPort)).toBe('healthy');
      expect(w.account.elbv2.targetState(w.webTg, { id: standalone.privateIp, port: PORT })).toBe(prune ? 'draining' : 'healthy');
      expect(report.bindings.find((b) => b.cluster === 'web')!.leftAlone).toBe(prune ? 0 : 1);
    }
  });

  it('changes nothing in dry-run and says what it would do', async () => {
    const w = world({ dryRun: true });
    const report = await w.run(w.scheduled());
    expect(w.writes()).toBe(0);
    expect(w.serving(w.webTg)).toEqual([]);
    expect(report.bindings.find((b) => b.cluster === 'web')).toMatchObject({ outcome: 'dry-run', registered: 0 });
    expect(report.bindings.find((b) => b.cluster === 'web')!.decisions.filter((d) => d.action === 'register')).toHaveLength(3);
  });

  it('leaves clusters it has no target group for, and dead-letters an event it cannot read', async () => {
    const w = world();
    w.account.ecs.createCluster('other');
    const [stranger] = joinInstances(w.account, 'other', 1, M5_LARGE, { lifecycle: 'spot' });
    const skipped = await w.run(containerInstanceStateChangeEvent(w.account, stranger!.instanceId));
    expect(skipped).toMatchObject({ bindings: [], skipped: expect.stringContaining('other') });
    expect(w.writes()).toBe(0);

    const bad = containerInstanceStateChangeEvent(w.account, stranger!.instanceId) as Record<string, unknown>;
    const rejected = await makeHandler(() => w.deps)({ ...bad, detail: { clusterArn: 'nope' } });
    expect(rejected).toMatchObject({ outcome: 'rejected', error: expect.stringContaining('detail.clusterArn') });
    expect(w.account.sqs.messages(w.dlq)).toHaveLength(1);
  });

  it("syncs the healthy group when the other cluster's reads fail", async () => {
    const w = world();
    w.account.failNext('ecs', 'ListContainerInstances', () => Object.assign(new Error('boom'), { name: 'ServerException' }), {
      times: 10,
      when: (input: { cluster?: string }) => input.cluster === 'batch',
    });
    const report = await w.run(w.scheduled());
    expect(report.bindings.map((b) => [b.cluster, b.outcome])).toEqual([
      ['web', 'synced'],
      ['batch', 'failed'],
    ]);
    expect(w.serving(w.webTg)).toEqual(w.ips(w.web));
    expect(w.metrics.values.get('targetSyncFailures')).toBe(1);
  });
});
