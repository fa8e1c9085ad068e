import type {
  DeleteTagsCommandInput,
  DeleteVolumeCommandInput,
  DescribeVolumesCommandInput,
  Filter,
  Volume,
  VolumeState,
} from '@aws-sdk/client-ec2';
import type { OperationTable } from './account';
import type { SimEc2 } from './ec2';
import { tagsOf } from './ec2-tags';
import { simError } from './errors';
import { hexId, page } from './util';

/**
 * DescribeVolumes `MaxResults`: "This value can be between 5 and 500; if MaxResults is given a
 * value larger than 500, only 500 items are returned. If this parameter is not used, then all
 * items are returned. You cannot specify this parameter and the volume IDs parameter in the
 * same request." https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVolumes.html
 * (the wording of the error below 5 is assumed, as DescribeInstances words it).
 */
export const EC2_DESCRIBE_VOLUMES_MAX_RESULTS = { min: 5, max: 500 } as const;
/** How long a deleted volume answers `deleting` before DescribeVolumes stops listing it (assumed; AWS names no time). */
const DELETING_MS = 5_000;

export interface VolumeSeed {
  az?: string;
  sizeGiB?: number;
  tags?: Record<string, string>;
  /** Attached to this instance (in-use) as `device`; the volume then follows the instance's end. */
  attachTo?: { instanceId: string; device?: string; deleteOnTermination?: boolean };
}

export interface VolumeRecord {
  volumeId: string;
  az: string;
  sizeGiB: number;
  createTime: number;
  state: VolumeState;
  tags: Record<string, string>;
  attachment?: { instanceId: string; device: string; deleteOnTermination: boolean; attachTime: number };
  /** When it became `available` (created detached, or its instance ended); not something EC2 shows. */
  availableSince?: number;
  deletedAt?: number;
}

/**
 * EBS volumes: DescribeVolumes (filters, pagination), DeleteVolume, DeleteTags; CreateTags on
 * `vol-…` goes through sim/ec2-tags.ts. A volume attached with DeleteOnTermination=false
 * becomes `available` when its instance terminates ("By default, … the root volume is deleted
 * … Any additional EBS volumes that you attach at launch, or any EBS volumes that you attach
 * to an existing instance persist even after the instance terminates",
 * https://docs.aws.amazon.com/ebs/latest/userguide/ebs-deleting-volume.html and "Preserve data
 * when an instance is terminated" in the EC2 User Guide); with true it is deleted with it.
 */
export class EbsVolumes {
  private readonly volumes = new Map<string, VolumeRecord>();
  /**
   * Every attachment each volume ever had: EC2 shows only the current one, but EBS reports the
   * volume's CloudWatch metrics for as long as it is attached (sim/cloudwatch-ebs.ts reads this).
   */
  private readonly attachedPeriods = new Map<string, Array<{ from: number; to?: number }>>();

  constructor(private readonly ec2: SimEc2) {}

  operations(): OperationTable {
    return {
      DescribeVolumes: (input: DescribeVolumesCommandInput) => this.describe(input),
      DeleteVolume: (input: DeleteVolumeCommandInput) => this.delete(input.VolumeId ?? ''),
      DeleteTags: (input: DeleteTagsCommandInput) => this.deleteTags(input),
    };
  }

  // ---- seeding and observing --------------------------------------------------------

  /** A new volume: `available`, or `in-use` on `attachTo.instanceId` (which must be running). */
  create(seed: VolumeSeed = {}): string {
    const now = this.ec2.account.clock.now();
    const volumeId = `vol-0${hexId(this.ec2.account, 16)}`;
    const inst = seed.attachTo ? this.ec2.instance(seed.attachTo.instanceId) : undefined;
    if (seed.attachTo && inst?.state !== 'running') throw new Error(`createVolume: instance ${seed.attachTo.instanceId} is not running`);
    const record: VolumeRecord = {
      volumeId,
      az: seed.az ?? inst?.az ?? `${this.ec2.account.region}a`,
      sizeGiB: seed.sizeGiB ?? 20,
      createTime: now,
      state: seed.attachTo ? 'in-use' : 'available',
      tags: { ...(seed.tags ?? {}) },
      ...(seed.attachTo
        ? {
            attachment: {
              instanceId: seed.attachTo.instanceId,
              device: seed.attachTo.device ?? '/dev/xvdf',
              deleteOnTermination: seed.attachTo.deleteOnTermination ?? false,
              attachTime: now,
            },
          }
        : { availableSince: now }),
    };
    this.volumes.set(volumeId, record);
    if (seed.attachTo) this.attachedPeriods.set(volumeId, [{ from: now }]);
    return volumeId;
  }

