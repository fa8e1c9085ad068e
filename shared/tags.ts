/**
 * Every persisted key ecs-steady reads or writes on AWS resources, in one file: they outlive a
 * deployment, so renaming one is a migration, not a refactor. A tag is memory (what we observed,
 * when), never authority: anyone with tagging rights can write one (docs/design/trust.md).
 * deploy/stack.js repeats the keys its IAM conditions name; test/contract/stack-capacity.ts and
 * test/contract/stack-fleet.ts check they agree.
 */

// ---- capacity backends (ASGs, EC2 Fleets, Spot Fleet requests) ----

/** The tag a capacity backend carries to say which cluster it serves: `ecs-steady:cluster = <cluster name>`. */
export const CLUSTER_TAG = 'ecs-steady:cluster';
/** Backend tags that remember our last actions across invocations (ISO 8601 times). */
export const LAST_SCALE_OUT_TAG = 'ecs-steady:last-scale-out';
export const LAST_SCALE_IN_TAG = 'ecs-steady:last-scale-in';
/**
 * A second backend a cluster falls back to when capacity asked of its backend does not arrive
 * (e.g. an on-demand ASG behind a Spot Fleet): `ecs-steady:fallback-for = <cluster name>`.
 */
export const FALLBACK_TAG = 'ecs-steady:fallback-for';
/**
 * On a backend: the instances of it we set DRAINING for scale-in and not yet removed, space-separated
 * (capacity/scale-in-record.ts). Our own record of our drains: a scale-in mark on a container instance
 * counts only when this agrees (anyone allowed ecs:TagResource can write the mark; this needs write
 * access to our backend's tags).
 */
export const SCALE_IN_DRAINS_TAG = 'ecs-steady:scale-in-drains';
/** On a backend whose capacity did not arrive: scale-outs go to the fallback until this ISO time. */
export const BACKOFF_TAG = 'ecs-steady:backoff-until';
/** On a backend: demand ECS cannot show (unplaced RunTask tasks) whose capacity is in flight (capacity/held-demand.ts), written with the last scale-out. */
export const DEMAND_IN_FLIGHT_TAG = 'ecs-steady:demand-in-flight';
/**
 * On a cluster's own backend: the cluster we last scaled it for, written with each of our records on it.
 * Memory only (anyone may write it): with tag discovery it says where to look when `ecs-steady:cluster`
 * was rewritten; ECS's membership of the backend's instances decides (capacity/backend-claims.ts).
 */
export const SCALED_FOR_TAG = 'ecs-steady:scaled-for';
/** Backend tags starting with this override the deployment's settings for its cluster (e.g. `ecs-steady:max-step = 4`). */
export const SETTING_TAG_PREFIX = 'ecs-steady:';

// ---- container instances (ECS resource tags) ----

/** On a container instance: never drain it for scale-in (value `true`). */
export const DO_NOT_DISRUPT_TAG = 'ecs-steady:do-not-disrupt';
/**
 * On a container instance: we set it DRAINING for scale-in at this ISO time. Replaced by
 * RETIRING_ATTRIBUTE; still read (and removed) for one release, never written.
 */
export const SCALE_IN_TAG = 'ecs-steady:scale-in';

// ---- EC2 instances ----

/** Written on an instance at its Spot notice, so later events and reconciles know it is leaving. */
export const INTERRUPTED_AT_TAG = 'ecs-steady:interrupted-at';

// ---- EBS log volumes ----

/** Default ownership tag of a log volume (LOG_VOLUME_TAG; its value: the cluster). Written by the launch template, not by us. */
export const LOG_VOLUME_TAG = 'ecs-steady:log-volume';
/** Default key whoever flushed a log volume's buffer writes (FLUSHED_TAG): an ISO-8601 time. */
export const FLUSHED_AT_TAG = 'ecs-steady:flushed-at';
/** Written by logVolumes on the first run that sees a volume available (again): the start of this availability period as we saw it. */
export const AVAILABLE_SINCE_TAG = 'ecs-steady:available-since';
/** Written by logVolumes on every run that sees a volume attached: the last time we saw it in use. */
export const SEEN_ATTACHED_TAG = 'ecs-steady:seen-attached';
/** Written on an orphan under ORPHAN_ACTION=alert-and-offer: a new instance's boot script may attach, flush and tag it. */
export const OFFER_TAG = 'ecs-steady:remount';

// ---- container instances (ECS custom attributes: only ecs:PutAttributes writes them, never a tag) ----

/**
 * agentHealth's own records, kept as ECS custom attributes, not tags: writing one takes
 * ecs:PutAttributes, which a holder of tagging rights alone does not have. Attribute names allow
 * letters, numbers, hyphens, underscores, slashes and periods — no colon (ECS API Reference, Attribute).
 */
/** When agentHealth first saw the instance's agent disconnected (ISO 8601); removed once it is back. */
export const DISCONNECTED_SINCE_ATTRIBUTE = 'ecs-steady.disconnected-since';
/** When agentHealth began draining the instance to replace it (ISO 8601). Replaced by RETIRING_ATTRIBUTE; still read for one release, never written. */
export const AGENT_REPLACE_ATTRIBUTE = 'ecs-steady.agent-replace';

/**
 * The one mark for "being retired by us" (shared/retire/mark.ts): `<reason>@<ISO time>`, written
 * only by retire, as an ECS custom attribute (ecs:PutAttributes, not tagging rights). Memory, never
 * authority: retire and the planners confirm it against our own record (the backend's scale-in
 * record, the backend holding the instance now) before acting. The marks it replaces —
 * SCALE_IN_TAG and AGENT_REPLACE_ATTRIBUTE — are still read for one release, never written.
 */
export const RETIRING_ATTRIBUTE = 'ecs-steady.retiring';

// ---- ECS tasks ----

/**
 * On a standalone task (RunTask/StartTask `tags`): `ecs-steady:agent = true` marks a per-instance
 * agent or log router. It only makes the task kept longer (stopped last, never re-queued, no reason
 * to keep an instance): it never authorises stopping or terminating anything, so a forged one is harmless.
 */
export const AGENT_TAG = 'ecs-steady:agent';
