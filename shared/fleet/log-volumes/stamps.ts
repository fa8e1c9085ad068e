import type { CallOptions } from '../../aws/call';
import { mapLimit } from '../../lambda/concurrency';
import { errorMessage } from '../../lambda/errors';
import { AVAILABLE_SINCE_TAG, SEEN_ATTACHED_TAG } from '../../tags';
import type { LogVolume, VolumeView } from './ports';

/**
 * logVolumes' own stamps, the tags it writes as memory of what it saw: `value hmac:<base64>`, the
 * HMAC (KMS GenerateMac, an HMAC_256 key only logVolumes may use) over the volume id, the tag key
 * and the value. Anyone with ec2:CreateTags can write the tag; nobody without kms:GenerateMac on
 * the key can write one that VerifyMac accepts, and a stamp copied from another volume or to
 * another key fails because both are in the message. What a stamp proves is "logVolumes wrote this
 * value on this volume once": a replay of an older stamp of the same volume passes, which is why a
 * stamp is never the freshness fact (docs/design/trust.md).
 */
export const STAMPED_KEYS: readonly string[] = [SEEN_ATTACHED_TAG, AVAILABLE_SINCE_TAG];
export const MAC_SEPARATOR = ' hmac:';
/** Versioned, so a later message layout cannot be confused with this one. */
const MESSAGE_PREFIX = 'ecs-steady/log-volume-stamp/1';
/**
 * VerifyMac calls in flight at once: KMS meters cryptographic operations per account and Region, in
 * a quota HMAC operations share (KMS Developer Guide, "Request quotas"); throttled calls are retried
 * by the SDK, and a stamp still unchecked counts as absent and is not rewritten (plan.ts).
 */
const VERIFY_CONCURRENCY = 5;

/** The message a stamp's MAC covers: volume id, tag key and value, newline-separated (none of them can hold one). */
export function stampMessage(volumeId: string, key: string, value: string): Uint8Array {
  return new TextEncoder().encode(`${MESSAGE_PREFIX}\n${volumeId}\n${key}\n${value}`);
}

export const joinStamp = (value: string, mac: Uint8Array): string => `${value}${MAC_SEPARATOR}${Buffer.from(mac).toString('base64')}`;

/** The value and MAC of a stamp's tag value, or undefined when it is not one (no MAC, or not base64). */
export function splitStamp(tagValue: string): { value: string; mac: Uint8Array } | undefined {
  const at = tagValue.lastIndexOf(MAC_SEPARATOR);
  if (at < 0) return undefined;
  const b64 = tagValue.slice(at + MAC_SEPARATOR.length);
  if (!/^[A-Za-z0-9+/]{4,}={0,2}$/.test(b64)) return undefined;
  return { value: tagValue.slice(0, at), mac: new Uint8Array(Buffer.from(b64, 'base64')) };
}

/** The MAC calls a stamp needs (the KMS adapter on the function's key satisfies it). */
export interface MacPort {
  generate(message: Uint8Array, o?: CallOptions): Promise<Uint8Array>;
  /** True: the key's MAC over the message; false: not (KMSInvalidMacException); throws on any other failure. */
  verify(message: Uint8Array, mac: Uint8Array, o?: CallOptions): Promise<boolean>;
}

/** Each of `tags` sealed for this volume: the tag values to write. */
export async function sealStamps(mac: MacPort, volumeId: string, tags: Record<string, string>, o?: CallOptions) {
  const sealed: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags))
    sealed[key] = joinStamp(value, await mac.generate(stampMessage(volumeId, key, value), o));
  return sealed;
}

/**
 * The volumes with their stamps checked: `stamps` holds the values whose MAC KMS accepted; a stamp
 * without a MAC or with one KMS rejects is `forged`, one KMS could not check (throttled, key
 * disabled, deadline) is `unchecked`. Both count as absent, never as proof. `verify` fails for one
 * stamp at a time; the run goes on.
 */
export async function verifyStamps(mac: MacPort, volumes: readonly VolumeView[], o?: CallOptions): Promise<LogVolume[]> {
  const out: LogVolume[] = volumes.map((v) => ({ ...v, stamps: {}, unverifiedStamps: [] }));
  const checks = out.flatMap((v) => STAMPED_KEYS.filter((k) => v.tags[k] !== undefined).map((key) => ({ v, key })));
  await mapLimit(checks, VERIFY_CONCURRENCY, async ({ v, key }) => {
    const parts = splitStamp(v.tags[key]!);
    if (!parts) return void v.unverifiedStamps.push({ key, why: 'forged', detail: 'no MAC' });
    try {
      if (await mac.verify(stampMessage(v.volumeId, key, parts.value), parts.mac, o)) v.stamps[key] = parts.value;
      else v.unverifiedStamps.push({ key, why: 'forged', detail: 'MAC rejected by KMS' });
    } catch (err) {
      v.unverifiedStamps.push({ key, why: 'unchecked', detail: errorMessage(err) });
    }
  });
  return out;
}
