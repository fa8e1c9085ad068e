import { CLUSTER_TAG, FALLBACK_TAG, SCALED_FOR_TAG } from '../tags';
import { AutoScalingGroupsAdapter, type AsgGroup } from '../aws/autoscaling-groups';
import type { CallOptions } from '../aws/call';
import { Ec2FleetsAdapter, type FleetInfo } from '../aws/ec2-fleets';
import { SpotFleetsAdapter } from '../aws/ec2-spot-fleets';
import { asgBackend } from './backend-asg';
import type { BackendClients } from './backend-common';
import { ec2FleetBackend, spotFleetBackend } from './backend-fleets';
import type { BackendDirectory, BackendKind, CapacityBackend } from './ports';

export { asgBackend } from './backend-asg';
export { BackendGoneError, type BackendClients } from './backend-common';
export { ec2FleetBackend, spotFleetBackend } from './backend-fleets';

/** A backend as one discovery pass read it (data undefined: named in config, not found by that pass). */
type Found = { kind: 'asg'; id: string; data?: AsgGroup } | { kind: 'ec2Fleet' | 'spotFleet'; id: string; data?: FleetInfo };

const keyOf = (kind: BackendKind, id: string) => `${kind}:${id}`;

/** A backend of any kind, handed what discovery read of it (its first describe reuses it). */
export function backendFor(clients: BackendClients, found: Found): CapacityBackend {
  if (found.kind === 'asg') return asgBackend(clients, { id: found.id }, found.data);
  return (found.kind === 'ec2Fleet' ? ec2FleetBackend : spotFleetBackend)(clients, { id: found.id }, found.data);
}

/**
 * Finds every cluster's backends in one pass for the whole account (when CAPACITY_BACKENDS names
 * backends, they are the only ones: tags add none, only a named cluster's fallback): one paginated
 * DescribeAutoScalingGroups filtered on the tag key CLUSTER_TAG, one DescribeFleets (type
 * `maintain`, state active or modifying) and one DescribeSpotFleetRequests (kept: `maintain`,
 * active or modifying); a fleet counts when its Tags carry CLUSTER_TAG. Backends named in config
 * join their cluster too: read in the same pass when tagged, else read by name / id (a named one
 * AWS does not know is still returned, and its describe throws for that cluster alone).
 * Throws when one of the three list calls fails (nothing to decide on for any cluster).
 */
export function backendDirectory(clients: BackendClients): BackendDirectory {
  const groups = new AutoScalingGroupsAdapter(clients.autoscaling);
  const fleets = new Ec2FleetsAdapter(clients.ec2);
  const spots = new SpotFleetsAdapter(clients.ec2);
  return {
    async discover(named, o) {
      const [asgs, ec2s, sfrs] = await Promise.all([
        groups.withTagKey([CLUSTER_TAG, FALLBACK_TAG, SCALED_FOR_TAG], o),
        fleets.maintainFleets(o),
        spots.maintainRequests(o),
      ]);
      const found = new Map<string, Found>();
      const clusterOf = new Map<string, string[]>();
      // Backends named in config are authoritative: a tag then adds no backend (nor a cluster). Only a
      // fallback is still found by its tag (it has no setting of its own), and only for a named cluster.
      const explicit = named.size > 0;
      const remember = (f: Found, tags: Record<string, string>) => {
        found.set(keyOf(f.kind, f.id), f);
        const cluster = explicit ? (tags[CLUSTER_TAG] ? undefined : tags[FALLBACK_TAG]) : (tags[CLUSTER_TAG] ?? tags[FALLBACK_TAG]);
        // With tag discovery our memory of the cluster we scaled it for (a tag too) also says where to look:
        // a rewritten cluster tag does not hide the backend from its cluster; ECS's membership decides there.
        const remembered = explicit ? undefined : tags[SCALED_FOR_TAG];
        const clusters = [cluster, remembered].filter((c): c is string => !!c && (!explicit || named.has(c)));
        if (clusters.length > 0) clusterOf.set(keyOf(f.kind, f.id), [...new Set(clusters)]);
      };
      for (const g of asgs) remember({ kind: 'asg', id: g.name, data: g }, g.tags);
      for (const f of ec2s) remember({ kind: 'ec2Fleet', id: f.id, data: f }, f.tags);
      for (const f of sfrs) remember({ kind: 'spotFleet', id: f.id, data: f }, f.tags);
      for (const f of await readNamed(
        [...named.values()].filter((n) => !found.has(keyOf(n.kind, n.id))),
        o,
      )) {
        found.set(keyOf(f.kind, f.id), f);
      }

      const out = new Map<string, CapacityBackend[]>();
      const add = (cluster: string, key: string) => {
        const list = out.get(cluster) ?? [];
        if (list.some((b) => keyOf(b.ref.kind, b.ref.id) === key)) return;
        list.push(backendFor(clients, found.get(key)!));
        out.set(cluster, list);
      };
      for (const [key, clusters] of clusterOf) for (const cluster of clusters) add(cluster, key);
      for (const [cluster, n] of named) add(cluster, keyOf(n.kind, n.id));
      return out;
    },
  };

  /** Named backends the tag pass did not find: ASGs in one call per 50 names, fleets one call each. */
  async function readNamed(wanted: Array<{ kind: BackendKind; id: string }>, o?: CallOptions): Promise<Found[]> {
    const asgNames = wanted.filter((n) => n.kind === 'asg').map((n) => n.id);
    const byName = new Map((asgNames.length > 0 ? await groups.byNames(asgNames, o) : []).map((g) => [g.name, g]));
    return Promise.all(
      wanted.map(async (n): Promise<Found> => {
        if (n.kind === 'asg') return { kind: 'asg', id: n.id, data: byName.get(n.id) };
        const adapter = n.kind === 'ec2Fleet' ? fleets : spots;
        // Unknown id (InvalidFleetId.NotFound, …): no data; the backend's own describe reports it.
        const data = await adapter.describe(n.id, o).catch(() => undefined);
        return { kind: n.kind, id: n.id, data };
      }),
    );
  }
}
