import * as z from 'zod';
import { envBool, envInt, envList, parseEnv } from '../../lambda/env';
import { ConfigError } from '../../lambda/errors';
import { AVAILABLE_SINCE_TAG, FLUSHED_AT_TAG, LOG_VOLUME_TAG, OFFER_TAG, SEEN_ATTACHED_TAG } from '../../tags';

/** What logVolumes does with an orphan (available, no flushed tag) once it is old enough to alert on. */
export type OrphanAction = 'alert' | 'alert-and-offer';

export interface LogVolumesConfig {
  /** The ownership tag key; only volumes carrying it are read, let alone touched. */
  ownerTag: string;
  /** Accepted values of the ownership tag (cluster names); empty = any value. */
  owners: string[];
  /** The tag the instance (or the one that mounted the volume later) writes once the buffer is flushed: an ISO-8601 time. */
  flushedTag: string;
  /** Minutes after the flushed time before a flushed volume is deleted. */
  graceMinutes: number;
  /** Minutes an unflushed volume stays available (from our first sighting) before it is alerted on. */
  orphanAlertMinutes: number;
  orphanAction: OrphanAction;
  /** At most this many DeleteVolume per run; the rest wait for the next run (a tagging bug must not wipe the account). */
  maxDeletionsPerRun: number;
  /** Attempts per DeleteVolume within one run (each also retried by the SDK on throttling), bounded by the deadline. */
  deleteAttempts: number;
  dryRun: boolean;
  /** The KMS HMAC_256 key (its alias, or a key or alias ARN) that seals and verifies our stamps (stamps.ts); only logVolumes may use it. */
  stampKeyId: string;
}

export const OFFER_VALUE = 'offered';

/**
 * Minutes after its flushed time a volume may still be attached to the instance that flushed it:
 * the flush is written at shutdown (the Spot notice's 2 minutes, a lifecycle hook), and the detach
 * follows when the instance ends. EBS metrics later than this show another attachment.
 */
export const FLUSH_DETACH_MINUTES = 15;
/**
 * Minutes before a minute of EBS's metrics can be read back. "Most EBS volumes automatically send
 * five-minute metrics to CloudWatch" (EBS User Guide, "Amazon CloudWatch metrics for Amazon EBS"):
 * a five-minute period is sent once it ends; the delivery delay after that is not documented, so
 * we allow another five minutes. A metrics window ending later than `now` minus this is not yet
 * complete (snapshot.ts defers such a volume).
 */
export const EBS_METRICS_DELAY_MINUTES = 10;
/** The shortest grace that lets a deleting run read EBS's metrics from the end of the flush's detach on. */
export const GRACE_MINUTES_MIN = FLUSH_DETACH_MINUTES + EBS_METRICS_DELAY_MINUTES;
/** The keys logVolumes writes itself: neither configured key may be one of them. */
const OUR_STAMPS: readonly string[] = [AVAILABLE_SINCE_TAG, SEEN_ATTACHED_TAG, OFFER_TAG];

/** EC2 tag keys: "Maximum key length – 128 Unicode characters"; the `aws:` prefix is reserved. */
const tagKey = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) => v ?? fallback)
    .refine((v) => v.length <= 128 && !v.toLowerCase().startsWith('aws:'), 'expected an EC2 tag key (≤ 128 characters, not aws:…)');

