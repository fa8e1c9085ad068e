import { CLUSTER_TAG, FALLBACK_TAG, SETTING_TAG_PREFIX } from '../../tags';
import { isNotFound } from '../../aws/errors';
import type { Service, Task } from '@aws-sdk/client-ecs';
import type { CallOptions } from '../../aws/call';
import { mapLimit } from '../../lambda/concurrency';
import { errorMessage } from '../../lambda/errors';

import { lostInstanceOf } from './checks-capacity';
import { expectedQueueNames } from './checks-operations';
import type { PreflightReadPorts } from './ports';
import type {
  BackendFacts,
  ClusterFacts,
  InstanceFacts,
  LoadBalancerFacts,
  PreflightSettings,
  PreflightSnapshot,
  ServiceFacts,
} from './types';

/** Clusters read at once (each makes a handful of ECS, EC2 and ELBv2 reads). */
const CLUSTER_CONCURRENCY = 4;
/** Load balancers and groups whose attributes are read at once. */
const READ_CONCURRENCY = 4;
/** ECS's DeploymentConfiguration defaults for a REPLICA service (API reference). */
const DEFAULT_MIN_HEALTHY_PERCENT = 100;
const DEFAULT_MAX_PERCENT = 200;

const shortName = (arnOrName: string) => arnOrName.slice(arnOrName.lastIndexOf('/') + 1);

interface ClusterRead {
  facts: ClusterFacts;
  /** Load balancer ARN → `cluster/service` behind it. */
  balancers: Map<string, string[]>;
}

/**
 * Reads everything the checks judge. A read that fails becomes a `readFailures` entry for its
 * subject (a cluster, a backend, a queue, …) and the rest is still read: preflight never throws
 * on AWS errors, so one missing permission does not hide every other finding.
 */
export async function readPreflightSnapshot(
  ports: PreflightReadPorts,
  scope: { clusters: readonly string[]; settings: PreflightSettings },
  o?: CallOptions,
): Promise<PreflightSnapshot> {
  const readFailures: PreflightSnapshot['readFailures'] = [];
  const attempt = async <T>(subject: string, read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (err) {
      readFailures.push({ subject, detail: errorMessage(err), ...(isNotFound(err) ? { notFound: true } : {}) });
      return undefined;
    }
  };

  const names = scope.clusters.length > 0 ? [...scope.clusters] : ((await attempt('clusters', () => ports.listClusters(o))) ?? []);
  const prefix = scope.settings.stackPrefix;
  const [tagged, reads, queues, alarms] = await Promise.all([
    attempt('capacity backends', () => ports.backendsByCluster(o)),
    mapLimit(names.map(shortName), CLUSTER_CONCURRENCY, (name) => attempt(name, () => readCluster(ports, name, o))),
    Promise.all(
      expectedQueueNames(scope.settings).map(async (name) => ({ name, exists: await attempt(name, () => ports.queueExists(name, o)) })),
    ),
    attempt(`alarms ${prefix}-*`, () => ports.alarmNames(prefix, o)),
  ]);
  const clusters = reads.flatMap((r) => (r ? [r] : []));

  const backends = new Map<string, BackendFacts>();
  for (const list of tagged?.values() ?? []) {
    for (const b of list) {
      const clusterTag = b.tags[CLUSTER_TAG];
      const fallbackFor = b.tags[FALLBACK_TAG];
      const settingTags = Object.fromEntries(Object.entries(b.tags).filter(([k]) => k.startsWith(SETTING_TAG_PREFIX)));
      backends.set(`${b.kind}:${b.id}`, {
        kind: b.kind,
        id: b.id,
        ...(clusterTag ? { clusterTag } : {}),
        ...(fallbackFor ? { fallbackFor } : {}),
        settingTags,
      });
    }
  }
  for (const i of clusters.flatMap((c) => c.facts.instances))
    if (i.launchedBy && !backends.has(`${i.launchedBy.kind}:${i.launchedBy.id}`))
      backends.set(`${i.launchedBy.kind}:${i.launchedBy.id}`, { ...i.launchedBy });
  const checked = new Set(clusters.map((c) => c.facts.name));
  const launchers = new Set(
    clusters.flatMap((c) => c.facts.instances.flatMap((i) => (i.launchedBy ? [`${i.launchedBy.kind}:${i.launchedBy.id}`] : []))),
  );
  const groups = [...backends.entries()].filter(
    ([key, b]) => b.kind === 'asg' && (checked.has(b.clusterTag ?? '') || checked.has(b.fallbackFor ?? '') || launchers.has(key)),
  );
  await mapLimit(groups, READ_CONCURRENCY, async ([, b]) => {
    const hooks = await attempt(`asg ${b.id}`, () => ports.lifecycleHooks(b.id, o));
    if (hooks) b.hooks = hooks;
  });

  const usedBy = new Map<string, string[]>();
  for (const c of clusters) for (const [arn, users] of c.balancers) usedBy.set(arn, [...(usedBy.get(arn) ?? []), ...users]);
  const loadBalancers = (
    await mapLimit([...usedBy.keys()].sort(), READ_CONCURRENCY, (arn) =>
      attempt(shortName(arn.replace(/\/[0-9a-f]+$/, '')), () => ports.idleTimeouts(arn, o)),
    )
  ).flatMap((lb): LoadBalancerFacts[] => (lb ? [{ ...lb, usedBy: [...new Set(usedBy.get(lb.arn) ?? [])].sort() }] : []));

  return {
    clusters: clusters.map((c) => c.facts),
    backends: [...backends.values()],
    queues: queues.flatMap((q) => (q.exists === undefined ? [] : [{ name: q.name, exists: q.exists }])),
    ...(alarms ? { alarms } : {}),
    loadBalancers,
    ...(tagged ? {} : { backendsUnread: true as const }),
    readFailures,
  };
}

