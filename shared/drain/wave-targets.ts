import { targetKey, type Target, type TargetHealth } from '../aws/elbv2-targets';
import { deferOn, type Clock } from '../lambda/clock';
import { Coalescer } from '../lambda/coalesce';
import type { DrainPorts } from './ports';
import type { WaveBucket } from './wave-plan';

/** Wait for a call's slot in one of the wave's buckets (wave-ports.ts keeps the account). */
export type WaveSlot = (bucket: WaveBucket, signal?: AbortSignal) => Promise<void>;

/**
 * The ELBv2 side of a wave's ports: one DeregisterTargets per target group carrying every
 * drain's targets asked at that moment, one DescribeTargetHealth per group per poll, and each
 * group's deregistration delay read once for the wave. Every call waits for its slot in ELB's
 * account bucket (and DeregisterTargets in the registration bucket first).
 */
export function waveTargets(base: DrainPorts['targets'], clock: Clock, slot: WaveSlot): DrainPorts['targets'] {
  // A group's deregistration in flight (its slot awaited or its call sent): the group's delay read waits for it.
  const deregistering = new Map<string, Promise<unknown>>();
  const deregistrations = new Coalescer<readonly Target[], void>(
    clock,
    async (tg, lists, signal) => {
      const targets = new Map(lists.flat().map((t) => [targetKey(t), t]));
      await base.deregister(tg, [...targets.values()], { signal });
      return lists.map(() => undefined);
    },
    async () => {
      await slot('elbRegistration');
      await slot('elb');
    },
  );
  const deregister = (tg: string, targets: readonly Target[], signal?: AbortSignal) => {
    const asked = deregistrations.ask(tg, targets, signal);
    const settled = asked.catch(() => undefined);
    deregistering.set(tg, settled);
    void settled.then(() => deregistering.get(tg) === settled && deregistering.delete(tg));
    return asked;
  };
  const healths = new Coalescer<null, TargetHealth[]>(
    clock,
    async (tg, asks, signal) => {
      const health = await base.groupHealth(tg, { signal });
      return asks.map(() => health);
    },
    () => slot('elb'),
  );
  // A group's deregistration delay is its configuration, not its state: read once for the wave, not once per drain that deregisters.
  const delayOf = new Map<string, number>();
  // Asked with a group's first deregistration, it goes after it: both draw from the account's ELB bucket, and a wave's
  // deregistrations (what keeps requests off a leaving instance) must not queue behind its reads (measured at 100 × 20, five
  // batches: the first DeregisterTargets of a batch waited behind its ten delay reads, a median 5.6 s from notice).
  const delays = new Coalescer<null, number>(clock, async (tg, asks, signal) => {
    await new Promise<void>((resolve) => deferOn(clock, resolve)); // the same plan's deregistration is asked first
    await deregistering.get(tg);
    await slot('elb', signal);
    const seconds = await base.deregistrationDelaySeconds(tg, { signal });
    delayOf.set(tg, seconds);
    return asks.map(() => seconds);
  });
  return {
    deregister: (tg, targets, o) => deregister(tg, targets, o?.signal),
    groupHealth: (tg, o) => healths.ask(tg, null, o?.signal),
    deregistrationDelaySeconds: async (tg, o) => delayOf.get(tg) ?? delays.ask(tg, null, o?.signal),
  };
}