/** Exported so docs/configuration.md is generated from it (scripts/config-reference.ts). */
export const logVolumesEnv = z.object({
  LOG_VOLUME_TAG: tagKey(LOG_VOLUME_TAG).describe(
    'Ownership tag key (its value: the cluster); only volumes carrying it are read, let alone touched.',
  ),
  CLUSTERS: envList().describe('Accepted ownership tag values (cluster names); empty = any value.'),
  FLUSHED_TAG: tagKey(FLUSHED_AT_TAG).describe(
    'Tag key whoever flushed the buffer writes (an ISO-8601 time); must differ from LOG_VOLUME_TAG and from the tags logVolumes writes.',
  ),
  GRACE_MINUTES: envInt(60, GRACE_MINUTES_MIN, 43_200).describe(
    `Minutes after the flushed time before a flushed volume is deleted; at least ${GRACE_MINUTES_MIN} (the flush's detach, ${FLUSH_DETACH_MINUTES}, plus the delay of EBS's metrics, ${EBS_METRICS_DELAY_MINUTES}), so EBS's metrics since the detach can be read.`,
  ),
  ORPHAN_ALERT_MINUTES: envInt(30, 0, 43_200).describe(
    'An unflushed volume available this many minutes (from first sight) is alerted on; it is never deleted.',
  ),
  ORPHAN_ACTION: z
    .enum(['alert', 'alert-and-offer'], { message: 'expected alert or alert-and-offer' })
    .optional()
    .describe(
      '`alert` (unset), or `alert-and-offer`: also tag the orphan `ecs-steady:remount=offered` for a new instance of the cluster to mount and flush.',
    ),
  MAX_DELETIONS_PER_RUN: envInt(20, 1, 200).describe(
    'Volumes deleted per run at most, oldest flushed first; the rest wait for the next run.',
  ),
  DELETE_ATTEMPTS: envInt(4, 1, 10).describe('Attempts per volume within one run.'),
  DRY_RUN: envBool(true).describe('Plan, log and report `wouldDelete` only; on when unset (deleting volumes is opt-in).'),
  STAMP_KEY_ID: z
    .string({ message: 'expected a KMS key: alias/<name>, or a key or alias ARN' })
    .trim()
    .regex(
      /^(alias\/[A-Za-z0-9/_-]{1,250}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/[0-9a-f-]+|alias\/[A-Za-z0-9/_-]{1,250}))$/,
      'expected a KMS key: alias/<name>, or a key or alias ARN',
    )
    .describe(
      'The KMS HMAC_256 key that seals and verifies the stamps logVolumes writes: the stack sets its alias (`alias/<service>-<stage>-log-volume-stamps`).',
    ),
});

/** Parsed once at cold start; a bad value throws a ConfigError naming the variable and the value. */
export function parseLogVolumesConfig(env: NodeJS.ProcessEnv = process.env): LogVolumesConfig {
  const e = parseEnv(logVolumesEnv, env);
  refuseTagCollisions(e.LOG_VOLUME_TAG, e.FLUSHED_TAG);
  return {
    ownerTag: e.LOG_VOLUME_TAG,
    owners: e.CLUSTERS,
    flushedTag: e.FLUSHED_TAG,
    graceMinutes: e.GRACE_MINUTES,
    orphanAlertMinutes: e.ORPHAN_ALERT_MINUTES,
    orphanAction: e.ORPHAN_ACTION ?? 'alert',
    maxDeletionsPerRun: e.MAX_DELETIONS_PER_RUN,
    deleteAttempts: e.DELETE_ATTEMPTS,
    dryRun: e.DRY_RUN,
    stampKeyId: e.STAMP_KEY_ID,
  };
}

/**
 * The tag keys must differ: with FLUSHED_TAG = LOG_VOLUME_TAG every owned volume reads as flushed
 * (its ownership value is taken for a flushed time or alerted on), and with either equal to a key
 * we write ourselves our own stamp would make a volume still holding logs look flushed (or owned).
 * Tag keys are case-sensitive in EC2, so the comparison is exact.
 */
function refuseTagCollisions(ownerTag: string, flushedTag: string): void {
  const problems: string[] = [];
  if (ownerTag === flushedTag) problems.push(`LOG_VOLUME_TAG and FLUSHED_TAG are both ${JSON.stringify(ownerTag)}`);
  for (const [name, key] of [
    ['LOG_VOLUME_TAG', ownerTag],
    ['FLUSHED_TAG', flushedTag],
  ] as const)
    if (OUR_STAMPS.includes(key)) problems.push(`${name}=${JSON.stringify(key)} is a tag logVolumes writes itself`);
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}
