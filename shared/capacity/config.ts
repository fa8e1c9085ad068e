import { SETTING_TAG_PREFIX } from '../tags';
import * as z from 'zod';
import { drainEnv, parseDrainConfig, type DrainSettings } from '../retire/drain-config';
import { envBool, envInt, envList, parseEnv } from '../lambda/env';
import { ConfigError } from '../lambda/errors';
import { parseBackends } from '../retire/managed';
import type { BackendKind } from './ports';
import { FIELDS } from './config-fields';
import { parseHeadroomWindows, WINDOWS_SYNTAX, type HeadroomWindow } from './headroom-windows';
import { CAPACITY_DEFAULTS, type CapacitySettings } from './types';

/** Spare room kept: `tasks` tasks of a CPU/memory shape, or `instances` whole instances of the smallest shape the backend launches. */
export type Headroom = { tasks: number; cpu: number; memory: number } | { instances: number };

/** Per-cluster settings before the headroom is resolved against the backend's shapes. */
export type ClusterSettings = Omit<CapacitySettings, 'headroom'> & { headroom: Headroom };

export interface ScaleTickConfig {
  /** Clusters managed; empty = every cluster with a backend tagged `ecs-steady:cluster`. */
  clusters: string[];
  /** Backends named in config, by cluster (instead of, or besides, tags). */
  backends: Map<string, { kind: BackendKind; id: string }>;
  dryRun: boolean;
  defaults: ClusterSettings;
  /** A scale-in drain is bounded by this (from its start); at the force time what still runs is stopped. */
  scaleInDrainMaxMs: number;
  /** A rebalance recommendation's drain (DRAINING, our `rebalance` mark) with no Spot notice after this long is called off: ACTIVE again. */
  rebalanceDrainMaxMs: number;
  /** The drain's own settings (poll, safety margin, keep-serving, wait for targets). */
  drain: DrainSettings;
  /** Clusters planned at once. */
  concurrency: number;
  deadLetterQueueName?: string;
}

/** Which backends we manage is ownership: it lives in retire (shared/retire/managed.ts), read here as scaleTick's CAPACITY_BACKENDS. */
export { parseBackends };

/** `tasks=2,cpu=512,memory=1024` or `instances=1`; undefined when malformed. */
export function parseHeadroom(raw: string): Headroom | undefined {
  const pairs = new Map<string, number>();
  for (const part of raw.split(',').map((p) => p.trim())) {
    const m = /^(tasks|cpu|memory|instances)=(\d{1,7})$/.exec(part);
    if (!m || pairs.has(m[1]!)) return undefined;
    pairs.set(m[1]!, Number(m[2]));
  }
  const keys = [...pairs.keys()].sort().join(',');
  if (keys === 'instances') return { instances: pairs.get('instances')! };
  if (keys === 'cpu,memory,tasks') {
    const h = { tasks: pairs.get('tasks')!, cpu: pairs.get('cpu')!, memory: pairs.get('memory')! };
    return h.tasks === 0 || (h.cpu > 0 && h.memory > 0) ? h : undefined;
  }
  return undefined;
}

type NumericKey = (typeof FIELDS)[number]['key'];

export const HEADROOM_TAG = `${SETTING_TAG_PREFIX}headroom`;
export const CONSOLIDATION_TAG = `${SETTING_TAG_PREFIX}consolidation`;
export const HEADROOM_WINDOWS_TAG = `${SETTING_TAG_PREFIX}headroom-windows`;
export const settingTag = (tag: string) => `${SETTING_TAG_PREFIX}${tag}`;
/** Every tag a backend may carry to override a setting. */
export const SETTING_TAGS: readonly string[] = [
  ...FIELDS.map((f) => settingTag(f.tag)),
  HEADROOM_TAG,
  CONSOLIDATION_TAG,
  HEADROOM_WINDOWS_TAG,
];

/** The cross-field rules; each broken one named with its values. */
function crossCheck(s: ClusterSettings, name: (k: NumericKey) => string): string[] {
  const bad: string[] = [];
  if (s.scaleInCpuPercent >= s.scaleOutCpuPercent)
    bad.push(`${name('scaleInCpuPercent')}=${s.scaleInCpuPercent} must be below ${name('scaleOutCpuPercent')}=${s.scaleOutCpuPercent}`);
  if (s.scaleInMemoryPercent >= s.scaleOutMemoryPercent)
    bad.push(
      `${name('scaleInMemoryPercent')}=${s.scaleInMemoryPercent} must be below ${name('scaleOutMemoryPercent')}=${s.scaleOutMemoryPercent}`,
    );
  if (s.min > s.max) bad.push(`${name('min')}=${s.min} must not exceed ${name('max')}=${s.max}`);
  return bad;
}

