// @ts-check
'use strict';

/**
 * What serverless.yml cannot compute itself: its variables cannot split a comma-separated
 * param into a list or multiply a number. osls loads this file through
 * `${file(./deploy/stack.js):<name>}`, calls the export with its resolvers and puts the
 * result in the template. Everything runs offline and returns plain CloudFormation.
 *
 * Every export is a pure function of the stage params (`values`), so tests can call them
 * without osls (test/support/serverless-config.ts does). The log functions' derivations are in
 * deploy/logs.js, the dry-run and tracing switches in deploy/switches.js, what may be terminated or
 * deleted (fleet instances, log volumes) in deploy/ownership.js; all are exported here.
 *
 * No param is required: a bare `sls package` builds a working stack (the drain, capacity and fleet
 * functions), and the optional functions come with their param (logsBucket, nlbTargets). A param
 * given a value these cannot use fails the package with a message naming it.
 */

const logs = require('./logs');
const optional = require('./optional');
const switches = require('./switches');
const ownership = require('./ownership');

/** `arn:${AWS::Partition}:<service>:${AWS::Region}:${AWS::AccountId}:<rest>`, partition-neutral. */
const arn = (service, rest) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${rest}` });

/** Comma- or space-separated param → trimmed non-empty items (the same rule as the functions' envList). */
const list = (value) =>
  String(value ?? '')
    .split(/[\s,]+/)
    .filter((s) => s.length > 0);

/** A cluster given as a name or an ARN → its name (ARNs are rebuilt with this stack's partition, region and account). */
const clusterName = (cluster) => /^arn:[^:]+:ecs:[^:]*:[^:]*:cluster\/(.+)$/.exec(cluster)?.[1] ?? cluster;

/** Names of the configured clusters; `['*']` when none are configured (every cluster in this account and region). */
const clusters = (values) => {
  const names = list(values.clusters).map(clusterName);
  return names.length > 0 ? names : ['*'];
};

/**
 * Tag keys capacityWriter reads and writes (shared/tags.ts CLUSTER_TAG, FALLBACK_TAG, LAST_SCALE_OUT_TAG,
 * LAST_SCALE_IN_TAG, BACKOFF_TAG, DEMAND_IN_FLIGHT_TAG, SCALE_IN_DRAINS_TAG, SCALED_FOR_TAG; test/contract/stack-capacity.ts checks they agree).
 */
const CLUSTER_TAG = 'ecs-steady:cluster';
const FALLBACK_TAG = 'ecs-steady:fallback-for';
const LAST_ACTION_TAGS = ['ecs-steady:last-scale-out', 'ecs-steady:last-scale-in'];
/** Written only on a cluster's own backend (tagged CLUSTER_TAG) when capacity asked of it did not arrive. */
const BACKOFF_TAG = 'ecs-steady:backoff-until';
/** Written with a scale-out's record by capacityWriter (DEMAND_IN_FLIGHT_TAG: unplaced RunTask demand whose capacity is in flight). */
const DEMAND_IN_FLIGHT_TAG = 'ecs-steady:demand-in-flight';
/** Our record of our scale-in drains (SCALE_IN_DRAINS_TAG), on the backend holding each drained instance. */
const SCALE_IN_DRAINS_TAG = 'ecs-steady:scale-in-drains';
/** The cluster we last scaled a cluster's own backend for (SCALED_FOR_TAG), written with our records on it: memory for tag discovery. */
const SCALED_FOR_TAG = 'ecs-steady:scaled-for';

/** A backend is ours when it carries CLUSTER_TAG: naming one of the configured clusters, or any value when none are configured. */
const clusterTagCondition = (key, values) => {
  const names = list(values.clusters).map(clusterName);
  return names.length > 0 ? { StringEquals: { [key]: names } } : { StringLike: { [key]: '*' } };
};
/** Only our last-action tags (and, on a cluster's own backend, the back-off) may be written (aws:TagKeys: the keys in the request). */
const tagKeysOnly = (keys) => ({ 'ForAllValues:StringEquals': { 'aws:TagKeys': keys } });
const backendTagKeys = tagKeysOnly([...LAST_ACTION_TAGS, BACKOFF_TAG, DEMAND_IN_FLIGHT_TAG, SCALE_IN_DRAINS_TAG, SCALED_FOR_TAG]);
const fallbackTagKeys = tagKeysOnly([...LAST_ACTION_TAGS, DEMAND_IN_FLIGHT_TAG, SCALE_IN_DRAINS_TAG]);

/** The pure derivations, by name: `values` holds the params each one lists in NEEDS. */
const derive = {
  /** ECS resources of the configured clusters (ARN formats: Service Authorization Reference, Amazon ECS, "Resource types"). */
  ecsClusterArns: (values) => clusters(values).map((c) => arn('ecs', `cluster/${c}`)),
  ecsContainerInstanceArns: (values) => clusters(values).map((c) => arn('ecs', `container-instance/${c}/*`)),
  ecsTaskArns: (values) => clusters(values).map((c) => arn('ecs', `task/${c}/*`)),
  ecsServiceArns: (values) => clusters(values).map((c) => arn('ecs', `service/${c}/*`)),
  /** What the drain reads: container instances, tasks and services of the clusters. */
  ecsReadArns: (values) => [...derive.ecsContainerInstanceArns(values), ...derive.ecsTaskArns(values), ...derive.ecsServiceArns(values)],
  /** What the drain changes: container instance state (DRAINING) and tasks (StopTask). */
  ecsDrainArns: (values) => [...derive.ecsContainerInstanceArns(values), ...derive.ecsTaskArns(values)],
  /** `ecs:cluster` condition for the actions that support it; with no clusters configured, any cluster of this account and region. */
  ecsClusterCondition: (values) => ({ ArnLike: { 'ecs:cluster': derive.ecsClusterArns(values) } }),

  /** Target groups by name pattern (IAM wildcards allowed), in this account and region. */
  targetGroupArns: (values) =>
    (list(values.targetGroupNames).length ? list(values.targetGroupNames) : ['*']).map((n) =>
      arn('elasticloadbalancing', `targetgroup/${n}/*`),
    ),

  /** Every Auto Scaling group of this account and region; narrowed by the ownership tag condition when one is set. */
  autoScalingGroupArns: () => [arn('autoscaling', 'autoScalingGroup:*:autoScalingGroupName/*')],
  /** Only groups carrying the ownership tag key (any value); null (no condition) when no tag is configured. */
  asgOwnershipCondition: (values) => {
    const tag = String(values.asgOwnershipTag ?? '').trim();
    return tag ? { StringLike: { [`autoscaling:ResourceTag/${tag}`]: '*' } } : null;
  },

  // ---- scaleTick ----
  /** The configured clusters as names (the ecs-steady:cluster tag holds a name), comma-separated; empty = every tagged cluster. */
  clusterNames: (values) => list(values.clusters).map(clusterName).join(','),
  /**
   * GetTaskProtection names the cluster and its tasks: both the cluster and its tasks are
   * granted, so it works whichever of the two IAM authorises (both are of the configured clusters).
   */
  ecsTaskProtectionArns: (values) => [...derive.ecsClusterArns(values), ...derive.ecsTaskArns(values)],
  /**
   * SetDesiredCapacity and TerminateInstanceInAutoScalingGroup (scaleTick), DetachInstances
   * (spotInterruption): groups carrying CLUSTER_TAG (Auto Scaling's own tag key).
   */
  asgClusterTagCondition: (values) => clusterTagCondition(`autoscaling:ResourceTag/${CLUSTER_TAG}`, values),
  asgRecordActionCondition: (values) => ({ ...derive.asgClusterTagCondition(values), ...backendTagKeys }),
  /** spotInterruption dates a replacement: only the last-scale-out key, only on groups tagged CLUSTER_TAG. */
  asgLastScaleOutCondition: (values) => ({ ...derive.asgClusterTagCondition(values), ...tagKeysOnly([LAST_ACTION_TAGS[0]]) }),
  /**
   * A cluster's fallback backend carries FALLBACK_TAG instead of CLUSTER_TAG. IAM ANDs the keys of
   * one Condition, so "either tag" is a second statement with this condition; it never writes the back-off.
   */
  asgFallbackTagCondition: (values) => clusterTagCondition(`autoscaling:ResourceTag/${FALLBACK_TAG}`, values),
  asgFallbackRecordActionCondition: (values) => ({ ...derive.asgFallbackTagCondition(values), ...fallbackTagKeys }),
  /** EC2 Fleets and Spot Fleet requests of this account and region (Service Authorization Reference, Amazon EC2, "Resource types"). */
  fleetArns: () => [arn('ec2', 'fleet/*'), arn('ec2', 'spot-fleet-request/*')],
  fleetClusterTagCondition: (values) => clusterTagCondition(`aws:ResourceTag/${CLUSTER_TAG}`, values),
  fleetRecordActionCondition: (values) => ({ ...derive.fleetClusterTagCondition(values), ...backendTagKeys }),
  fleetFallbackTagCondition: (values) => clusterTagCondition(`aws:ResourceTag/${FALLBACK_TAG}`, values),
  fleetFallbackRecordActionCondition: (values) => ({ ...derive.fleetFallbackTagCondition(values), ...fallbackTagKeys }),
  /** EC2 instances of this account and region; the statements narrow them by the tags EC2 writes on fleet instances. */
  ec2InstanceArns: () => [arn('ec2', 'instance/*')],

  // ---- runTaskFailure, placementFailure ----
  /**
   * The `detail` of PlacementFailureRule's pattern: SERVICE_TASK_PLACEMENT_FAILURE, and with
   * `clusters` set only in those clusters (`detail.clusterArn` is the cluster's full ARN, "Amazon
   * ECS service action events", Amazon ECS Developer Guide).
   */
  placementFailureDetail: (values) => {
    const names = list(values.clusters).map(clusterName);
    return {
      eventName: ['SERVICE_TASK_PLACEMENT_FAILURE'],
      ...(names.length > 0 ? { clusterArn: names.map((c) => arn('ecs', `cluster/${c}`)) } : {}),
    };
  },

  // ---- agentHealth, nlbTargetSync, logVolumes, preflight ----
  /**
   * The `detail` of agentHealth's state-change rule: disconnects only (ECS sends this event for
   * every task placed or stopped; reconnects are seen by the schedule), and with `clusters` set
   * only in those clusters ("Amazon ECS container instance state change events").
   */
  agentDisconnectedDetail: (values) => {
    const names = list(values.clusters).map(clusterName);
    return { agentConnected: [false], ...(names.length > 0 ? { clusterArn: names.map((c) => arn('ecs', `cluster/${c}`)) } : {}) };
  },
  /** nlbTargetSync is deployed only with at least one binding. */
  nlbTargetSyncEnabled: (values) => nlbBindings(values).length > 0,
  /** The bound clusters' ARNs (the ECS rule's clusterArn and ListContainerInstances). */
  nlbTargetsClusterArns: (values) => nlbBindings(values).map((b) => arn('ecs', `cluster/${b.cluster}`)),
  nlbTargetsContainerInstanceArns: (values) => nlbBindings(values).map((b) => arn('ecs', `container-instance/${b.cluster}/*`)),
  nlbTargetsInstanceDetail: (values) => {
    const arns = derive.nlbTargetsClusterArns(values);
    return arns.length > 0 ? { clusterArn: arns } : {};
  },
  /** Register/DeregisterTargets: the bound target groups only, rebuilt with this stack's partition, region and account (where the function calls ELBv2). */
  nlbTargetGroupArns: (values) => nlbBindings(values).map((b) => arn('elasticloadbalancing', `targetgroup/${b.targetGroup}`)),
  /** EBS volumes of this account and region; the statements narrow them by the ownership tag. */
  ec2VolumeArns: () => [arn('ec2', 'volume/*')],
  /** The functions this stack deploys (preflight checks each one's errors and throttles alarms). */
  preflightFunctions: (values) => FUNCTIONS.filter((f) => !(f in OPTIONAL) || OPTIONAL[f](values)).join(','),

  /** The lifecycle hook names the EventBridge rule selects. */
  lifecycleHookNames: (values) => list(values.lifecycleHookNames),

  /**
   * "set the source queue's visibility timeout to at least six times the timeout that you
   * configure on your function" — AWS Lambda Developer Guide, "Using Lambda with Amazon SQS".
   */
  asgDrainVisibilityTimeout: (values) => 6 * Number(values.asgLifecycleDrainTimeoutSeconds),
  /**
   * How long EventBridge keeps retrying a lifecycle event it could not put in the queue: as
   * long as the drain itself may run, within the RetryPolicy range of 60 to 86,400 seconds
   * (EventBridge API Reference, RetryPolicy.MaximumEventAgeInSeconds).
   */
  asgRuleMaxEventAge: (values) => Math.min(86_400, Math.max(60, Number(values.asgDrainMaxSeconds))),

  ...logs.derive,
  ...switches.derive,
  ...ownership.derive,
};

