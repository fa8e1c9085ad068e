import { TagResourceCommand } from '@aws-sdk/client-ecs';
import { DO_NOT_DISRUPT_TAG } from '../../../shared/tags';
import type { SimulatedAccount } from '../../../sim/account';
import type { buildCapacityCluster } from '../../../sim/builders-capacity';
import { container } from '../../../sim/builders-common';
import { capacityCluster, capacityWorld, runningOf } from '../../support/capacity-world';
import { stoppedBeforeTargetsDrained } from '../../support/drain-checks';

type Built = ReturnType<typeof buildCapacityCluster>;

/**
 * An afternoon on an ASG cluster: `instances` m5.large with `perInstance` tasks of `app` (512 CPU,
 * 1 GiB) each behind an ALB, nothing changing; scaleTick every minute for `minutes`. `mark` may
 * set some instances apart first. Answers desired after each tick, the minutes with a starved
 * service and every tick's decision and reasons.
 */
async function afternoon(opts: {
  instances: number;
  perInstance: number;
  env?: Record<string, string>;
  minutes?: number;
  mark?: (account: SimulatedAccount, built: Built) => Promise<void>;
}) {
  const { account, built } = capacityCluster({
    backend: 'asg',
    instances: opts.instances,
    tasksPerInstance: opts.perInstance,
    loadBalanced: { deregistrationDelaySeconds: 30 },
  });
  await opts.mark?.(account, built);
  const world = capacityWorld(account, opts.env ?? {});
  const desired: number[] = [];
  const ticks: Array<{ decision: string; reasons: string[]; cpu: number }> = [];
  let starvedMinutes = 0;
  for (let m = 0; m < (opts.minutes ?? 20); m++) {
    const r = world.report(await world.minute(), built.cluster);
    expect(r.decision).not.toBe('error');
    ticks.push({ decision: r.decision, reasons: r.reasons, cpu: r.reservation?.cpu ?? 0 });
    if ((r.starved ?? []).length > 0) starvedMinutes++;
    desired.push(account.autoscaling.groupState(built.backend.id).desired);
  }
  return { account, built, desired, ticks, starvedMinutes };
}

describe('scaleTick: consolidation', () => {
  it('follows demand down 7 → 5 at 50 % CPU (not under the scale-in threshold), starving nothing longer than without it', async () => {
    // 14 tasks of 512 CPU: 50 % of 7 m5.large, 75 % of 5, 94 % of 4 (above the 85 % scale-out threshold).
    const on = await afternoon({ instances: 7, perInstance: 2 });
    const off = await afternoon({ instances: 7, perInstance: 2, env: { CONSOLIDATION: 'false' } });
    expect(on.ticks[0]!.cpu).toBeGreaterThanOrEqual(50);
    expect(off.desired[off.desired.length - 1]).toBe(7);
    expect(off.ticks.every((t) => t.decision !== 'scale-in')).toBe(true);
    expect(on.desired[on.desired.length - 1]).toBe(5);
    expect(new Set(on.desired)).toEqual(new Set([7, 6, 5]));
    // One instance at a time, each a consolidation, and never a scale-out after one.
    const ins = on.ticks.filter((t) => t.decision === 'scale-in');
    expect(ins).toHaveLength(2);
    for (const t of ins) expect(t.reasons.join('\n')).toMatch(/consolidate: the demand fits on fewer instances/);
    expect(on.ticks.some((t) => t.decision === 'scale-out')).toBe(false);
    expect(on.starvedMinutes).toBeLessThanOrEqual(off.starvedMinutes);
    expect(runningOf(on.account, on.built.cluster, 'app')).toBe(14);
    expect(on.account.ecs.killedByTermination()).toEqual([]);
    expect(stoppedBeforeTargetsDrained(on.account, on.built.targetGroupArn!)).toEqual([]);
  }, 60_000);

  it('does not consolidate when the tasks do not fit on fewer instances with a spare task under the scale-out threshold', async () => {
    // 15 tasks of 512 CPU on 5 m5.large: 75 %; on 4 they and a spare would reserve 100 %.
    const day = await afternoon({ instances: 5, perInstance: 3, minutes: 15 });
    expect(day.desired.every((d) => d === 5)).toBe(true);
    expect(day.ticks.every((t) => t.decision === 'none')).toBe(true);
    expect(day.ticks[day.ticks.length - 1]!.reasons.join('\n')).toMatch(/and the demand does not fit on fewer instances/);
  }, 60_000);

  it('does not consolidate instances carrying the do-not-disrupt tag or running a standalone task', async () => {
    const day = await afternoon({
      instances: 7,
      perInstance: 2,
      minutes: 15,
      mark: async (account, built) => {
        const batch = account.ecs.registerTaskDefinition({
          family: `${built.cluster}-batch`,
          networkMode: 'bridge',
          containerDefinitions: [container(`${built.cluster}-batch`, 'batch', 256, 512)],
        });
        for (const [k, i] of built.instances.entries()) {
          if (k < 4)
            await account
              .clients()
              .ecs.send(
                new TagResourceCommand({ resourceArn: i.containerInstanceArn, tags: [{ key: DO_NOT_DISRUPT_TAG, value: 'true' }] }),
              );
          else
            account.ecs.startTask({
              cluster: built.cluster,
              containerInstanceArn: i.containerInstanceArn,
              taskDefinition: batch.taskDefinitionArn!,
            });
        }
      },
    });
    expect(day.desired.every((d) => d === 7)).toBe(true);
    expect(day.ticks.some((t) => t.decision === 'scale-in')).toBe(false);
    const last = day.ticks[day.ticks.length - 1]!.reasons.join('\n');
    expect(last).toMatch(/not candidates: .*3 with standalone tasks/);
    expect(last).toMatch(/no instance can be consolidated safely/);
  }, 60_000);
});
