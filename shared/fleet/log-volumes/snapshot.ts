import type { CallOptions } from '../../aws/call';
import { mapLimit } from '../../lambda/concurrency';
import { SEEN_ATTACHED_TAG } from '../../tags';
import { EBS_METRICS_DELAY_MINUTES, FLUSH_DETACH_MINUTES, type LogVolumesConfig } from './config';
import { dueFlushedAt, parseTagTime } from './plan';
import type { LogVolume, VolumesPort } from './ports';
import { verifyStamps } from './stamps';

/** ECS membership reads in flight at once (one per attachment not yet recorded; most runs ask none). */
const MEMBERSHIP_CONCURRENCY = 5;
/**
 * Instances asked about per run at most: ListContainerInstances shares ECS's cluster-resource-read
 * bucket (burst 100, 20/s) with every drain. A first run over a large fleet records 100 instances'
 * volumes a run; volumes stay attached for an instance's life, so the rest are recorded by later runs.
 */
export const MEMBERSHIP_READS_PER_RUN = 100;

/**
 * The volumes the plan looks at: `available` and `in-use` ones carrying our ownership tag (with
 * one of the configured values, when CLUSTERS is set). In-use ones are read to record the
 * attachment we see (EC2 forgets it once the volume is detached) — and only when ECS says the
 * instance it is attached to is a container instance of the cluster its ownership tag names: that
 * fact, not the tag, is what makes a volume ours. Our stamps count only when KMS verifies their MAC
 * (stamps.ts): a forged or unverifiable one is absent. Volumes without our tag are never read. A failed
 * membership read, or one over MEMBERSHIP_READS_PER_RUN, leaves that volume unrecorded this run
 * (the next run asks again).
 */
export async function readLogVolumes(port: VolumesPort, config: LogVolumesConfig, now: number, o?: CallOptions): Promise<LogVolume[]> {
  const listed = await port.listTagged(config.ownerTag, config.owners, ['available', 'in-use'], o);
  const volumes = await verifyStamps(port.mac, listed, o);
  const unrecorded = volumes.filter((v) => {
    const seen = parseTagTime(v.stamps[SEEN_ATTACHED_TAG]);
    const unchecked = v.unverifiedStamps.some((u) => u.key === SEEN_ATTACHED_TAG && u.why === 'unchecked');
    return (
      !unchecked &&
      v.state === 'in-use' &&
      v.attachedTo.length === 1 &&
      v.attachedAt !== undefined &&
      (seen === undefined || seen < v.attachedAt)
    );
  });
  // One read per (cluster, instance): an instance may hold several of our volumes.
  const asked = new Map<string, Promise<boolean | undefined>>();
  const member = (cluster: string, instanceId: string) => {
    const key = `${cluster} ${instanceId}`;
    if (!asked.has(key)) {
      if (asked.size >= MEMBERSHIP_READS_PER_RUN) return Promise.resolve(undefined);
      asked.set(
        key,
        port.isContainerInstanceOf(cluster, instanceId, o).catch(() => undefined),
      );
    }
    return asked.get(key)!;
  };
  await mapLimit(unrecorded, MEMBERSHIP_CONCURRENCY, async (v) => {
    const cluster = v.tags[config.ownerTag];
    if (cluster) v.attachedInOwnerCluster = await member(cluster, v.attachedTo[0]!);
  });
  await readAttachmentsAfterFlush(port, config, volumes, now, o);
  return volumes;
}

/**
 * For the volumes the plan would delete — the oldest flushed first, as many as it may delete this
 * run — whether EBS reported them attached after their flush: the one fact that shows a reuse that
 * began and ended between two runs (EC2 shows only current attachments). A failed read, or a window
 * EBS has not delivered metrics for yet (it starts less than EBS_METRICS_DELAY_MINUTES before now),
 * leaves the volume unread: the plan then keeps it this run (deferred).
 */
async function readAttachmentsAfterFlush(port: VolumesPort, config: LogVolumesConfig, volumes: LogVolume[], now: number, o?: CallOptions) {
  const due = volumes
    .map((v) => ({ v, flushedAt: dueFlushedAt(v, config, now) }))
    .filter((d): d is { v: LogVolume; flushedAt: number } => d.flushedAt !== undefined)
    .sort((a, b) => a.flushedAt - b.flushedAt || a.v.volumeId.localeCompare(b.v.volumeId))
    .slice(0, config.maxDeletionsPerRun);
  await mapLimit(due, MEMBERSHIP_CONCURRENCY, async ({ v, flushedAt }) => {
    const from = flushedAt + FLUSH_DETACH_MINUTES * 60_000;
    // EBS's metrics reach back to `now` minus their delay only: a window not yet past it proves
    // nothing (undefined: deferred). Never "not attached" unread — that deleted unchecked volumes.
    if (from >= now - EBS_METRICS_DELAY_MINUTES * 60_000) return;
    v.attachedAfterFlush = await port.wasAttachedBetween(v.volumeId, from, now, o).catch(() => undefined);
  });
}
