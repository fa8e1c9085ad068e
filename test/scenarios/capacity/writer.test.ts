import { SimulatedAccount } from '../../../sim/account';
import { buildCapacityCluster } from '../../../sim/builders-capacity';
import { container } from '../../../sim/builders-common';
import { serverError } from '../../../sim/errors';
import { runTaskFailure, runTaskResult } from '../../support/capacity-events';
import { raceOnce } from '../../support/capacity-race';
import { capacityWorld } from '../../support/capacity-world';

const SEEDS = Array.from({ length: 100 }, (_, i) => i + 1);

/**
 * What the race's demand needs: 4 service tasks of 512 CPU and 2 jobs of 1024 CPU (4,096 CPU) on
 * 2 m5.large whose 4,096 CPU are all reserved; bin-packing fits them on 2 more, and CPU would then
 * be reserved 100 %: 5 m5.large (80 %) bring it under the 85 % threshold.
 */
const NEEDED = 5;

describe('capacityWriter: one writer of absolute capacity per cluster', () => {
  it.each([
    ['no faults', 0],
    ['3 × 5xx on the write', 3],
  ])(
    'tick + RunTask result + placement failure at random offsets (0-150 ms, 50 ms a call, %s): never lowers desired, kills nothing, ends at what the demand needs, in 100 seeds',
    async (_name, faults) => {
      const outcomes = [];
      for (const seed of SEEDS) outcomes.push(await raceOnce(seed, faults));
      const bad = outcomes.filter((o) => o.lowered > 0 || o.killed > 0 || o.finalDesired !== NEEDED || o.deadLettered > 0);
      expect(bad).toEqual([]);
      expect(outcomes).toHaveLength(100);
    },
    // 100 seeds of a minute's race and two settling minutes each: about 10 s alone, more on a loaded machine.
    180_000,
  );
});

/** Two full m5.large, a batch job of 1024 CPU / 2048 MiB, the writer and the RunTask trigger. */
function fullCluster(env: Record<string, string> = {}) {
  const account = new SimulatedAccount();
  const b = buildCapacityCluster(account, { backend: 'asg', instances: 2, tasksPerInstance: 4, max: 40 });
  const job = account.ecs.registerTaskDefinition({
    family: 'nightly-report',
    networkMode: 'bridge',
    containerDefinitions: [container('nightly-report', 'report', 1024, 2048)],
  });
  const desired = () => account.autoscaling.groupState(b.backend.id).desired;
  return { account, b, job: job.taskDefinitionArn!, desired, fn: runTaskFailure(account, { CAPACITY_MAX_STEP: '20', ...env }) };
}

describe('capacityWriter: demand is counted once and never lost', () => {
  /** Five RunTask results of 3 tasks each, the same in every field but their id (distinct failures). */
  const results = (c: ReturnType<typeof fullCluster>, at: number) =>
    Array.from({ length: 5 }, (_, i) => runTaskResult(c.b.cluster, c.job, 3, at, { reasons: ['RESOURCE:CPU'] }, undefined, `result-${i}`));

  it('asks the same units for 15 distinct failed tasks in one batch as spread over 5 batches 2 s apart', async () => {
    const one = fullCluster();
    for (const r of results(one, one.account.clock.now())) one.fn.publish(r);
    await one.fn.source.run();

    const five = fullCluster();
    for (const r of results(five, five.account.clock.now())) {
      five.fn.publish(r);
      await five.fn.source.run();
      five.account.advance(2_000);
    }
    expect(one.fn.source.invocations).toBe(1);
    expect(five.fn.source.invocations).toBe(5);
    const asked = (c: ReturnType<typeof fullCluster>) => c.desired() - 2;
    // 15 × 1024 CPU beside 4,096 reserved: 19,456 CPU of 2,048 each at ≤ 85 % → 12 m5.large, 10 more.
    expect(asked(one)).toBe(10);
    expect(asked(five)).toBe(asked(one));
  });

  it('counts the same result sent twice once (its id), and keeps demand whose write failed until it lands', async () => {
    const c = fullCluster();
    const r = runTaskResult(c.b.cluster, c.job, 2, c.account.clock.now(), { reasons: ['RESOURCE:CPU'] }, undefined, 'same');
    c.account.failNext('autoscaling', 'SetDesiredCapacity', () => serverError('autoscaling'), { times: 60 });
    c.fn.publish(r);
    c.fn.publish(r);
    await c.fn.forward.run();
    await c.fn.writer.drain(30 * 60_000);
    // 60 × 5xx (more than one invocation's jittered retries take): the writer reads, plans and writes again inside its invocation while time allows, then keeps the message
    // (a batch item failure) for the next receive; one write lands.
    const writes = c.account.calls.filter((x) => x.operation === 'SetDesiredCapacity');
    expect([writes.filter((x) => x.error).length, writes.filter((x) => !x.error).length]).toEqual([60, 1]);
    expect(c.desired()).toBe(4);
    expect(c.fn.writer.poller.batches.filter((x) => x.failed.length > 0).length).toBeGreaterThanOrEqual(1);
    expect(c.account.sqs.pending(c.fn.writer.dlqUrl)).toHaveLength(0);
  });

  it.each([2, 5, 15])(
    'meets the demand once Auto Scaling returns after a %i-minute outage, dead-lettering nothing',
    async (minutes) => {
      const c = fullCluster();
      const world = capacityWorld(c.account, { CAPACITY_MAX_STEP: '20' });
      const t0 = c.account.clock.now();
      c.account.failDuring('autoscaling', '*', () => serverError('autoscaling'), { from: t0, to: t0 + minutes * 60_000 });
      c.fn.publish(runTaskResult(c.b.cluster, c.job, 2, t0, { reasons: ['RESOURCE:CPU'] }, undefined, 'during-outage'));
      await c.fn.forward.run();
      for (let m = 0; m < minutes + 4; m++) await world.minute();
      // 2 × 1024 CPU beside 4,096 reserved: 6,144 CPU → 4 m5.large at ≤ 85 %.
      expect(c.desired()).toBe(4);
      expect(c.account.ecs.containerInstances.of(c.b.cluster).filter((i) => i.status === 'ACTIVE')).toHaveLength(4);
      for (const url of [world.writer.dlqUrl, c.fn.dlqUrl]) expect(c.account.sqs.pending(url)).toHaveLength(0);
    },
    60_000,
  );

  it('leaves a malformed capacity message to the redrive policy (unchanged in the capacity dead-letter queue) and plans the rest', async () => {
    const c = fullCluster();
    const { writer, account } = { writer: c.fn.writer, account: c.account };
    account.ecs.services.setDesiredCount(c.b.cluster, 'app', 12);
    account.sqs.deliver(writer.queueUrl, '{"version":1,"kind":"tick","cluster":"web"}', {}, { groupId: 'web', deduplicationId: 'bad' });
    account.sqs.deliver(
      writer.queueUrl,
      JSON.stringify({ version: 1, kind: 'tick', cluster: c.b.cluster, at: new Date(account.clock.now()).toISOString() }),
      {},
      { groupId: c.b.cluster, deduplicationId: 'good' },
    );
    // Kept and received again after each visibility timeout; the redrive policy moves it after maxReceiveCount receives.
    await writer.drain(2 * 60 * 60_000);
    expect(c.desired()).toBe(4);
    expect(account.sqs.pending(writer.dlqUrl).map((m) => m.body)).toEqual(['{"version":1,"kind":"tick","cluster":"web"}']);
    expect(writer.logger.entries.some((e) => e.level === 'error' && /at: expected an ISO-8601 time/.test(JSON.stringify(e)))).toBe(true);
  });
});
