import * as z from 'zod';
import { envBool, parseEnv } from '../../lambda/env';

/** One cluster's NLB `ip` target group and the port its instance-level daemon listens on. */
export interface TargetGroupBinding {
  cluster: string;
  targetGroupArn: string;
  port: number;
}

export interface NlbTargetsConfig {
  bindings: TargetGroupBinding[];
  /** Deregister targets on the port whose IP is no instance of the cluster (an operator's own targets) too. */
  prune: boolean;
  dryRun: boolean;
  deadLetterQueueName: string | undefined;
}

const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const TARGET_GROUP_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]+$/;

/**
 * `cluster=targetGroupArn:port,…` (the port after the ARN's last colon). Every bad item is
 * named; a cluster listed twice is an error (one target group per cluster), a target group
 * bound to two clusters too (each reconcile would deregister the other's instances).
 */
export const nlbTargetsList = z.string({ message: 'required: cluster=targetGroupArn:port, comma-separated' }).transform((raw, ctx) => {
  const bindings: TargetGroupBinding[] = [];
  for (const item of raw.split(/[\s,]+/).filter((s) => s.length > 0)) {
    const eq = item.indexOf('=');
    const cluster = eq > 0 ? item.slice(0, eq) : '';
    const rest = eq > 0 ? item.slice(eq + 1) : '';
    const colon = rest.lastIndexOf(':');
    const targetGroupArn = rest.slice(0, colon);
    const port = Number(rest.slice(colon + 1));
    const problem = !CLUSTER_NAME.test(cluster)
      ? 'expected cluster=targetGroupArn:port with a cluster name'
      : !TARGET_GROUP_ARN.test(targetGroupArn)
        ? 'expected an ELBv2 target group ARN after "="'
        : !(Number.isInteger(port) && port >= 1 && port <= 65535)
          ? 'expected a port from 1 to 65535 after the ARN'
          : bindings.some((b) => b.cluster === cluster)
            ? `cluster ${cluster} is listed twice`
            : bindings.some((b) => b.targetGroupArn === targetGroupArn)
              ? 'target group bound to two clusters'
              : undefined;
    if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(item)}: ${problem}` });
    else bindings.push({ cluster, targetGroupArn, port });
  }
  if (bindings.length === 0 && raw.trim() !== '') return z.NEVER;
  return bindings;
});

/** Exported so docs/configuration.md is generated from it (scripts/config-reference.ts). */
export const nlbTargetsEnv = z.object({
  NLB_TARGETS: nlbTargetsList.describe(
    "`cluster=targetGroupArn:port`, comma-separated: each NLB `ip` target group is kept equal to its cluster's ACTIVE, running instances on that port.",
  ),
  NLB_TARGETS_PRUNE: envBool(false).describe(
    "Also deregister targets on the port whose IP is no instance of the cluster (otherwise an operator's own targets are left alone).",
  ),
  DRY_RUN: envBool(false).describe('Plan and report only: no target is registered or deregistered.'),
  DEAD_LETTER_QUEUE_NAME: z.string().optional().describe('Queue that rejected events go to, as an envelope naming the error.'),
});

/** Parsed once at cold start; a bad value throws a ConfigError naming the variable and each bad item. */
export function parseNlbTargetsConfig(env: NodeJS.ProcessEnv = process.env): NlbTargetsConfig {
  const e = parseEnv(nlbTargetsEnv, env);
  return { bindings: e.NLB_TARGETS, prune: e.NLB_TARGETS_PRUNE, dryRun: e.DRY_RUN, deadLetterQueueName: e.DEAD_LETTER_QUEUE_NAME };
}