  /**
   * Seeding: a running instance attaches an `available` volume (an instance's boot script
   * mounting an orphan, or reusing a volume): `in-use`, with a new AttachTime. The volume and the
   * instance must be in the same Availability Zone, as AttachVolume requires.
   */
  attach(volumeId: string, instanceId: string, device = '/dev/xvdf'): void {
    this.settle();
    const v = this.volumes.get(volumeId);
    const inst = this.ec2.instance(instanceId);
    if (v?.state !== 'available') throw new Error(`attachVolume: ${volumeId} is not available`);
    if (inst?.state !== 'running' || inst.az !== v.az) throw new Error(`attachVolume: ${instanceId} is not a running instance in ${v.az}`);
    v.state = 'in-use';
    v.attachment = { instanceId, device, deleteOnTermination: false, attachTime: this.ec2.account.clock.now() };
    delete v.availableSince;
    this.attachedPeriods.set(volumeId, [...(this.attachedPeriods.get(volumeId) ?? []), { from: v.attachment.attachTime }]);
  }

  /** When the volume was attached, each period `[from, to)` (`to` absent: attached now). Not something EC2 shows. */
  attachmentHistory(volumeId: string): ReadonlyArray<{ from: number; to?: number }> {
    this.settle();
    return this.attachedPeriods.get(volumeId) ?? [];
  }

  /** One volume as it stands now (undefined once deleted and gone). */
  volume(volumeId: string): VolumeRecord | undefined {
    this.settle();
    return this.volumes.get(volumeId);
  }

  /** Every volume EC2 still lists. */
  all(): VolumeRecord[] {
    this.settle();
    return [...this.volumes.values()];
  }

  // ---- the model ----------------------------------------------------------------------

  /** Follow instance ends: detach (keep) or delete each attached volume; drop volumes done deleting. */
  private settle(): void {
    const now = this.ec2.account.clock.now();
    for (const v of this.volumes.values()) {
      const a = v.attachment;
      const inst = a ? this.ec2.instance(a.instanceId) : undefined;
      if (a && inst?.state === 'terminated') {
        delete v.attachment;
        const open = this.attachedPeriods.get(v.volumeId)?.find((p) => p.to === undefined);
        if (open) open.to = inst.terminatedAt ?? now;
        if (a.deleteOnTermination) {
          v.state = 'deleting';
          v.deletedAt = inst.terminatedAt ?? now;
        } else {
          v.state = 'available';
          v.availableSince = inst.terminatedAt ?? now;
        }
      }
      if (v.state === 'deleting' && v.deletedAt !== undefined && now - v.deletedAt >= DELETING_MS) this.volumes.delete(v.volumeId);
    }
  }

  private describe(input: DescribeVolumesCommandInput) {
    this.settle();
    const ids = input.VolumeIds ?? [];
    if (ids.length > 0 && input.MaxResults !== undefined) {
      throw simError('InvalidParameterCombination', 'The parameter volumeSet cannot be used with the parameter maxResults');
    }
    const { min, max } = EC2_DESCRIBE_VOLUMES_MAX_RESULTS;
    if (input.MaxResults !== undefined && input.MaxResults < min) {
      throw simError(
        'InvalidParameterValue',
        `Value ( ${input.MaxResults} ) for parameter maxResults is invalid. Expecting a value greater than ${min}.`,
      );
    }
    const unknown = ids.filter((id) => !this.volumes.has(id));
    if (unknown.length > 0) throw simError('InvalidVolume.NotFound', `The volume '${unknown[0]}' does not exist.`);
    const candidates = ids.length > 0 ? ids.map((id) => this.volumes.get(id)!) : [...this.volumes.values()];
    const matching = candidates.filter((v) => (input.Filters ?? []).every((f) => matchesFilter(v, f)));
    // No MaxResults: every item in one answer (AWS: "If this parameter is not used, then all items are returned").
    const size = input.MaxResults === undefined ? Math.max(1, matching.length) : Math.min(input.MaxResults, max);
    const { items, nextToken } = page(matching, input.NextToken, size, () =>
      simError('InvalidParameterValue', 'The specified NextToken is not valid.'),
    );
    return { Volumes: items.map(toVolume), NextToken: nextToken };
  }

