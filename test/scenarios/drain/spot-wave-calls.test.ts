import { SPOT_NOTICE_MS } from '../../../functions/spot-interruption/handler';
import { SimulatedAccount } from '../../../sim/account';
import { deregisteredBeforeStopped, runningAt } from '../../support/drain-checks';
import { asReport, spotWorld } from '../../support/spot-world';
import { buildWave, type WaveOptions } from '../../support/wave';

const LATENCY_MS = 50;

/** A wave with AWS's default 300 s deregistration delay, its notices split into `batches` run at once; every call it made. */
async function runWave(o: WaveOptions & { seed: number; batches: number }) {
  const account = new SimulatedAccount({ seed: o.seed });
  account.faults.latencyMs = LATENCY_MS;
  const w = buildWave(account, o);
  const { handleBatch } = spotWorld(account, { clusters: [w.cluster] });
  const noticeAt = account.clock.now();
  const events = w.victims.map((v) => account.ec2.interruptSpot(v.instanceId));
  const from = account.calls.length;
  const size = Math.ceil(events.length / o.batches);
  const parts = Array.from({ length: o.batches }, (_, i) => events.slice(i * size, (i + 1) * size));
  const results = (await Promise.all(parts.map((p) => handleBatch(p)))).flatMap((r) => r.results.map(asReport));
  const calls = account.calls.slice(from);
  const all = [...w.tasksByVictim.values()].flat();
  return {
    results,
    calls,
    count: (op: string, filter: (c: (typeof calls)[number]) => boolean = () => true) =>
      calls.filter((c) => c.operation === op && filter(c)).length,
    running: runningAt(account, all, noticeAt + SPOT_NOTICE_MS - 1),
    stoppedEarly: deregisteredBeforeStopped(account, all, 'api-or-ecs'),
  };
}

describe('a Spot wave spends its attempts on calls that succeed', () => {
  it('reads each group’s deregistration delay once per batch, no target health past the force time, and the drains’ last counts together', async () => {
    // 60 × 10 tasks at 300 s: no target can finish draining in the notice, and 600 paced stops end tens of seconds apart.
    const r = await runWave({
      seed: 3,
      batches: 1,
      victims: 60,
      tasksPerVictim: 10,
      services: 10,
      spare: 20,
      tasksPerServicePerSpare: 1,
      deregistrationDelaySeconds: 300,
    });

    expect(r.results.map((x) => x.outcome)).toEqual(r.results.map(() => 'drained'));
    expect(r.running).toEqual([]);
    expect(r.stoppedEarly).toEqual([]);
    expect(r.count('DescribeTargetGroupAttributes')).toBe(10); // the delay is configuration: once per group, not once per drain
    expect(r.count('DescribeTargetHealth')).toBe(0); // a read could only show targets still draining, and the stops do not wait for it
    // The drains' "are my tasks gone?" reads, held while the wave still had stops to send (one per drain when asked alone): the
    // lookup's describe, one at the hold's 10 s bound (45 drains), one after the wave's last stop (18), and three drains
    // whose tasks were still stopping (ECS takes a second), read again 2 s later.
    expect(r.count('DescribeContainerInstances')).toBe(6);
  }, 120_000);

  // 5 batches of 40 list per instance (the whole cluster's 2,200 tasks would take more calls).
  it('batches run at once list no task before their share is read, so no share read is throttled and the listings barely are', async () => {
    const r = await runWave({
      seed: 4,
      batches: 5,
      victims: 200,
      tasksPerVictim: 10,
      services: 10,
      spare: 20,
      tasksPerServicePerSpare: 1,
      deregistrationDelaySeconds: 300,
    });

    expect(r.running).toEqual([]);
    expect(r.count('ListContainerInstances', (c) => c.error !== undefined)).toBe(0);
    // 200 listings; a listing sent beside the share read throttled all five and each batch paced at ½ (1,068 attempts, 611 throttled).
    expect(r.count('ListTasks')).toBeLessThanOrEqual(300);
    expect(r.count('DescribeTargetGroupAttributes')).toBe(50); // each of the 5 batches reads each of the 10 groups' delay once
  }, 120_000);
});
