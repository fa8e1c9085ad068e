/*
 * Pure decisions of a wave (many instances drained by one invocation): how fast calls may be
 * sent against AWS's request buckets, how early the wave must start stopping tasks so the
 * last stop is sent before the force time, and how the ids of a lookup are split into filters.
 */

/** A request bucket as we pace against it: `capacity` is the burst, `ratePerSecond` the sustained rate. */
export interface PaceSpec {
  capacity: number;
  ratePerSecond: number;
}

/** Our own account of a bucket: tokens left at `at` (negative: calls already promised a later slot). */
export interface PaceState {
  tokens: number;
  at: number;
}

/**
 * The buckets a wave paces its ECS and ELBv2 calls against. AWS's numbers
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-api-throttling.html)
 * are per account and Region, shared with every other caller: we take the burst and 90 % of
 * the sustained rate, leaving room for other functions and for other batches of the same
 * wave, whose calls the SDK's retries then absorb.
 */
export const WAVE_BUCKETS = {
  /** ECS cluster resource read (DescribeContainerInstances, DescribeTasks, ListContainerInstances, ListTasks): 100 burst, 20/s. */
  ecsRead: { capacity: 100, ratePerSecond: 18 },
  /** ECS cluster resource modify (StopTask, UpdateContainerInstancesState): 100 burst, 40/s. */
  ecsModify: { capacity: 100, ratePerSecond: 36 },
  /** ECS cluster read (DescribeClusters): 50 burst, 20/s. */
  ecsClusterRead: { capacity: 50, ratePerSecond: 18 },
  /** ECS service read (DescribeServices): 100 burst, 20/s. */
  ecsServiceRead: { capacity: 100, ratePerSecond: 18 },
  /** ELBv2 account-wide bucket every ELB call draws from (40 burst, 10/s). */
  elb: { capacity: 40, ratePerSecond: 9 },
  /** ELBv2 registration (RegisterTargets, DeregisterTargets): 20 burst, 4/s — what caps a wave. */
  elbRegistration: { capacity: 20, ratePerSecond: 3.6 },
} as const satisfies Record<string, PaceSpec>;

export type WaveBucket = keyof typeof WAVE_BUCKETS;

/**
 * This wave's share of an account's buckets: the instances it drains among every instance
 * DRAINING in their clusters (other batches of the same wave run at once in other
 * invocations, with pacers of their own). Bounded below so a wave never stalls.
 */
export function waveShare(ours: number, drainingInClusters: number): number {
  if (ours <= 0 || drainingInClusters <= ours) return 1;
  return Math.max(MIN_SHARE, ours / drainingInClusters);
}

/** The least share of a bucket a wave paces at (1/20: 20 batches at once). */
export const MIN_SHARE = 0.05;

/** A bucket scaled to a share: burst and rate alike. */
export function shareOf(spec: PaceSpec, share: number): PaceSpec {
  return { capacity: Math.max(1, spec.capacity * share), ratePerSecond: spec.ratePerSecond * share };
}

/**
 * Our account of a bucket when the wave's share of it changes from `from` to `to`: the burst
 * we may still spend moves by the difference in our part of the capacity, not just clamped
 * to the new part. Before its first share read a batch spends at a share of 1 (its lookup),
 * and so does every other batch of the wave at the same moment: clamped, each kept a full
 * part of a burst the others had spent too (measured at 500 × 4, four batches: 42 of the
 * first 99 ListTasks throttled, 234 in all once the SDK's retries met a bucket kept empty).
 * A lower share never makes the next call wait longer than the calls already queued (their
 * time, not their count: they were promised slots at the old rate) plus one part of the burst
 * at the new rate (capacity / rate, about 5.5 s): the real bucket refills from empty in that
 * time at its full rate, whatever anyone spent before.
 */
export function reshare(state: PaceState, spec: PaceSpec, from: number, to: number): PaceState {
  if (from === to) return state;
  const part = spec.capacity * to;
  if (to > from) return { tokens: Math.min(part, state.tokens + spec.capacity * (to - from)), at: state.at };
  const queued = state.tokens < 0 ? state.tokens * (to / from) : state.tokens;
  return { tokens: Math.max(Math.min(0, queued) - part, Math.min(part, queued + spec.capacity * (to - from))), at: state.at };
}

