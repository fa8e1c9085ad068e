import type { CallOptions } from '../../aws/call';
import type { DeleteVolumeOutcome, VolumeView } from '../../aws/ec2-volumes';
import type { MacPort } from './stamps';

export type { DeleteVolumeOutcome, VolumeView };

/**
 * A volume as the plan sees it. `stamps`: our own stamps whose MAC KMS accepted this run (key →
 * value without the MAC); `unverifiedStamps`: the ones it did not (forged, or not checkable now),
 * which count as absent. `attachedInOwnerCluster`, read only for an in-use volume whose
 * attachment is not yet recorded: whether ECS has the instance it is attached to registered in
 * the cluster its ownership tag names (undefined: not asked this run, or the read failed).
 */
export type LogVolume = VolumeView & {
  stamps: Record<string, string>;
  unverifiedStamps: Array<{ key: string; why: 'forged' | 'unchecked'; detail: string }>;
  attachedInOwnerCluster?: boolean;
  /**
   * Read only for a volume the plan would delete (plan.ts dueFlushedAt): whether EBS reported it
   * attached from FLUSH_DETACH_MINUTES after its flushed time until now (undefined: not read).
   */
  attachedAfterFlush?: boolean;
};

/**
 * The EBS calls logVolumes makes (Ec2VolumesAdapter satisfies it).
 * - listTagged: every volume with tag `key` (= one of `values`, when given) in one of `states`; all pages; throws on failure.
 * - describe: the volumes among `ids` EC2 still lists (absent = gone); throws on failure.
 * - delete: `deleted` | `not-found` (gone already) | `in-use` (attached since read); any other failure throws.
 * - tag: create or overwrite the same tags on these volumes, all or none (EC2 CreateTags); throws on failure.
 * - isContainerInstanceOf: whether ECS has the EC2 instance registered in the cluster (false for a
 *   cluster ECS does not know); throws on any other failure.
 * - wasAttachedBetween: whether EBS reported any metric of the volume in [from, to] (CloudWatch); throws on failure.
 * - mac: GenerateMac/VerifyMac on logVolumes' own KMS HMAC key (seals and checks our stamps).
 */
export interface VolumesPort {
  listTagged(key: string, values: readonly string[], states: readonly string[], o?: CallOptions): Promise<VolumeView[]>;
  describe(ids: readonly string[], o?: CallOptions): Promise<VolumeView[]>;
  delete(volumeId: string, o?: CallOptions): Promise<DeleteVolumeOutcome>;
  tag(volumeIds: readonly string[], tags: Record<string, string>, o?: CallOptions): Promise<void>;
  isContainerInstanceOf(cluster: string, ec2InstanceId: string, o?: CallOptions): Promise<boolean>;
  wasAttachedBetween(volumeId: string, from: number, to: number, o?: CallOptions): Promise<boolean>;
  mac: MacPort;
}
