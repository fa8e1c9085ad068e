import { CLUSTER_TAG, FALLBACK_TAG } from '../../tags';
import { largest, packOnto, type PackItem } from '../../capacity/bin-pack';
import { parseSettingTags, shapesFromTags } from '../../capacity/config';
import { errorMessage } from '../../lambda/errors';

import { isSpotCluster } from './checks-drain';
import type { BackendFacts, ClusterFacts, Finding, InstanceFacts, PreflightSettings } from './types';

const TERMINATING = 'autoscaling:EC2_INSTANCE_TERMINATING';
const used = (i: InstanceFacts) => ({ cpu: i.registered.cpu - i.remaining.cpu, memory: i.registered.memory - i.remaining.memory });

/**
 * The Spot instance whose loss is hardest to absorb: the one with the largest reserved share
 * (of CPU or memory, relative to the largest instance), ties by id. Undefined without Spot instances.
 */
export function lostInstanceOf(instances: readonly InstanceFacts[]): InstanceFacts | undefined {
  const ref = largest(instances.map((i) => i.registered));
  const share = (i: InstanceFacts) => Math.max(used(i).cpu / ref.cpu, used(i).memory / ref.memory);
  return [...instances.filter((i) => i.spot)].sort((a, b) => share(b) - share(a) || (a.ec2InstanceId < b.ec2InstanceId ? -1 : 1))[0];
}

/**
 * On Spot clusters: the replica service tasks of the most loaded Spot instance must fit (first-fit
 * decreasing, shared/capacity/bin-pack.ts) in what the other ACTIVE instances have left; otherwise
 * losing it leaves tasks unplaced until new capacity registers (minutes). Warning.
 */
export function checkSpareRoom(clusters: readonly ClusterFacts[], backends: readonly BackendFacts[]): Finding[] {
  const out: Finding[] = [];
  for (const c of clusters.filter((c) => isSpotCluster(c, backends))) {
    const lost = lostInstanceOf(c.instances);
    if (!lost?.tasks) continue;
    const replica = new Set(c.services.filter((s) => s.schedulingStrategy === 'REPLICA').map((s) => s.name));
    const items: PackItem[] = lost.tasks
      .filter((t) => t.service !== undefined && replica.has(t.service))
      .map((t) => ({ source: t.service!, cpu: t.cpu, memory: t.memory }));
    if (items.length === 0) continue;
    const rooms = c.instances.filter((i) => i !== lost).map((i) => ({ id: i.ec2InstanceId, ...i.remaining }));
    const left = packOnto(items, rooms);
    if (left.length === 0) continue;
    const services = [...new Set(left.map((t) => t.source))].sort().join(', ');
    out.push({
      severity: 'warning',
      check: 'spare-room',
      subject: c.name,
      detail: `losing ${lost.ec2InstanceId} (${lost.instanceType}, Spot) leaves ${left.length} of its ${items.length} service tasks (${services}) with no room on the other ${rooms.length} instances until new capacity registers`,
      fix: 'keep spare room for the largest Spot instance (scaleTick headroom, or a lower reservation target)',
    });
  }
  return out;
}

/**
 * Each checked cluster needs exactly one backend tagged `ecs-steady:cluster = <cluster>` (error:
 * none — nothing scales it; two or more — scaleTick refuses to plan it). A backend that launched
 * the cluster's instances but carries neither tag is untagged (warning); tagged for another
 * cluster, it is an error (scaling would act on the wrong cluster).
 */