/** One cluster: ACTIVE instances with origin, services with stop timeout and target groups, the tasks of the instance whose loss is checked. */
async function readCluster(ports: PreflightReadPorts, cluster: string, o?: CallOptions): Promise<ClusterRead> {
  const [described, serviceList] = await Promise.all([
    ports
      .listInstanceArns(cluster, o)
      .then((arns) => (arns.length ? ports.describeInstances(cluster, arns, o) : { instances: [], failures: [] })),
    ports
      .listServices(cluster, o)
      .then((arns) => (arns.length ? ports.describeServices(cluster, arns.map(shortName), o) : { services: [], failures: [] })),
  ]);
  const active = described.instances.filter((i) => i.status === 'ACTIVE');
  const origins = new Map(
    (
      await ports.instanceOrigins(
        active.map((i) => i.ec2InstanceId),
        o,
      )
    ).map((x) => [x.instanceId, x]),
  );
  const instances: InstanceFacts[] = active.map((i) => {
    const origin = origins.get(i.ec2InstanceId);
    return {
      ec2InstanceId: i.ec2InstanceId,
      instanceType: i.instanceType || origin?.instanceType || '?',
      spot: origin?.spot ?? false,
      registered: i.registered,
      remaining: i.remaining,
      ...(origin?.launchedBy ? { launchedBy: origin.launchedBy } : {}),
    };
  });

  const services = serviceList.services.filter((s) => s.status === 'ACTIVE' && s.serviceName);
  const lost = lostInstanceOf(instances);
  const lostArn = lost && active.find((i) => i.ec2InstanceId === lost.ec2InstanceId)?.containerInstanceArn;
  const lostTasks = lostArn ? await tasksOn(ports, cluster, lostArn, o) : undefined;
  const tdArns = [...services.map((s) => s.taskDefinition ?? ''), ...(lostTasks ?? []).map((t) => t.taskDefinitionArn ?? '')].filter(
    Boolean,
  );
  const tgArns = services.flatMap((s) => (s.loadBalancers ?? []).flatMap((lb) => (lb.targetGroupArn ? [lb.targetGroupArn] : [])));
  const [defs, groups] = await Promise.all([
    ports.taskDefinitions(tdArns, o),
    tgArns.length ? ports.targetGroups(tgArns, o) : Promise.resolve([]),
  ]);
  if (lost && lostTasks)
    lost.tasks = lostTasks.map((t) => {
      const size = defs.get(t.taskDefinitionArn ?? '');
      const service = t.group?.startsWith('service:') ? t.group.slice('service:'.length) : undefined;
      return { cpu: Number(t.cpu) || size?.cpu || 0, memory: Number(t.memory) || size?.memory || 0, ...(service ? { service } : {}) };
    });

  const groupOf = new Map(groups.map((g) => [g.arn, g]));
  const balancers = new Map<string, string[]>();
  const facts: ServiceFacts[] = services.map((s: Service) => {
    const used = [...new Set((s.loadBalancers ?? []).map((lb) => lb.targetGroupArn ?? ''))].flatMap((arn) =>
      groupOf.has(arn) ? [groupOf.get(arn)!] : [],
    );
    for (const g of used)
      for (const lb of g.loadBalancerArns) balancers.set(lb, [...(balancers.get(lb) ?? []), `${cluster}/${s.serviceName}`]);
    const stop = defs.get(s.taskDefinition ?? '')?.stopTimeoutSeconds;
    return {
      name: s.serviceName!,
      desired: s.desiredCount ?? 0,
      schedulingStrategy: s.schedulingStrategy === 'DAEMON' ? 'DAEMON' : 'REPLICA',
      deploymentController: s.deploymentController?.type ?? 'ECS',
      minimumHealthyPercent: s.deploymentConfiguration?.minimumHealthyPercent ?? DEFAULT_MIN_HEALTHY_PERCENT,
      maximumPercent: s.deploymentConfiguration?.maximumPercent ?? DEFAULT_MAX_PERCENT,
      ...(stop !== undefined ? { stopTimeoutSeconds: stop } : {}),
      targetGroups: used.map((g) => ({ arn: g.arn, name: g.name, deregistrationDelaySeconds: g.deregistrationDelaySeconds })),
    };
  });
  return { facts: { name: cluster, instances, services: facts }, balancers };
}

async function tasksOn(ports: PreflightReadPorts, cluster: string, containerInstanceArn: string, o?: CallOptions): Promise<Task[]> {
  const arns = await ports.listTasksOn(cluster, containerInstanceArn, o);
  return arns.length ? (await ports.describeTasks(cluster, arns, o)).tasks : [];
}
