import * as z from 'zod';
import { DEFAULT_HOOK_NAME, parseDrainConfig } from '../../retire/drain-config';
import { SPOT_NOTICE_MS } from '../../retire/spot-event';
import { envInt, envList, parseEnv } from '../../lambda/env';
import type { PreflightSettings } from './types';

/** The functions serverless.yml deploys today: each has `<prefix>-<fn>-errors` and `-throttles` alarms (deploy/operations.js). */
export const DEFAULT_FUNCTIONS = [
  'spotInterruption',
  'asgLifecycleDrain',
  'logPartitions',
  'logSearch',
  'scaleTick',
  'runTaskFailure',
  'placementFailure',
];
/** serverless.yml's dead-letter queues, `<prefix>-<suffix>`. */
export const DEFAULT_DEAD_LETTER_QUEUES = [
  'dead-letter',
  'asg-drain-dead-letter',
  'run-task-failure-dead-letter',
  'placement-failure-dead-letter',
];
/** ECS_CONTAINER_STOP_TIMEOUT: "Default value on Linux: 30s" (ECS container agent configuration). */
export const AGENT_DEFAULT_STOP_TIMEOUT_SECONDS = 30;

export interface PreflightConfig extends PreflightSettings {
  /** Clusters checked; empty = every cluster in the region. */
  clusters: string[];
}

/** Exported so docs/configuration.md is generated from it (scripts/config-reference.ts). */
export const preflightEnv = z.object({
  PREFLIGHT_STACK_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/, 'expected `<service>-<stage>`, e.g. ecs-steady-prod')
    .optional()
    .describe("Prefix of this stage's queue and alarm names, `<service>-<stage>`; unset = ecs-steady-dev."),
  LIFECYCLE_HOOK_NAMES: envList().describe('The lifecycle hooks that are ours; empty = `ecs-steady-drain`.'),
  PREFLIGHT_AGENT_STOP_TIMEOUT_SECONDS: envInt(AGENT_DEFAULT_STOP_TIMEOUT_SECONDS, 0, 86_400).describe(
    "The agents' `ECS_CONTAINER_STOP_TIMEOUT`: a container's stop time when it sets no stopTimeout.",
  ),
  PREFLIGHT_FUNCTIONS: envList().describe("Functions whose errors and throttles alarms must exist; empty = a default stack's functions."),
  PREFLIGHT_DEAD_LETTER_QUEUES: envList().describe(
    'Dead-letter queues that must exist, as `<prefix>-<suffix>` suffixes; empty = the four serverless.yml creates.',
  ),
  APP_KEEP_ALIVE_SECONDS: envInt(0, 0, 86_400).describe(
    "The applications' HTTP keep-alive timeout; set, an ALB whose idle timeout is not below it is an error. 0 = idle timeouts are info only.",
  ),
});

/**
 * Preflight's settings from the environment: the drain's CLUSTERS and DRAIN_SAFETY_MARGIN_SECONDS
 * (shared/drain/config.ts, same defaults), the ASG drain's LIFECYCLE_HOOK_NAMES (default
 * `ecs-steady-drain`), and its own PREFLIGHT_* variables. Throws ConfigError naming the variable.
 */
export function parsePreflightConfig(env: NodeJS.ProcessEnv = process.env): PreflightConfig {
  const drain = parseDrainConfig(env);
  const e = parseEnv(preflightEnv, env);
  return {
    clusters: drain.clusters,
    stackPrefix: e.PREFLIGHT_STACK_PREFIX ?? 'ecs-steady-dev',
    hookNames: e.LIFECYCLE_HOOK_NAMES.length ? e.LIFECYCLE_HOOK_NAMES : [DEFAULT_HOOK_NAME],
    spotNoticeSeconds: SPOT_NOTICE_MS / 1000,
    safetyMarginSeconds: drain.safetyMarginMs / 1000,
    agentStopTimeoutSeconds: e.PREFLIGHT_AGENT_STOP_TIMEOUT_SECONDS,
    lastGroupStopSeconds: (drain.stopTimeoutMs ?? 30_000) / 1000,
    agentFamilies: drain.agentFamilies ?? [],
    functions: e.PREFLIGHT_FUNCTIONS.length ? e.PREFLIGHT_FUNCTIONS : DEFAULT_FUNCTIONS,
    deadLetterQueues: e.PREFLIGHT_DEAD_LETTER_QUEUES.length ? e.PREFLIGHT_DEAD_LETTER_QUEUES : DEFAULT_DEAD_LETTER_QUEUES,
    ...(e.APP_KEEP_ALIVE_SECONDS > 0 ? { appKeepAliveSeconds: e.APP_KEEP_ALIVE_SECONDS } : {}),
  };
}