const DEFAULT_MAX = 1000;

/** Parsed once at cold start; a bad value throws ConfigError naming each variable and its value. */
/** scaleTick's environment; exported so docs/configuration.md is generated from it (scripts/config-reference.ts). */
export const scaleTickEnv = z.object({
  CLUSTERS: envList().describe('Clusters managed (names or ARNs); empty = every cluster with a backend tagged `ecs-steady:cluster`.'),
  CAPACITY_BACKENDS: envList().describe(
    'Backends named instead of (or besides) the `ecs-steady:cluster` tag: `web=asg:<group>,batch=spotFleet:sfr-…,api=ec2Fleet:fleet-…`.',
  ),
  DRY_RUN: envBool(false).describe('Plan, log and report only: no capacity is changed, no instance drained or removed.'),
  SCALE_IN_DRAIN_MAX_SECONDS: envInt(900, 60, 3600).describe(
    "A scale-in drain's bound from its start; it spans ticks, and at the bound what still runs is stopped.",
  ),
  REBALANCE_DRAIN_MAX_SECONDS: envInt(1800, 300, 6 * 3600).describe(
    'A drain begun on a rebalance recommendation (`rebalanceRecommendations: replace-and-drain`) with no Spot notice after this long is called off: the instance is set ACTIVE again and the mark removed.',
  ),
  SCALE_TICK_CONCURRENCY: envInt(4, 1, 20).describe('Clusters planned at once.'),
  CONSOLIDATION: envBool(CAPACITY_DEFAULTS.consolidation).describe(
    `Also scale in when the tasks, the missing ones and the headroom fit on fewer instances with one spare task's room, though a reservation is above its scale-in threshold (every other scale-in gate holds). Backend tag \`${CONSOLIDATION_TAG}\` (true or false) overrides it.`,
  ),
  HEADROOM: z
    .string()
    .optional()
    .refine((v) => v === undefined || parseHeadroom(v) !== undefined, 'expected tasks=N,cpu=N,memory=N or instances=N')
    .describe(
      'Spare room kept: `tasks=N,cpu=N,memory=N` (N tasks of that size) or `instances=N` (N empty instances of the smallest shape); unset = none. Backend tag `ecs-steady:headroom` overrides it.',
    ),
  HEADROOM_WINDOWS: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      const { errors } = parseHeadroomWindows(v ?? '');
      // The first message is the syntax (docs/configuration.md shows it); then each bad window and field.
      if (errors.length > 0) for (const message of [`expected ${WINDOWS_SYNTAX}`, ...errors]) ctx.addIssue({ code: 'custom', message });
    })
    .describe(
      'Headroom windows: room held at set times for N tasks of a service, asked early by the launch time, e.g. `morning-web: Mon-Fri 07:30-09:30 Asia/Tokyo 20 x web` (docs/capacity.md); unset = none. Backend tag `ecs-steady:headroom-windows` overrides it.',
    ),
  ...Object.fromEntries(
    FIELDS.map((f) => {
      const base = f.key === 'max' ? DEFAULT_MAX : f.key === 'min' ? 0 : CAPACITY_DEFAULTS[f.key];
      const value = envInt('scale' in f ? base / f.scale : base, f.min, f.max);
      return [f.env, value.describe(`${f.description} Backend tag \`${settingTag(f.tag)}\` overrides it.`)];
    }),
  ),
});

/** The env value already validated by the schema (undefined = none). */
const windowsOf = (raw: unknown): HeadroomWindow[] => (typeof raw === 'string' ? parseHeadroomWindows(raw).windows : []);

