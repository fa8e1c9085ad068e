import * as z from 'zod';
import { LIFECYCLE_HEARTBEAT_MAX_SECONDS } from '../aws/limits';
import { envArn, envBool, envInt, envList, parseEnv } from '../lambda/env';

/** How a drain behaves, whatever started it. */
export interface DrainSettings {
  dryRun: boolean;
  pollMs: number;
  safetyMarginMs: number;
  /** Longest wait for targets to leave `draining` (from the drain's start). */
  maxWaitMs: number;
  /** Hold a target group's last healthy targets while ECS places replacements and time allows. */
  keepServing: boolean;
  /** A new notice this far past its deadline is still acted on; later it is `expired`. */
  expiredToleranceMs: number;
  interruptedTasksTopicArn?: string;
  /** Standalone tasks of these families are per-instance agents: stopped last, never re-queued, no bar to scale-in. */
  agentFamilies?: string[];
  /** The stop timeout each stop group is given before the next one is stopped (drain/stop-order.ts). */
  stopTimeoutMs?: number;
}

export interface DrainConfig extends DrainSettings {
  /** Clusters searched for the instance; empty = every cluster in the region. */
  clusters: string[];
  deadLetterQueueName?: string;
}

/** Exported (with the schemas below) so docs/configuration.md is generated from them (scripts/config-reference.ts). */
export const drainEnv = z.object({
  CLUSTERS: envList().describe('Clusters searched for the instance (names or ARNs, comma-separated); empty = every cluster in the region.'),
  DRY_RUN: envBool(false).describe(
    'Plan, log and report only: nothing is changed and no lifecycle action is completed (what a function still records is in its reference).',
  ),
  DRAIN_SAFETY_MARGIN_SECONDS: envInt(15, 0, 300).describe('Whatever still runs is stopped at the deadline minus this.'),
  DRAIN_POLL_SECONDS: envInt(5, 1, 60).describe('How often target health is read while waiting for targets to drain.'),
  DRAIN_MAX_WAIT_SECONDS: envInt(90, 0, 7200).describe('Longest wait for targets to leave `draining`, from the start of the drain.'),
  DRAIN_KEEP_SERVING: envBool(true).describe("Hold a target group's last healthy targets while ECS places replacements and time allows."),
  DRAIN_EXPIRED_TOLERANCE_SECONDS: envInt(0, 0, 3600).describe(
    'A notice this far past its deadline is still acted on; later it is `expired`.',
  ),
  INTERRUPTED_TASKS_TOPIC_ARN: envArn('sns').describe(
    'SNS topic that gets one record per stopped standalone task, so a job runner can run it again; unset = no records.',
  ),
  AGENT_FAMILIES: envList().describe(
    'Task definition families of per-instance agents and log routers started with StartTask/RunTask (comma-separated): stopped last by a drain, never re-queued, never a reason to keep an instance from scale-in. A task tagged `ecs-steady:agent=true` counts too.',
  ),
  DRAIN_STOP_TIMEOUT_SECONDS: envInt(30, 0, 120).describe(
    "The stop timeout a drain gives each group of tasks (load-balanced and batch first, DAEMON tasks and agents last) before stopping the next: your containers' stopTimeout, or the agent's ECS_CONTAINER_STOP_TIMEOUT (30 s by default).",
  ),
  DEAD_LETTER_QUEUE_NAME: z.string().optional().describe('Queue that rejected input goes to, as an envelope naming the error.'),
});

export function parseDrainConfig(env: NodeJS.ProcessEnv = process.env): DrainConfig {
  const e = parseEnv(drainEnv, env);
  return {
    clusters: e.CLUSTERS,
    dryRun: e.DRY_RUN,
    safetyMarginMs: e.DRAIN_SAFETY_MARGIN_SECONDS * 1000,
    pollMs: e.DRAIN_POLL_SECONDS * 1000,
    maxWaitMs: e.DRAIN_MAX_WAIT_SECONDS * 1000,
    keepServing: e.DRAIN_KEEP_SERVING,
    expiredToleranceMs: e.DRAIN_EXPIRED_TOLERANCE_SECONDS * 1000,
    interruptedTasksTopicArn: e.INTERRUPTED_TASKS_TOPIC_ARN,
    agentFamilies: e.AGENT_FAMILIES,
    stopTimeoutMs: e.DRAIN_STOP_TIMEOUT_SECONDS * 1000,
    deadLetterQueueName: e.DEAD_LETTER_QUEUE_NAME,
  };
}

/** spotInterruption: the drain, and whether to ask the instance's Auto Scaling group for its replacement at the notice. */
export interface SpotDrainConfig extends DrainConfig {
  replaceOnNotice: boolean;
  /** The queue the notices arrive on (a record that failed is made visible again on it at once). */
  noticeQueueName?: string;
  /** What a rebalance recommendation does: nothing, the replacement as at the notice, or that and a drain that keeps serving. */
  rebalance?: RebalanceMode;
}

export const REBALANCE_MODES = ['off', 'replace', 'replace-and-drain'] as const;
export type RebalanceMode = (typeof REBALANCE_MODES)[number];