/** serverless.yml's functions, in order (the OPTIONAL ones only when their param is set). */
const FUNCTIONS = [
  'spotInterruption',
  'asgLifecycleDrain',
  'logPartitions',
  'logSearch',
  'scaleTick',
  'capacityWriter',
  'runTaskFailure',
  'placementFailure',
  'agentHealth',
  'nlbTargetSync',
  'logVolumes',
  'preflight',
];

const TARGET_GROUP_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/([A-Za-z0-9-]{1,32}\/[0-9a-f]+)$/;
/**
 * `nlbTargets` (`cluster=targetGroupArn:port,…`, the port after the ARN's last colon) → its
 * bindings; a malformed item fails the package, naming it (the function validates the same at cold start).
 */
function nlbBindings(values) {
  return list(values.nlbTargets).map((item) => {
    const eq = item.indexOf('=');
    const rest = item.slice(eq + 1);
    const m = TARGET_GROUP_ARN.exec(rest.slice(0, rest.lastIndexOf(':')));
    if (eq < 1 || !m) throw new Error(`param nlbTargets: ${JSON.stringify(item)}: expected cluster=targetGroupArn:port`);
    return { cluster: clusterName(item.slice(0, eq)), targetGroup: m[1] };
  });
}

/**
 * Functions deployed only when their param is set, each with the derivation that says so. serverless.yml
 * names each as `<fn>: ${file(./deploy/stack.js):<fn>Function, null}` with its definition under
 * custom.optionalFunctions; its role and other resources under custom.optionalResources.
 */