/**
 * Reserve the next slot for one call: the moment it may be sent, and the bucket after it.
 * A full bucket sends at once; an empty one promises the slot its refill reaches, so calls
 * asked for together are spread at the sustained rate instead of being throttled and retried.
 */
export function reserveSlot(state: PaceState | undefined, spec: PaceSpec, now: number): { sendAt: number; state: PaceState } {
  const start = state ?? { tokens: spec.capacity, at: now };
  const elapsed = Math.max(0, now - start.at);
  const tokens = Math.min(spec.capacity, start.tokens + (elapsed / 1000) * spec.ratePerSecond);
  const sendAt = tokens >= 1 ? now : now + Math.ceil(((1 - tokens) / spec.ratePerSecond) * 1000);
  return { sendAt, state: { tokens: tokens - 1, at: Math.max(now, start.at) } };
}

/**
 * How long before the force time a wave must begin stopping its tasks so that the last
 * StopTask, paced at `spec`, is sent by the force time: nothing for what the burst covers;
 * beyond it, the sustained-rate time with slack. The slack is for what pacing cannot see:
 * another batch's share read a few seconds stale (the share is then off by up to a quarter,
 * STOP_LEAD_FACTOR) and a StopTask throttled anyway, which the SDK retries after up to
 * 1 + 2 + 4 s of backoff (STOP_LEAD_MARGIN_MS). Stopping earlier than needed cuts in-flight
 * requests of targets already deregistered; later leaves tasks running at the reclaim.
 */
export function stopLeadMs(tasksToStop: number, spec: PaceSpec = WAVE_BUCKETS.ecsModify): number {
  const beyondBurst = Math.max(0, tasksToStop - spec.capacity);
  if (beyondBurst === 0) return 0;
  return Math.ceil((beyondBurst / spec.ratePerSecond) * 1000 * STOP_LEAD_FACTOR) + STOP_LEAD_MARGIN_MS;
}

/**
 * A wave's stop lead: every drain's tasks still to stop, at the wave's share of ECS's modify
 * bucket (the stops of every batch draining at once share it). Absent share: the whole bucket.
 */
export function waveLeadMs(pendingStops: Iterable<number>, share = 1): number {
  let total = 0;
  for (const n of pendingStops) total += n;
  return stopLeadMs(total, shareOf(WAVE_BUCKETS.ecsModify, share));
}

/** Drains share wave ports (one call for what they ask at the same moment) only when there is more than one. */
export const isWave = (requests: number): boolean => requests > 1;

/** The paced stop time is stretched by this much (a share misread by a quarter still ends in time). */
export const STOP_LEAD_FACTOR = 1.25;
/** Added to a lead that is needed at all: three throttled retries of one StopTask (1 + 2 + 4 s of SDK backoff at most). */
export const STOP_LEAD_MARGIN_MS = 7_000;

/**
 * ListContainerInstances filters for a set of EC2 ids: `ec2InstanceId == id` for one,
 * `ec2InstanceId in [a, b, …]` for more (the cluster query language's `in` operator,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-query-language.html),
 * at most LOOKUP_IDS_PER_FILTER ids each: an expression "can have a maximum length of 2000
 * characters" (documented for placement constraint expressions; assumed for list filters).
 */
export function lookupFilters(ec2InstanceIds: readonly string[]): string[] {
  const ids = [...new Set(ec2InstanceIds)];
  if (ids.length === 1) return [`ec2InstanceId == ${ids[0]}`];
  const out: string[] = [];
  for (let i = 0; i < ids.length; i += LOOKUP_IDS_PER_FILTER)
    out.push(`ec2InstanceId in [${ids.slice(i, i + LOOKUP_IDS_PER_FILTER).join(', ')}]`);
  return out;
}

/** 50 ids of up to 19 characters plus separators: about 1,100 characters, well under the 2,000 an expression may have. */
export const LOOKUP_IDS_PER_FILTER = 50;

/**
 * List a cluster's tasks once (ListTasks 100 a page, then DescribeTasks 100 a call to learn
 * each task's instance) instead of one ListTasks per instance, when that takes fewer calls.
 */
export function listWholeCluster(instances: number, clusterTasks: number | undefined): boolean {
  if (clusterTasks === undefined) return false;
  return 1 + 2 * Math.ceil(clusterTasks / 100) < instances;
}
