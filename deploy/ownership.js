// @ts-check
'use strict';

/**
 * What may be terminated or deleted, as IAM can say it: pure functions of the stage params, merged
 * into deploy/stack.js's derivations (serverless.yml reaches them as `${file(./deploy/stack.js):<name>}`).
 * IAM cannot tell who wrote a tag; the functions decide on facts and IAM only narrows
 * (docs/design/trust.md).
 */

/** Comma- or space-separated param → trimmed non-empty items (the same rule as the functions' envList). */
const list = (value) =>
  String(value ?? '')
    .split(/[\s,]+/)
    .filter((s) => s.length > 0);
/** A cluster given as a name or an ARN → its name. */
const clusterName = (/** @type {string} */ cluster) => /^arn:[^:]+:ecs:[^:]*:[^:]*:cluster\/(.+)$/.exec(cluster)?.[1] ?? cluster;
/** Only these tag keys may be written (aws:TagKeys: the keys in the request). */
const tagKeysOnly = (/** @type {string[]} */ keys) => ({ 'ForAllValues:StringEquals': { 'aws:TagKeys': keys } });

/** The ownership tag key of the log volumes (default as shared/tags.ts LOG_VOLUME_TAG). */
const logVolumeTag = (/** @type {Record<string, unknown>} */ values) => String(values.logVolumeTag ?? '').trim() || 'ecs-steady:log-volume';
/** logVolumes' own keys (shared/tags.ts AVAILABLE_SINCE_TAG, SEEN_ATTACHED_TAG, OFFER_TAG). */
const AVAILABLE_SINCE_TAG = 'ecs-steady:available-since';
const SEEN_ATTACHED_TAG = 'ecs-steady:seen-attached';
const OFFER_TAG = 'ecs-steady:remount';

/**
 * The ids of one kind of backend `capacityBackends` names (`cluster=kind:id`, as the functions'
 * CAPACITY_BACKENDS; shared/capacity/config.ts parseBackends validates the same at cold start). A
 * malformed item fails the package, naming it.
 * @param {Record<string, unknown>} values
 * @param {'ec2Fleet' | 'spotFleet'} kind
 */
function namedBackends(values, kind) {
  return list(values.capacityBackends).flatMap((item) => {
    const m = /^[A-Za-z0-9_-]{1,255}=(asg|ec2Fleet|spotFleet):(\S+)$/.exec(item);
    if (!m) throw new Error(`param capacityBackends: ${JSON.stringify(item)}: expected cluster=asg|ec2Fleet|spotFleet:id`);
    return m[1] === kind ? [m[2]] : [];
  });
}

/**
 * Instances carrying the aws: tag `key` (EC2 writes aws:ec2:fleet-id / aws:ec2spot:fleet-request-id
 * on every instance a fleet launches; nobody can write an aws: tag): with one of `ids` when any are
 * named, else with any value (a fleet found by its ecs-steady:cluster tag is known only at run time).
 * @param {string} key
 * @param {string[]} ids
 */
const fleetInstanceCondition = (key, ids) =>
  ids.length > 0 ? { StringEquals: { [`aws:ResourceTag/${key}`]: ids } } : { Null: { [`aws:ResourceTag/${key}`]: 'false' } };

/** @type {Record<string, (values: Record<string, unknown>) => any>} */
const derive = {
  /** TerminateInstances (capacityWriter, agentHealth only) of EC2 Fleet instances: the fleets capacityBackends names when it names any. */
  ec2FleetInstanceCondition: (values) => fleetInstanceCondition('aws:ec2:fleet-id', namedBackends(values, 'ec2Fleet')),
  /** The same for Spot Fleet requests. */
  spotFleetInstanceCondition: (values) => fleetInstanceCondition('aws:ec2spot:fleet-request-id', namedBackends(values, 'spotFleet')),
  /** A volume carries the ownership tag: naming one of the configured clusters, or any value when none are. */
  logVolumeOwnedCondition: (values) => {
    const key = `aws:ResourceTag/${logVolumeTag(values)}`;
    const names = list(values.clusters).map(clusterName);
    return names.length > 0 ? { StringEquals: { [key]: names } } : { Null: { [key]: 'false' } };
  },
  /**
   * DeleteVolume: the ownership tag and our own stamp of an attachment we saw (SEEN_ATTACHED_TAG): a
   * volume never seen attached in its cluster cannot be deleted however it is tagged.
   */
  logVolumeDeleteCondition: (values) => {
    const owned = derive.logVolumeOwnedCondition(values);
    return { ...owned, Null: { ...(owned.Null ?? {}), [`aws:ResourceTag/${SEEN_ATTACHED_TAG}`]: 'false' } };
  },
  /** logVolumes writes only its own keys, on volumes carrying the ownership tag. */
  logVolumeTagCondition: (values) => ({
    ...derive.logVolumeOwnedCondition(values),
    ...tagKeysOnly([AVAILABLE_SINCE_TAG, SEEN_ATTACHED_TAG, OFFER_TAG]),
  }),
};

/** The params each derivation reads. */
const NEEDS = {
  ec2FleetInstanceCondition: ['capacityBackends'],
  spotFleetInstanceCondition: ['capacityBackends'],
  logVolumeOwnedCondition: ['clusters', 'logVolumeTag'],
  logVolumeDeleteCondition: ['clusters', 'logVolumeTag'],
  logVolumeTagCondition: ['clusters', 'logVolumeTag'],
};

module.exports = { derive, NEEDS };