const OPTIONAL = {
  logPartitions: logs.derive.logsEnabled,
  logSearch: logs.derive.logsEnabled,
  nlbTargetSync: derive.nlbTargetSyncEnabled,
};

/** The params each derivation reads. */
const NEEDS = {
  ecsClusterArns: ['clusters'],
  ecsContainerInstanceArns: ['clusters'],
  ecsTaskArns: ['clusters'],
  ecsServiceArns: ['clusters'],
  ecsClusterCondition: ['clusters'],
  ecsReadArns: ['clusters'],
  ecsDrainArns: ['clusters'],
  targetGroupArns: ['targetGroupNames'],
  autoScalingGroupArns: [],
  asgOwnershipCondition: ['asgOwnershipTag'],
  clusterNames: ['clusters'],
  ecsTaskProtectionArns: ['clusters'],
  asgClusterTagCondition: ['clusters'],
  asgRecordActionCondition: ['clusters'],
  asgLastScaleOutCondition: ['clusters'],
  fleetArns: [],
  asgFallbackTagCondition: ['clusters'],
  asgFallbackRecordActionCondition: ['clusters'],
  fleetClusterTagCondition: ['clusters'],
  fleetRecordActionCondition: ['clusters'],
  fleetFallbackTagCondition: ['clusters'],
  fleetFallbackRecordActionCondition: ['clusters'],
  ec2InstanceArns: [],
  placementFailureDetail: ['clusters'],
  agentDisconnectedDetail: ['clusters'],
  nlbTargetSyncEnabled: ['nlbTargets'],
  nlbTargetsClusterArns: ['nlbTargets'],
  nlbTargetsContainerInstanceArns: ['nlbTargets'],
  nlbTargetsInstanceDetail: ['nlbTargets'],
  nlbTargetGroupArns: ['nlbTargets'],
  ec2VolumeArns: [],
  preflightFunctions: ['nlbTargets', 'logsBucket'],
  lifecycleHookNames: ['lifecycleHookNames'],
  asgDrainVisibilityTimeout: ['asgLifecycleDrainTimeoutSeconds'],
  asgRuleMaxEventAge: ['asgDrainMaxSeconds'],
  ...logs.NEEDS,
  ...switches.NEEDS,
  ...ownership.NEEDS,
};
/** What decides each optional function (OPTIONAL), by the derivation's name. */
const OPTIONAL_NEEDS = {
  logPartitions: logs.NEEDS.logsEnabled,
  logSearch: logs.NEEDS.logsEnabled,
  nlbTargetSync: NEEDS.nlbTargetSyncEnabled,
};

/** osls entry points: resolve the params a derivation needs, then derive. */
module.exports = Object.fromEntries(
  Object.entries(derive).map(([name, fn]) => [
    name,
    async (/** @type {{ resolveVariable: (v: string) => Promise<unknown> }} */ { resolveVariable }) =>
      fn(await optional.paramsOf(resolveVariable, NEEDS[name])),
  ]),
);
/** `functions.<fn>` of each OPTIONAL function: its definition when its param is set, else nothing. */
for (const fn of Object.keys(OPTIONAL)) module.exports[`${fn}Function`] = optional.optionalFunction(fn, OPTIONAL[fn], OPTIONAL_NEEDS[fn]);
/** The log functions' roles and workgroup (custom.optionalResources.logs) when `logsBucket` is set, else nothing. */
module.exports.logsResources = optional.optionalResources('logs', logs.derive.logsEnabled, logs.NEEDS.logsEnabled);
/** For tests: the same derivations over a plain params object. */
Object.defineProperty(module.exports, 'derive', { value: derive, enumerable: false });