export const spotEnv = z.object({
  REPLACE_ON_NOTICE: envBool(true).describe(
    'Detach an instance under a Spot notice from its Auto Scaling group (tagged `ecs-steady:cluster`, no Capacity Rebalancing) without lowering desired, so its replacement launches at the notice.',
  ),
  SPOT_NOTICE_QUEUE_NAME: z
    .string()
    .optional()
    .describe('The SQS queue the Spot notices arrive on (batched, so notices that arrive together are drained as one wave).'),
  REBALANCE_RECOMMENDATIONS: z
    .enum(REBALANCE_MODES)
    .default('off')
    .describe(
      'What an EC2 rebalance recommendation does: `off`; `replace` (the replacement asked for at once, as at the Spot notice); `replace-and-drain` (also set the instance DRAINING, so ECS moves its service tasks start-before-stop).',
    ),
});

export function parseSpotDrainConfig(env: NodeJS.ProcessEnv = process.env): SpotDrainConfig {
  const e = parseEnv(spotEnv, env);
  return {
    ...parseDrainConfig(env),
    replaceOnNotice: e.REPLACE_ON_NOTICE,
    rebalance: e.REBALANCE_RECOMMENDATIONS,
    ...(e.SPOT_NOTICE_QUEUE_NAME ? { noticeQueueName: e.SPOT_NOTICE_QUEUE_NAME } : {}),
  };
}

export interface AsgDrainConfig extends DrainConfig {
  /** Longest stretch one invocation drains before handing the rest on (ms). */
  stepMs: number;
  /** Used when the hook cannot be described (seconds). */
  defaultHeartbeatSeconds: number;
  /** The queue the function consumes; continuations go back to it with a delay. */
  drainQueueName: string;
  /** Lifecycle hooks that are ours; any other hook's action is never touched. */
  hookNames: string[];
  /** When set, only ASGs carrying this tag key are ours. */
  ownershipTag?: string;
  /** A drain may run this long (ms) after the notice, never past the hook's global timeout. */
  drainMaxMs: number;
  /** What CompleteLifecycleAction sends when the drain ends at its deadline (a drained instance always CONTINUEs). */
  deadlineResult: 'CONTINUE' | 'ABANDON';
}

export const asgEnv = z.object({
  ASG_STEP_SECONDS: envInt(240, 10, 840).describe('Longest drain inside one invocation; the rest is handed on through the drain queue.'),
  ASG_DEFAULT_HEARTBEAT_SECONDS: envInt(300, 30, LIFECYCLE_HEARTBEAT_MAX_SECONDS).describe(
    "The hook's heartbeat timeout assumed when the hook cannot be described.",
  ),
  DRAIN_QUEUE_NAME: z
    .string({ message: 'required: the SQS queue name this function consumes' })
    .describe('The SQS queue this function consumes; an unfinished drain is sent back to it with a delay.'),
  LIFECYCLE_HOOK_NAMES: envList().describe(
    'Terminate lifecycle hooks that are ours (comma-separated); empty = `ecs-steady-drain`. Any other hook is never heartbeaten or completed.',
  ),
  ASG_OWNERSHIP_TAG: z
    .string()
    .optional()
    .describe('Tag key an Auto Scaling group must carry (any value) to be drained and completed; unset = any group.'),
  ASG_DRAIN_MAX_SECONDS: envInt(3600, 30, 172_800).describe(
    "Longest ASG drain from the notice, heartbeats included; never past the hook's global timeout.",
  ),
  ASG_DEADLINE_RESULT: z
    .enum(['CONTINUE', 'ABANDON'], { message: 'expected CONTINUE or ABANDON' })
    .optional()
    .describe('Lifecycle result sent when a drain ends at its bound; unset = CONTINUE. A drained instance always continues.'),
});

/** The hook name the README tells people to create. */
export const DEFAULT_HOOK_NAME = 'ecs-steady-drain';

export function parseAsgDrainConfig(env: NodeJS.ProcessEnv = process.env): AsgDrainConfig {
  const e = parseEnv(asgEnv, env);
  const base = parseDrainConfig(env);
  return {
    ...base,
    // An ASG drain waits for deregistration as long as its own bound allows, not the Spot cap.
    maxWaitMs: Math.max(base.maxWaitMs, e.ASG_DRAIN_MAX_SECONDS * 1000),
    stepMs: e.ASG_STEP_SECONDS * 1000,
    defaultHeartbeatSeconds: e.ASG_DEFAULT_HEARTBEAT_SECONDS,
    drainQueueName: e.DRAIN_QUEUE_NAME,
    hookNames: e.LIFECYCLE_HOOK_NAMES.length ? e.LIFECYCLE_HOOK_NAMES : [DEFAULT_HOOK_NAME],
    ...(e.ASG_OWNERSHIP_TAG ? { ownershipTag: e.ASG_OWNERSHIP_TAG } : {}),
    drainMaxMs: e.ASG_DRAIN_MAX_SECONDS * 1000,
    deadlineResult: e.ASG_DEADLINE_RESULT ?? 'CONTINUE',
  };
}
