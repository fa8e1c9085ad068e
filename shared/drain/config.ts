import * as z from 'zod';
import { envArn, envBool, envInt, envList, parseEnv } from '../lambda/env';
import type { DrainSettings } from './run';

const drainEnv = z.object({
  CLUSTERS: envList(),
  DRY_RUN: envBool(false),
  DRAIN_SAFETY_MARGIN_SECONDS: envInt(15, 0, 300),
  DRAIN_POLL_SECONDS: envInt(5, 1, 60),
  DRAIN_MAX_WAIT_SECONDS: envInt(90, 0, 7200),
  INTERRUPTED_TASKS_TOPIC_ARN: envArn('sns'),
  DEAD_LETTER_QUEUE_NAME: z.string().optional(),
});

export interface DrainConfig extends DrainSettings {
  /** Clusters searched for the instance; empty = every cluster in the region. */
  clusters: string[];
  deadLetterQueueName?: string;
}

export function parseDrainConfig(env: NodeJS.ProcessEnv = process.env): DrainConfig {
  const e = parseEnv(drainEnv, env);
  return {
    clusters: e.CLUSTERS,
    dryRun: e.DRY_RUN,
    safetyMarginMs: e.DRAIN_SAFETY_MARGIN_SECONDS * 1000,
    pollMs: e.DRAIN_POLL_SECONDS * 1000,
    maxWaitMs: e.DRAIN_MAX_WAIT_SECONDS * 1000,
    interruptedTasksTopicArn: e.INTERRUPTED_TASKS_TOPIC_ARN,
    deadLetterQueueName: e.DEAD_LETTER_QUEUE_NAME,
  };
}
