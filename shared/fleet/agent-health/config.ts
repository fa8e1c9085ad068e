import * as z from 'zod';
import { parseDrainConfig, type DrainSettings } from '../../retire/drain-config';
import { parseBackends } from '../../retire/managed';
import type { BackendKind } from '../../retire/ports';
import { envInt, envList, parseEnv } from '../../lambda/env';

/** What one run decides with, per cluster (pure data for the planner). */
export interface AgentHealthSettings {
  /** Act only on an agent disconnected at least this long (short disconnects are normal). */
  disconnectedMs: number;
  /** The circuit breaker opens when more than this share (%) of a cluster's instances is disconnected at once. */
  breakerPercent: number;
  /** At most this many instances drained and replaced per cluster per run (drains in progress count). */
  maxReplacePerRun: number;
  /** A drain is bounded by this from its start; at its force time what still runs is stopped. */
  drainMaxMs: number;
}

export interface AgentHealthConfig extends AgentHealthSettings {
  /** Clusters watched; empty = every cluster with a backend tagged `ecs-steady:cluster`. */
  clusters: string[];
  /** Backends named in config (CAPACITY_BACKENDS, as scaleTick reads it). */
  backends: Map<string, { kind: BackendKind; id: string }>;
  /** Report what would be done; change nothing but our own disconnected-since record. */
  reportOnly: boolean;
  /** The drain's own settings (poll, safety margin, keep-serving, interrupted-task topic). */
  drain: DrainSettings;
  concurrency: number;
  deadLetterQueueName?: string;
}

/** Exported so docs/configuration.md is generated from it (scripts/config-reference.ts). */
export const agentEnv = z.object({
  CLUSTERS: envList().describe('Clusters watched (names or ARNs); empty = every cluster with a backend tagged `ecs-steady:cluster`.'),
  CAPACITY_BACKENDS: envList().describe('Backends named in config, as scaleTick reads them (`cluster=asg:<group>,…`).'),
  AGENT_DISCONNECTED_SECONDS: envInt(600, 60, 86_400).describe('An agent disconnected this long gets its instance drained and replaced.'),
  AGENT_BREAKER_PERCENT: envInt(30, 1, 100).describe(
    "Two or more disconnected and more than this % of the cluster's ACTIVE + DRAINING instances = an AWS or network event: nothing is drained or replaced.",
  ),
  AGENT_MAX_REPLACE_PER_RUN: envInt(1, 1, 10).describe('Instances drained and replaced per cluster per run, drains in progress included.'),
  AGENT_DRAIN_MAX_SECONDS: envInt(600, 60, 3600).describe("A drain's bound from its start; then what still runs is stopped."),
  AGENT_HEALTH_CONCURRENCY: envInt(4, 1, 20).describe('Clusters checked at once.'),
  DEAD_LETTER_QUEUE_NAME: z.string().optional().describe('Queue that rejected events go to, as an envelope naming the error.'),
});

/** Parsed once at cold start; a bad value throws ConfigError naming each variable and its value. */
export function parseAgentHealthConfig(env: NodeJS.ProcessEnv = process.env): AgentHealthConfig {
  const e = parseEnv(agentEnv, env);
  const drain = parseDrainConfig(env);
  return {
    clusters: e.CLUSTERS,
    backends: parseBackends(e.CAPACITY_BACKENDS),
    // DRY_RUN (read by the drain's schema) is report-only here: nothing is drained, terminated or
    // marked for replacement; the disconnected-since record is still kept. One switch never half-applies.
    reportOnly: drain.dryRun,
    disconnectedMs: e.AGENT_DISCONNECTED_SECONDS * 1000,
    breakerPercent: e.AGENT_BREAKER_PERCENT,
    maxReplacePerRun: e.AGENT_MAX_REPLACE_PER_RUN,
    drainMaxMs: e.AGENT_DRAIN_MAX_SECONDS * 1000,
    drain: { ...drain, maxWaitMs: e.AGENT_DRAIN_MAX_SECONDS * 1000 },
    concurrency: e.AGENT_HEALTH_CONCURRENCY,
    ...(e.DEAD_LETTER_QUEUE_NAME ? { deadLetterQueueName: e.DEAD_LETTER_QUEUE_NAME } : {}),
  };
}

/** The effective config as logged once (Maps as objects). */
export const describeAgentHealthConfig = (c: AgentHealthConfig) => ({ ...c, backends: Object.fromEntries(c.backends) });
