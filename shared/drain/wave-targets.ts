import { targetKey, type Target, type TargetHealth } from '../aws/elbv2-targets';
import type { Clock } from '../lambda/clock';
import { Coalescer } from '../lambda/coalesce';
import type { DrainPorts } from './ports';
import type { WaveBucket } from './wave-plan';

/** Wait for a call's slot in one of the wave's buckets (wave-ports.ts keeps the account). */
export type WaveSlot = (bucket: WaveBucket, signal?: AbortSignal) => Promise<void>;

/**
 * The ELBv2 side of a wave's ports: one DeregisterTargets per target group carrying every
 * drain's targets asked at that moment, one DescribeTargetHealth per group per poll, and each
 * group's deregistration delay read once for the wave. Every call waits for its slot in ELB's
 * account bucket (and DeregisterTargets in the registration bucket first). A failed or aborted
 * call rejects every asker still waiting for it; each drain retries on its own backoff.
 */
export function waveTargets(base: DrainPorts['targets'], clock: Clock, slot: WaveSlot): DrainPorts['targets'] {
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
  const healths = new Coalescer<null, TargetHealth[]>(
    clock,
    async (tg, asks, signal) => {
      const health = await base.groupHealth(tg, { signal });
      return asks.map(() => health);
    },
    () => slot('elb'),
  );
  // A group's deregistration delay is its configuration, not its state: read once for the wave, not once per drain that deregisters.
  // (A drain asks for it only after its own deregistration: plan.ts.) Asks that queued while the read was in flight are answered
  // from it, without a slot or a call.
  const delayOf = new Map<string, number>();
  const delays = new Coalescer<null, number>(clock, async (tg, asks, signal) => {
    const known = delayOf.get(tg);
    if (known !== undefined) return asks.map(() => known);
    await slot('elb', signal);
    const seconds = await base.deregistrationDelaySeconds(tg, { signal });
    delayOf.set(tg, seconds);
    return asks.map(() => seconds);
  });
  return {
    deregister: (tg, targets, o) => deregistrations.ask(tg, targets, o?.signal),
    groupHealth: (tg, o) => healths.ask(tg, null, o?.signal),
    deregistrationDelaySeconds: async (tg, o) => delayOf.get(tg) ?? delays.ask(tg, null, o?.signal),
  };
}