export function checkBackendTags(clusters: readonly ClusterFacts[], backends: readonly BackendFacts[]): Finding[] {
  const out: Finding[] = [];
  const label = (b: Pick<BackendFacts, 'kind' | 'id'>) => `${b.kind} ${b.id}`;
  for (const c of clusters) {
    const tagged = backends.filter((b) => b.clusterTag === c.name);
    if (tagged.length === 0)
      out.push({
        severity: 'error',
        check: 'backend-tag',
        subject: c.name,
        detail: `no capacity backend is tagged ${CLUSTER_TAG}=${c.name}: scaleTick cannot scale this cluster`,
        fix: `tag its Auto Scaling group, EC2 Fleet or Spot Fleet request ${CLUSTER_TAG}=${c.name}`,
      });
    if (tagged.length > 1)
      out.push({
        severity: 'error',
        check: 'backend-tag',
        subject: c.name,
        detail: `${tagged.length} backends are tagged ${CLUSTER_TAG}=${c.name} (${tagged.map(label).join(', ')}): scaleTick plans a cluster with exactly one`,
        fix: `keep ${CLUSTER_TAG} on one; tag an on-demand fallback ${FALLBACK_TAG}=${c.name} instead`,
      });
    const launchers = new Map(
      c.instances.flatMap((i) => (i.launchedBy ? [[`${i.launchedBy.kind}:${i.launchedBy.id}`, i.launchedBy] as const] : [])),
    );
    for (const l of [...launchers.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      const b = backends.find((x) => x.kind === l.kind && x.id === l.id);
      if (b && (b.clusterTag === c.name || b.fallbackFor === c.name)) continue;
      const other = b?.clusterTag ?? b?.fallbackFor;
      out.push(
        other
          ? {
              severity: 'error',
              check: 'backend-tag',
              subject: label(l),
              detail: `launches instances that join ${c.name} but is tagged for ${other}`,
              fix: `correct its tag to ${CLUSTER_TAG}=${c.name} (or move its instances to ${other})`,
            }
          : {
              severity: 'warning',
              check: 'backend-tag',
              subject: label(l),
              detail: `launches instances that join ${c.name} but carries neither ${CLUSTER_TAG} nor ${FALLBACK_TAG}`,
              fix: `tag it ${CLUSTER_TAG}=${c.name} (or ${FALLBACK_TAG}=${c.name} for a fallback)`,
            },
      );
    }
  }
  return out;
}

/**
 * The setting tags on a checked cluster's backend (`ecs-steady:max-step`, `ecs-steady:headroom`,
 * `ecs-steady:headroom-windows`, `ecs-steady:instance-types`, …) must each parse: scaleTick
 * refuses the cluster's plan while one does not (error, naming each tag and why). The cross-field
 * rules are left to scaleTick: they depend on its deployment's settings, which preflight does not read.
 */
export function checkBackendSettings(clusters: readonly ClusterFacts[], backends: readonly BackendFacts[]): Finding[] {
  const names = new Set(clusters.map((c) => c.name));
  const out: Finding[] = [];
  for (const b of backends) {
    if (!b.settingTags || !names.has(b.clusterTag ?? '')) continue;
    const bad = parseSettingTags(b.settingTags).bad;
    try {
      shapesFromTags(b.settingTags);
    } catch (err) {
      bad.push(errorMessage(err).replace(/^invalid backend tags: /, ''));
    }
    if (bad.length === 0) continue;
    out.push({
      severity: 'error',
      check: 'backend-settings',
      subject: `${b.kind} ${b.id}`,
      detail: `scaleTick will not plan ${b.clusterTag} while its backend's tags are invalid: ${bad.join('; ')}`,
      fix: 'correct or remove each tag named (docs/capacity.md, "Settings and backend tags")',
    });
  }
  return out;
}

/**
 * Every Auto Scaling group serving a checked cluster needs a terminating lifecycle hook the ASG
 * drain acts on (one of `hookNames`, default `ecs-steady-drain`): without one, scale-in,
 * rebalancing and instance refresh terminate instances undrained (error); a terminating hook
 * under another name is ignored by asgLifecycleDrain (warning: another tool may drain with it).
 */
export function checkLifecycleHooks(clusters: readonly ClusterFacts[], backends: readonly BackendFacts[], s: PreflightSettings): Finding[] {
  const names = new Set(clusters.map((c) => c.name));
  const out: Finding[] = [];
  const serving = backends.filter(
    (b) =>
      b.kind === 'asg' &&
      (names.has(b.clusterTag ?? '') ||
        names.has(b.fallbackFor ?? '') ||
        clusters.some((c) => c.instances.some((i) => i.launchedBy?.kind === 'asg' && i.launchedBy.id === b.id))),
  );
  for (const b of serving) {
    if (!b.hooks) continue;
    const terminating = b.hooks.filter((h) => h.transition === TERMINATING);
    if (terminating.some((h) => s.hookNames.includes(h.name))) continue;
    const ours = s.hookNames.join(' or ');
    out.push(
      terminating.length === 0
        ? {
            severity: 'error',
            check: 'lifecycle-hook',
            subject: `asg ${b.id}`,
            detail: `no terminating lifecycle hook: the group terminates instances (scale-in, rebalancing, instance refresh) without a drain`,
            fix: `aws autoscaling put-lifecycle-hook --auto-scaling-group-name ${b.id} --lifecycle-hook-name ${s.hookNames[0]} --lifecycle-transition ${TERMINATING} --heartbeat-timeout 300 --default-result CONTINUE`,
          }
        : {
            severity: 'warning',
            check: 'lifecycle-hook',
            subject: `asg ${b.id}`,
            detail: `terminating hook ${terminating.map((h) => h.name).join(', ')}, not ${ours}: asgLifecycleDrain ignores its actions`,
            fix: `rename the hook to ${s.hookNames[0]}, or add its name to LIFECYCLE_HOOK_NAMES of asgLifecycleDrain and preflight`,
          },
    );
  }
  return out;
}
