import { SimulatedAccount } from '../account';
import { buildCapacityCluster, buildSpotCluster, CLUSTER_TAG } from '../builders';
import { container, joinInstances, M5_LARGE } from '../builders-common';

/**
 * The account `npm run sim:endpoint` and `npm run smoke` serve: everything the samples in
 * events/ refer to exists, so each function does real work on its sample.
 *
 * - `web`: the Spot cluster (sim/builders-spot.ts; its Spot Fleet tagged `ecs-steady:cluster=web`,
 *   targets deregistered after 2 s so a drain takes seconds), plus three on-demand instances in
 *   the Auto Scaling group `ecs-web-ondemand` with the terminating hook `ecs-steady-drain`
 *   (`{"cluster":"web"}`), each running a standalone report task; a service `checkout` that no
 *   instance has room for (the placement-failure sample's); an NLB ip target group
 *   `web-fluentd` for nlbTargetSync.
 * - `batch`: an Auto Scaling group tagged `ecs-steady:cluster=batch`, one instance nearly full
 *   (the RunTask samples' cluster), and the task definitions the samples name
 *   (`report-builder:42`, `nightly-export:7`).
 * - Task definitions `my-awesome-app` (container `app`) and `billing-worker` (`worker`) logging
 *   through fluentd (the log samples' tables), the log search workgroup, one flushed log volume.
 * - The stage's queues and the RunTask results topic.
 *
 * The samples name ids AWS made up; `sampleIds` maps them to this account's (per sample file,
 * `*` for all), and scripts/invoke.ts rewrites a sample with them before invoking.
 */
export const SEED_STAGE_PREFIX = 'ecs-steady-dev';
/** The seed's history: instances launched and the volume detached this long before now. */
const SEED_AGE_MS = 3 * 3600_000;
const LOG_VOLUME_TAG = 'ecs-steady:log-volume';
const FLUSHED_TAG = 'ecs-steady:flushed-at';
/** logVolumes' own record of an attachment it saw on a container instance of the volume's cluster (its AttachTime). */
const SEEN_ATTACHED_TAG = 'ecs-steady:seen-attached';
/** The stage's stamp key, as serverless.yml names it (STAMP_KEY_ID). */
const STAMP_KEY_ALIAS = `alias/${SEED_STAGE_PREFIX}-log-volume-stamps`;

/**
 * A stamp as logVolumes seals it (shared/fleet/log-volumes/stamps.ts: the value, then an HMAC over
 * the volume id, key and value). The simulator keeps its own copy of the layout; `npm run smoke`
 * deletes the seeded volume only if the two agree.
 */
function sealedStamp(account: SimulatedAccount, volumeId: string, key: string, value: string): string {
  const message = new TextEncoder().encode(`ecs-steady/log-volume-stamp/1\n${volumeId}\n${key}\n${value}`);
  return `${value} hmac:${Buffer.from(account.kms.macFor(STAMP_KEY_ALIAS, message)).toString('base64')}`;
}

/** Ids as the sample files spell them (events/*.json). */
const SAMPLE = {
  spotInstance: 'i-1234567890abcdef0',
  asgInstance: 'i-0abcdef1234567890',
  asgToken: '87654321-4321-4321-4321-210987654321',
  warmPoolToken: '11111111-2222-4333-8444-555555555555',
  agentInstance: 'i-0a1b2c3d4e5f60718',
  agentContainerInstance: 'arn:aws:ecs:eu-west-1:123456789012:container-instance/web/7b9e4f1c2d3a4b5c8e6f0a1b2c3d4e5f',
} as const;

export interface SeededWorld {
  /** Sample literal → this account's id; key `*` applies to every sample, a file name to that sample only. */
  sampleIds: Record<string, Record<string, string>>;
  web: ReturnType<typeof buildSpotCluster> & { asgName: string; asgInstances: string[]; checkout: string; fluentdTargetGroupArn: string };
  batch: ReturnType<typeof buildCapacityCluster> & { asgName: string };
  lifecycleTokens: Record<string, string>;
  logsBucket: string;
  logVolumeId: string;
  queues: Record<string, string>;
  runTaskResultsTopicArn: string;
}

