import { CreateTagsCommand, DeleteVolumeCommand, paginateDescribeVolumes, type EC2Client, type Filter } from '@aws-sdk/client-ec2';
import { collect, sendOptions, type CallOptions } from './call';
import { awsErrorName } from './errors';
import { chunk, CREATE_TAGS_RESOURCES_CHUNK } from './limits';

/**
 * DescribeVolumes `MaxResults`: "This value can be between 5 and 500; if MaxResults is given a
 * value larger than 500, only 500 items are returned."
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVolumes.html
 */
export const DESCRIBE_VOLUMES_PAGE_MAX = 500;
/**
 * Volume ids asked for per DescribeVolumes (as a `volume-id` filter). Not an API maximum that
 * DescribeVolumes documents: EC2 bounds filter values per request (FilterLimitExceeded) without
 * naming the number here, so we keep each request at 200 values.
 */
export const FILTER_VALUES_MAX = 200;

/** One EBS volume as logVolumes reads it. */
export interface VolumeView {
  volumeId: string;
  /** `creating` | `available` | `in-use` | `deleting` | `deleted` | `error`. */
  state: string;
  az: string;
  sizeGiB: number;
  createTime: number;
  tags: Record<string, string>;
  /** Instance ids it is attached to (empty when `available`). */
  attachedTo: string[];
  /** When its current attachment began (the latest AttachTime); absent when `available` (EC2 keeps no past attachments). */
  attachedAt?: number;
}

/** What one DeleteVolume came to. */
export type DeleteVolumeOutcome = 'deleted' | 'not-found' | 'in-use';

/** EBS volumes: list by tag and status, delete one, tag one. */
export class Ec2VolumesAdapter {
  constructor(private readonly ec2: EC2Client) {}

  /**
   * Every volume whose tag `key` is set (to one of `values`, when given) and whose state is one
   * of `states`, all pages followed (500 per page).
   */
  async listTagged(key: string, values: readonly string[], states: readonly string[], o?: CallOptions): Promise<VolumeView[]> {
    const Filters: Filter[] = [
      values.length > 0 ? { Name: `tag:${key}`, Values: [...values] } : { Name: 'tag-key', Values: [key] },
      ...(states.length > 0 ? [{ Name: 'status', Values: [...states] }] : []),
    ];
    return this.list(Filters, o);
  }

  /** The volumes among `volumeIds` that EC2 still lists (a deleted one is absent or `deleting`). */
  async describe(volumeIds: readonly string[], o?: CallOptions): Promise<VolumeView[]> {
    const out: VolumeView[] = [];
    // A filter, not VolumeIds: an id EC2 no longer knows fails the whole VolumeIds call (InvalidVolume.NotFound).
    for (const ids of chunk(volumeIds, FILTER_VALUES_MAX)) out.push(...(await this.list([{ Name: 'volume-id', Values: ids }], o)));
    return out;
  }

  /**
   * DeleteVolume. Answers `not-found` for InvalidVolume.NotFound (already gone) and `in-use` for
   * VolumeInUse (attached since it was read); anything else throws.
   */
  async delete(volumeId: string, o?: CallOptions): Promise<DeleteVolumeOutcome> {
    try {
      await this.ec2.send(new DeleteVolumeCommand({ VolumeId: volumeId }), sendOptions(o));
      return 'deleted';
    } catch (err) {
      const name = awsErrorName(err);
      if (name === 'InvalidVolume.NotFound') return 'not-found';
      if (name === 'VolumeInUse') return 'in-use';
      throw err;
    }
  }

  /** Create or overwrite the same tags on these volumes, CREATE_TAGS_RESOURCES_CHUNK a call (each call all or none). */
  async tag(volumeIds: readonly string[], tags: Record<string, string>, o?: CallOptions): Promise<void> {
    const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    for (const part of chunk(volumeIds, CREATE_TAGS_RESOURCES_CHUNK))
      await this.ec2.send(new CreateTagsCommand({ Resources: part, Tags }), sendOptions(o));
  }

  private async list(Filters: Filter[], o?: CallOptions): Promise<VolumeView[]> {
    return collect(
      paginateDescribeVolumes({ client: this.ec2 }, { Filters, MaxResults: DESCRIBE_VOLUMES_PAGE_MAX }, sendOptions(o)),
      (page) => page.Volumes?.map(toView),
    );
  }
}

function toView(v: {
  VolumeId?: string | undefined;
  State?: string | undefined;
  AvailabilityZone?: string | undefined;
  Size?: number | undefined;
  CreateTime?: Date | undefined;
  Tags?: Array<{ Key?: string | undefined; Value?: string | undefined }> | undefined;
  Attachments?: Array<{ InstanceId?: string | undefined; AttachTime?: Date | undefined }> | undefined;
}): VolumeView {
  const attachTimes = (v.Attachments ?? []).map((a) => a.AttachTime?.getTime()).filter((t): t is number => t !== undefined);
  return {
    volumeId: v.VolumeId ?? '',
    state: v.State ?? 'unknown',
    az: v.AvailabilityZone ?? '',
    sizeGiB: v.Size ?? 0,
    createTime: v.CreateTime?.getTime() ?? 0,
    tags: Object.fromEntries((v.Tags ?? []).filter((t) => t.Key).map((t) => [t.Key!, t.Value ?? ''])),
    attachedTo: (v.Attachments ?? []).map((a) => a.InstanceId ?? '').filter((id) => id !== ''),
    ...(attachTimes.length > 0 ? { attachedAt: Math.max(...attachTimes) } : {}),
  };
}
