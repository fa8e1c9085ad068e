import type { BackendKind } from '../../retire/ports';

export type Severity = 'error' | 'warning' | 'info';

/** The checks, by name (the `check` column of the table). */
export type CheckName =
  | 'stop-timeout'
  | 'deployment'
  | 'spare-room'
  | 'backend-tag'
  | 'backend-settings'
  | 'lifecycle-hook'
  | 'dead-letter-queue'
  | 'alarm'
  | 'idle-timeout'
  | 'read';

/** One thing preflight found: where, what, and what to do about it. */
export interface Finding {
  severity: Severity;
  check: CheckName;
  /** cluster, cluster/service, cluster/service/target group, backend, queue, alarm, load balancer. */
  subject: string;
  detail: string;
  fix: string;
}

export interface Resources {
  cpu: number;
  memory: number;
}

/** A task on the instance whose loss is checked. */
export interface TaskFacts extends Resources {
  /** The service it belongs to (`group` = `service:<name>`); undefined for a standalone task. */
  service?: string;
}

export interface InstanceFacts {
  ec2InstanceId: string;
  instanceType: string;
  spot: boolean;
  registered: Resources;
  remaining: Resources;
  /** The backend that launched it, from AWS's own tags (`aws:autoscaling:groupName`, …). */
  launchedBy?: { kind: BackendKind; id: string };
  /** Read only for the instance whose loss is checked (see lostInstanceOf). */
  tasks?: TaskFacts[];
}

export interface TargetGroupUse {
  arn: string;
  name: string;
  deregistrationDelaySeconds: number;
}

export interface ServiceFacts {
  name: string;
  desired: number;
  schedulingStrategy: 'REPLICA' | 'DAEMON';
  /** ECS, CODE_DEPLOY or EXTERNAL: only ECS deployments follow minimumHealthyPercent / maximumPercent on a drain. */
  deploymentController: string;
  minimumHealthyPercent: number;
  maximumPercent: number;
  /** The largest container stopTimeout of its task definition; undefined: the agent's default applies. */
  stopTimeoutSeconds?: number;
  targetGroups: TargetGroupUse[];
}

/** A capacity backend as the directory found it, with the tags that place it. */
export interface BackendFacts {
  kind: BackendKind;
  id: string;
  /** Value of `ecs-steady:cluster`, when tagged. */
  clusterTag?: string;
  /** Value of `ecs-steady:fallback-for`, when tagged. */
  fallbackFor?: string;
  /** Its `ecs-steady:` tags (setting overrides scaleTick reads from the cluster's backend), when the directory read them. */
  settingTags?: Record<string, string>;
  /** Lifecycle hooks (ASGs only; undefined for fleets or when they could not be read). */
  hooks?: Array<{ name: string; transition: string }>;
}

export interface ClusterFacts {
  name: string;
  /** ACTIVE container instances. */
  instances: InstanceFacts[];
  services: ServiceFacts[];
}

export interface LoadBalancerFacts {
  arn: string;
  name: string;
  type: 'application' | 'network' | 'other';
  idleTimeouts: Array<{ listener?: string; seconds: number }>;
  /** cluster/service pairs behind it. */
  usedBy: string[];
}

/** Everything the checks look at: read once, then judged by pure functions. */
export interface PreflightSnapshot {
  clusters: ClusterFacts[];
  /** Every backend tagged for some cluster, plus untagged ones that launched a checked cluster's instances. */
  backends: BackendFacts[];
  /** Expected dead-letter queues and whether they exist. */
  queues: Array<{ name: string; exists: boolean }>;
  /** Names of the alarms that exist under the stage prefix; undefined when they could not be read (no alarm finding then). */
  alarms?: string[];
  loadBalancers: LoadBalancerFacts[];
  /** Set when the backend directory could not be read: no backend-tag or lifecycle-hook finding then (the `read` finding says why). */
  backendsUnread?: true;
  /** Reads that failed: reported as findings, never thrown. */
  /** `notFound`: AWS said the thing does not exist (a misspelt cluster), not that the read was refused. */
  readFailures: Array<{ subject: string; detail: string; notFound?: boolean }>;
}

/** What the checks compare against. */
export interface PreflightSettings {
  /** `<service>-<stage>`, the prefix serverless.yml gives queues and alarms (e.g. `ecs-steady-prod`). */
  stackPrefix: string;
  /** Lifecycle hook names the ASG drain acts on. */
  hookNames: string[];
  /** The Spot notice (120 s) less the drain's safety margin. */
  spotNoticeSeconds: number;
  safetyMarginSeconds: number;
  /** ECS_CONTAINER_STOP_TIMEOUT of the agents (default 30 s): used where a container sets no stopTimeout. */
  agentStopTimeoutSeconds: number;
  /**
   * The drain's stop timeout for the group stopped last (DAEMON-service tasks and agents;
   * DRAIN_STOP_TIMEOUT_SECONDS): where a cluster has them, the other tasks' budget is this much shorter.
   */
  lastGroupStopSeconds: number;
  /** AGENT_FAMILIES: per-instance agents started with StartTask, stopped last like DAEMON tasks. */
  agentFamilies: string[];
  /** Functions whose `-errors` and `-throttles` alarms must exist. */
  functions: string[];
  /** Dead-letter queue name suffixes after the prefix (`dead-letter`, `asg-drain-dead-letter`, …). */
  deadLetterQueues: string[];
  /** The applications' keep-alive timeout, when known: an idle timeout at or above it is an error. */
  appKeepAliveSeconds?: number;
}