  /**
   * DeleteVolume: "The volume must be in the available state (not attached to an instance)."
   * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteVolume.html. Error codes
   * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html): VolumeInUse
   * "The specified Amazon EBS volume is attached to an instance" — its message as observed:
   * "Volume vol-… is currently attached to i-…"; InvalidVolume.NotFound "The specified volume does
   * not exist" — observed as "The volume 'vol-…' does not exist.". A volume already `deleting`
   * answers success again (assumed).
   */
  private delete(volumeId: string) {
    this.settle();
    const v = this.volumes.get(volumeId);
    if (!v) throw simError('InvalidVolume.NotFound', `The volume '${volumeId}' does not exist.`);
    if (v.attachment) throw simError('VolumeInUse', `Volume ${volumeId} is currently attached to ${v.attachment.instanceId}`);
    if (v.state !== 'deleting') {
      v.state = 'deleting';
      v.deletedAt = this.ec2.account.clock.now();
    }
    return {};
  }

  /**
   * DeleteTags: "If you specify a tag key with a tag value, we delete the tag only if its value
   * matches … If you specify a tag key without a tag value, we delete any tag with this key
   * regardless of its value. If you specify a tag key with an empty string as the tag value, we
   * delete the tag only if its value is an empty string. If you omit this parameter, we delete all
   * user-defined tags for the specified resources." Checked whole before anything changes.
   * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteTags.html
   */
  private deleteTags(input: DeleteTagsCommandInput) {
    this.settle();
    const targets = (input.Resources ?? []).map((id) => tagsOf(this.ec2, id));
    for (const tags of targets) {
      const asked = input.Tags;
      for (const key of Object.keys(tags)) {
        if (asked === undefined) {
          if (!key.startsWith('aws:')) delete tags[key];
          continue;
        }
        const hit = asked.find((t) => t.Key === key);
        if (hit && (hit.Value === undefined || hit.Value === tags[key])) delete tags[key];
      }
    }
    return {};
  }
}

/** EC2 filter values take `*` (any run) and `?` (one character) wildcards. */
function matchesValue(values: readonly string[], actual: string | undefined): boolean {
  if (actual === undefined) return false;
  return values.some((v) => {
    if (!/[*?]/.test(v)) return v === actual;
    const re = new RegExp(
      `^${v
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
    return re.test(actual);
  });
}

function matchesFilter(v: VolumeRecord, f: Filter): boolean {
  const values = f.Values ?? [];
  const name = f.Name ?? '';
  if (name === 'status') return matchesValue(values, v.state);
  if (name === 'volume-id') return matchesValue(values, v.volumeId);
  if (name === 'availability-zone') return matchesValue(values, v.az);
  if (name === 'attachment.instance-id') return matchesValue(values, v.attachment?.instanceId);
  if (name === 'attachment.delete-on-termination')
    return matchesValue(values, v.attachment ? String(v.attachment.deleteOnTermination) : undefined);
  if (name.startsWith('tag:')) return matchesValue(values, v.tags[name.slice(4)]);
  if (name === 'tag-key') return Object.keys(v.tags).some((k) => matchesValue(values, k));
  throw simError('InvalidParameterValue', `The filter '${name}' is invalid`);
}

function toVolume(v: VolumeRecord): Volume {
  return {
    VolumeId: v.volumeId,
    AvailabilityZone: v.az,
    Size: v.sizeGiB,
    VolumeType: 'gp3',
    Encrypted: false,
    CreateTime: new Date(v.createTime),
    State: v.state,
    Attachments: v.attachment
      ? [
          {
            VolumeId: v.volumeId,
            InstanceId: v.attachment.instanceId,
            Device: v.attachment.device,
            State: 'attached',
            AttachTime: new Date(v.attachment.attachTime),
            DeleteOnTermination: v.attachment.deleteOnTermination,
          },
        ]
      : [],
    ...(Object.keys(v.tags).length > 0 ? { Tags: Object.entries(v.tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
  };
}