export function parseScaleTickConfig(env: NodeJS.ProcessEnv = process.env): ScaleTickConfig {
  const e = parseEnv(scaleTickEnv, env) as Record<string, unknown>;
  const defaults = {
    headroom: typeof e.HEADROOM === 'string' ? parseHeadroom(e.HEADROOM)! : CAPACITY_DEFAULTS.headroom,
    consolidation: e.CONSOLIDATION as boolean,
  } as ClusterSettings;
  const windows = windowsOf(e.HEADROOM_WINDOWS);
  if (windows.length > 0) defaults.headroomWindows = windows;
  for (const f of FIELDS) defaults[f.key] = (e[f.env] as number) * ('scale' in f ? f.scale : 1);
  const envName = (k: NumericKey) => FIELDS.find((f) => f.key === k)!.env;
  const bad = crossCheck(defaults, envName);
  if (bad.length > 0) throw new ConfigError(`invalid configuration: ${bad.join('; ')}`);
  const drain = parseDrainConfig(env);
  return {
    // A cluster ARN names the same cluster as its name (the backend tag holds the name).
    clusters: (e.CLUSTERS as string[]).map((c) => (c.startsWith('arn:') ? c.slice(c.lastIndexOf('/') + 1) : c)),
    backends: parseBackends(e.CAPACITY_BACKENDS as string[]),
    dryRun: drain.dryRun,
    defaults,
    scaleInDrainMaxMs: (e.SCALE_IN_DRAIN_MAX_SECONDS as number) * 1000,
    rebalanceDrainMaxMs: (e.REBALANCE_DRAIN_MAX_SECONDS as number) * 1000,
    drain,
    concurrency: e.SCALE_TICK_CONCURRENCY as number,
    ...(drain.deadLetterQueueName ? { deadLetterQueueName: drain.deadLetterQueueName } : {}),
  };
}

/**
 * Each setting tag a backend carries, parsed on its own (`ecs-steady:max-step = 4`,
 * `ecs-steady:headroom = instances=1`, …): the overrides, and each bad tag named with its value.
 * Tags we do not know are ignored (they may be someone else's). Preflight reports `bad` before
 * scaleTick meets it.
 */
export function parseSettingTags(tags: Readonly<Record<string, string>>): { overrides: Partial<ClusterSettings>; bad: string[] } {
  const overrides: Partial<ClusterSettings> = {};
  const bad: string[] = [];
  for (const f of FIELDS) {
    const raw = tags[settingTag(f.tag)];
    if (raw === undefined) continue;
    const n = Number(raw.trim());
    if (raw.trim() === '' || !Number.isInteger(n) || n < f.min || n > f.max)
      bad.push(`${settingTag(f.tag)}=${JSON.stringify(raw)}: expected a whole number from ${f.min} to ${f.max}`);
    else overrides[f.key] = n * ('scale' in f ? f.scale : 1);
  }
  const headroom = tags[HEADROOM_TAG];
  if (headroom !== undefined) {
    const h = parseHeadroom(headroom.trim());
    if (h) overrides.headroom = h;
    else bad.push(`${HEADROOM_TAG}=${JSON.stringify(headroom)}: expected tasks=N,cpu=N,memory=N or instances=N`);
  }
  const consolidation = tags[CONSOLIDATION_TAG]?.trim();
  if (consolidation === 'true' || consolidation === 'false') overrides.consolidation = consolidation === 'true';
  else if (consolidation !== undefined) bad.push(`${CONSOLIDATION_TAG}=${JSON.stringify(tags[CONSOLIDATION_TAG])}: expected true or false`);
  const windows = tags[HEADROOM_WINDOWS_TAG];
  if (windows !== undefined) {
    const parsed = parseHeadroomWindows(windows);
    if (parsed.errors.length === 0) overrides.headroomWindows = parsed.windows;
    else bad.push(`${HEADROOM_WINDOWS_TAG}=${JSON.stringify(windows)}: ${parsed.errors.join('; ')}`);
  }
  return { overrides, bad };
}

/**
 * The deployment's settings with the backend's tag overrides applied (parseSettingTags), then
 * the cross-field rules. A bad tag is an error for that cluster only, naming each tag and its value.
 */
export function settingsFor(defaults: ClusterSettings, tags: Readonly<Record<string, string>>): ClusterSettings {
  const { overrides, bad } = parseSettingTags(tags);
  const s: ClusterSettings = { ...defaults, ...overrides };
  if (bad.length === 0) bad.push(...crossCheck(s, (k) => settingTag(FIELDS.find((f) => f.key === k)!.tag)));
  if (bad.length > 0) throw new ConfigError(`invalid backend tags: ${bad.join('; ')}`);
  return s;
}