/** A new account holding the samples' world, its clock at `now` (the seed's history before it). */
export function sampleAccount(now = Date.now()): { account: SimulatedAccount; world: SeededWorld } {
  const account = new SimulatedAccount({ start: now - SEED_AGE_MS });
  return { account, world: seedSampleWorld(account, now) };
}

function seedSampleWorld(account: SimulatedAccount, now: number): SeededWorld {
  const web = buildSpotCluster(account, { deregistrationDelaySeconds: 2 });
  void account.ec2.operations().CreateTags!({ Resources: [web.spotFleetRequestId], Tags: [{ Key: CLUSTER_TAG, Value: 'web' }] });

  const asgName = 'ecs-web-ondemand';
  const onDemand = joinInstances(account, 'web', 3, M5_LARGE, { lifecycle: 'on-demand', asgName });
  account.autoscaling.createGroup({
    name: asgName,
    min: 0,
    max: 6,
    desired: 3,
    instanceIds: onDemand.map((i) => i.instanceId),
    lifecycleHooks: [
      { name: 'ecs-steady-drain', heartbeatTimeout: 300, defaultResult: 'CONTINUE', notificationMetadata: '{"cluster":"web"}' },
    ],
  });
  const report = account.ecs.registerTaskDefinition({
    family: 'weekly-report',
    networkMode: 'bridge',
    containerDefinitions: [container('weekly-report', 'report', 256, 1024)],
  });
  for (const i of onDemand) {
    account.ecs.startTask({
      cluster: 'web',
      containerInstanceArn: i.containerInstanceArn,
      taskDefinition: report.taskDefinitionArn!,
      startedBy: 'job-runner',
    });
  }
  // 7000 MiB: more than any instance has left (the Spot ones hold 2.5-3.5 GiB of tasks, the on-demand ones 1 GiB of 7.5): starved.
  const checkoutDef = account.ecs.registerTaskDefinition({
    family: 'checkout',
    networkMode: 'bridge',
    containerDefinitions: [container('checkout', 'checkout', 1024, 7000)],
  });
  account.ecs.createService({ cluster: 'web', name: 'checkout', taskDefinition: checkoutDef.taskDefinitionArn!, desiredCount: 1 });
  const nlb = account.elbv2.createLoadBalancer('web-fluentd', 'net');
  const fluentdTargetGroupArn = account.elbv2.createTargetGroup({
    name: 'web-fluentd',
    targetType: 'ip',
    port: 24224,
    protocol: 'TCP',
    deregistrationDelaySeconds: 2,
    loadBalancerArns: [nlb],
  });

  const batch = buildCapacityCluster(account, { cluster: 'batch', backend: 'asg', instances: 1, tasksPerInstance: 3 });
  const revisions = (family: string, n: number, cpu: number, memory: number) => {
    for (let r = 1; r <= n; r++) {
      account.ecs.registerTaskDefinition({
        family,
        networkMode: 'bridge',
        containerDefinitions: [container(family, 'builder', cpu, memory)],
      });
    }
  };
  revisions('report-builder', 42, 1024, 4096);
  revisions('nightly-export', 7, 1024, 4096);
  for (const [family, name] of [
    ['my-awesome-app', 'app'],
    ['billing', 'worker'],
  ] as const) {
    account.ecs.registerTaskDefinition({ family, networkMode: 'bridge', containerDefinitions: [container(family, name, 256, 512)] });
  }

  const logsBucket = 'ecs-steady-sim-logs';
  account.athena.workGroups.set(`${SEED_STAGE_PREFIX}-log-search`, { outputLocation: `s3://${logsBucket}/athena-results/` });
  account.athena.answerWith(() => ({
    columns: ['time', 'log', 'container_id'],
    rows: [{ time: new Date(now).toISOString(), log: 'ERROR payment declined', container_id: 'c0ffee' }],
  }));
  // A logVolumes run saw it attached to an instance of web (launched with the others, at the seed's start) before it was detached.
  account.kms.createKey({ alias: STAMP_KEY_ALIAS });
  const logVolumeId = account.ec2.volumes.create({ az: 'eu-west-1a', tags: { [LOG_VOLUME_TAG]: 'web' } });
  account.ec2.volumes.volume(logVolumeId)!.tags[SEEN_ATTACHED_TAG] = sealedStamp(
    account,
    logVolumeId,
    SEEN_ATTACHED_TAG,
    new Date(now - SEED_AGE_MS).toISOString(),
  );

  const queues = Object.fromEntries(
    [
      'dead-letter',
      'spot-notices',
      'asg-drain',
      'asg-drain-dead-letter',
      'run-task-failure',
      'run-task-failure-dead-letter',
      'placement-failure',
      'placement-failure-dead-letter',
    ].map((q) => [q, account.sqs.createQueue(`${SEED_STAGE_PREFIX}-${q}`)]),
  );
  // The capacity writer's FIFO queue and its FIFO dead-letter queue (serverless.yml CapacityQueue).
  for (const q of ['capacity.fifo', 'capacity-dead-letter.fifo'])
    queues[q] = account.sqs.createQueue(`${SEED_STAGE_PREFIX}-${q}`, { FifoQueue: 'true', VisibilityTimeout: '360' });
  const runTaskResultsTopicArn = account.sns.createTopic(`${SEED_STAGE_PREFIX}-run-task-results`);

  // Now: the volume was flushed two hours ago, an hour after it was detached; the lifecycle actions start.
  account.clock.set(now);
  void account.ec2.operations().CreateTags!({
    Resources: [logVolumeId],
    Tags: [{ Key: FLUSHED_TAG, Value: new Date(now - 2 * 3600_000).toISOString() }],
  });
  const [agentInstance] = web.instances.slice(1);
  account.ecs.setAgentConnected(agentInstance!.instanceId, false);
  const asgInstances = onDemand.map((i) => i.instanceId);
  const lifecycleTokens = Object.fromEntries(
    ['asg-lifecycle-terminate.json', 'asg-lifecycle-drain-sqs.json', 'asg-lifecycle-terminate-warm-pool.json'].map((file, n) => [
      file,
      account.autoscaling.beginTermination(asgName, asgInstances[n]!).detail.LifecycleActionToken,
    ]),
  );
  const lifecycle = (file: string, n: number, token: string) => ({
    [SAMPLE.asgInstance]: asgInstances[n]!,
    [token]: lifecycleTokens[file]!,
  });
  return {
    sampleIds: {
      '*': {
        [SAMPLE.spotInstance]: web.instances[0]!.instanceId,
        [SAMPLE.agentInstance]: agentInstance!.instanceId,
        [SAMPLE.agentContainerInstance]: agentInstance!.containerInstanceArn,
      },
      'asg-lifecycle-terminate.json': lifecycle('asg-lifecycle-terminate.json', 0, SAMPLE.asgToken),
      'asg-lifecycle-drain-sqs.json': lifecycle('asg-lifecycle-drain-sqs.json', 1, SAMPLE.asgToken),
      'asg-lifecycle-terminate-warm-pool.json': lifecycle('asg-lifecycle-terminate-warm-pool.json', 2, SAMPLE.warmPoolToken),
    },
    web: { ...web, asgName, asgInstances, checkout: 'checkout', fluentdTargetGroupArn },
    batch: { ...batch, asgName: batch.backend.id },
    lifecycleTokens,
    logsBucket,
    logVolumeId,
    queues,
    runTaskResultsTopicArn,
  };
}