/** The planner's settings: `instances=N` headroom becomes N tasks the size of the smallest shape (an empty instance each). */
export function resolveHeadroom(s: ClusterSettings, shapes: readonly { cpu: number; memory: number; weight: number }[]): CapacitySettings {
  const h = s.headroom;
  if (!('instances' in h)) return { ...s, headroom: h };
  if (h.instances === 0 || shapes.length === 0) return { ...s, headroom: { tasks: 0, cpu: 0, memory: 0 } };
  const smallest = [...shapes].sort((a, b) => a.cpu * a.memory - b.cpu * b.memory)[0]!;
  return { ...s, headroom: { tasks: h.instances, cpu: smallest.cpu, memory: smallest.memory } };
}

/** The event-driven scale-out functions (runTaskFailure, placementFailure): scaleTick's settings plus the queue they consume. */
export interface EventScaleConfig extends ScaleTickConfig {
  /** The SQS queue the function consumes (a failed record is made visible again early). */
  queueName: string;
}

export const eventScaleEnv = z.object({
  QUEUE_NAME: z.string().min(1, 'required').describe('The SQS queue this function consumes (a failed record is made visible again early).'),
});

export function parseEventScaleConfig(env: NodeJS.ProcessEnv = process.env): EventScaleConfig {
  const e = parseEnv(eventScaleEnv, env);
  return { ...parseScaleTickConfig(env), queueName: e.QUEUE_NAME };
}

const capacityQueue = z
  .string()
  .regex(/\.fifo$/, 'expected the capacity writer queue name, ending in .fifo')
  .describe("capacityWriter's FIFO queue, where this function sends (group = the cluster; docs/capacity-writer.md).");
/** scaleTick (it finds the clusters and sends each its tick); exported for docs/configuration.md. */
export const fanOutEnv = z.object({
  CLUSTERS: scaleTickEnv.shape.CLUSTERS,
  CAPACITY_BACKENDS: scaleTickEnv.shape.CAPACITY_BACKENDS,
  CAPACITY_QUEUE_NAME: capacityQueue,
});
/** runTaskFailure and placementFailure (they validate and forward to capacityWriter). */
export const forwardEnv = z.object({
  QUEUE_NAME: z
    .string()
    .min(1, 'required')
    .describe('The SQS queue this function consumes (a batch SQS refused to take is retried early).'),
  CAPACITY_QUEUE_NAME: capacityQueue,
  DEAD_LETTER_QUEUE_NAME: drainEnv.shape.DEAD_LETTER_QUEUE_NAME,
});
/** runTaskFailure: the forwarder's settings and how old a RunTask result may be. */
export const runTaskForwardEnv = forwardEnv.extend({
  RUN_TASK_RESULT_MAX_AGE_SECONDS: envInt(900, 60, 86_400).describe(
    'A RunTask result older than this (its `at`) when it arrives is refused, the reason logged: it says nothing about room now.',
  ),
});

/**
 * `ecs-steady:instance-types = c5.large,c5.xlarge:2` (type, optional weight): what a backend
 * launches when AWS's answer does not say — an ASG with a plain launch template and no instance
 * yet (its type is in the launch template, not in DescribeAutoScalingGroups). Used only when the
 * backend names no shapes itself. A bad value is an error for that cluster, naming the tag.
 */
export const INSTANCE_TYPES_TAG = `${SETTING_TAG_PREFIX}instance-types`;

export function shapesFromTags(tags: Readonly<Record<string, string>>): Array<{ instanceType: string; weight: number }> | undefined {
  const raw = tags[INSTANCE_TYPES_TAG];
  if (raw === undefined) return undefined;
  const out = raw
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => /^([a-z0-9-]+\.[a-z0-9-]+)(?::(\d{1,3}))?$/.exec(x));
  if (out.length === 0 || out.some((m) => !m || (m[2] !== undefined && Number(m[2]) < 1)))
    throw new ConfigError(
      `invalid backend tags: ${INSTANCE_TYPES_TAG}=${JSON.stringify(raw)}: expected type[:weight],… e.g. c5.large,c5.xlarge:2`,
    );
  return out.map((m) => ({ instanceType: m![1]!, weight: m![2] ? Number(m![2]) : 1 }));
}
