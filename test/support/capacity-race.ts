import { mulberry32, SimulatedAccount } from '../../sim/account';
import { buildCapacityCluster } from '../../sim/builders-capacity';
import { container } from '../../sim/builders-common';
import { serverError } from '../../sim/errors';
import { placementFailure, placementFailureEvent, runTaskFailure, runTaskResult } from './capacity-events';
import { capacityWorld } from './capacity-world';

export interface RaceOutcome {
  seed: number;
  /** Successful capacity writes that set desired below a value set (or found) before them. */
  lowered: number;
  /** Tasks stopped (nothing in this scenario may stop one: every stop is a kill). */
  killed: number;
  /** Units asked for in all (desired at the end minus desired at the start). */
  unitsAsked: number;
  finalDesired: number;
  deadLettered: number;
}

/**
 * One cluster, full (2 m5.large with CPU reserved to the last unit); at random offsets in
 * 0–150 ms of each other: the minute's tick, a RunTask result (2 tasks of 1024 CPU found no
 * room) and a placement-failure event (service `app` wants 4 more tasks of 512 CPU). Every API
 * call takes 50 ms; `writeFaults` 5xx answers the first SetDesiredCapacity calls. Then two
 * minutes pass with a tick each (instances arrive, tasks are placed) and the outcome is read
 * from what AWS holds.
 */
export async function raceOnce(seed: number, writeFaults = 0): Promise<RaceOutcome> {
  const account = new SimulatedAccount({ seed });
  const b = buildCapacityCluster(account, { backend: 'asg', instances: 2, tasksPerInstance: 4 });
  const job = account.ecs.registerTaskDefinition({
    family: 'nightly-report',
    networkMode: 'bridge',
    containerDefinitions: [container('nightly-report', 'report', 1024, 2048)],
  });
  const desired = () => account.autoscaling.groupState(b.backend.id).desired;
  const start = desired();
  const world = capacityWorld(account);
  const runTask = runTaskFailure(account);
  const placement = placementFailure(account);
  account.faults.latencyMs = 50;
  if (writeFaults > 0) account.failNext('autoscaling', 'SetDesiredCapacity', () => serverError('autoscaling'), { times: writeFaults });

  const t0 = account.clock.now();
  const random = mulberry32(seed); // the same seed, the same race
  const at = () => Math.floor(random() * 151);
  const [tickAt, runTaskAt, placementAt] = [at(), at(), at()];
  account.ecs.services.setDesiredCount(b.cluster, 'app', 12);
  const later = (ms: number, run: () => Promise<unknown>) => account.clock.sleep(ms).then(run);
  await Promise.all([
    later(tickAt, () => world.handler()),
    later(runTaskAt, async () => {
      runTask.publish(
        runTaskResult(b.cluster, job.taskDefinitionArn!, 2, t0 + runTaskAt, { reasons: ['RESOURCE:CPU'] }, undefined, `r-${seed}`),
      );
      await runTask.forward.run();
    }),
    later(placementAt, async () => {
      placement.publish(placementFailureEvent(account, b.cluster, 'app', t0 + placementAt, `evt-${seed}`));
      await placement.forward.run();
    }),
    world.writer.poller.run({ until: t0 + 55_000, untilIdle: false }),
  ]);
  account.clock.set(t0 + 60_000);
  for (let m = 0; m < 2; m++) await world.minute();

  let high = start;
  let lowered = 0;
  for (const c of account.calls) {
    if (c.error) continue;
    if (c.operation === 'SetDesiredCapacity') {
      const d = (c.input as { DesiredCapacity: number }).DesiredCapacity;
      if (d < high) lowered++;
      high = Math.max(high, d);
    }
    if (
      c.operation === 'TerminateInstanceInAutoScalingGroup' &&
      (c.input as { ShouldDecrementDesiredCapacity?: boolean }).ShouldDecrementDesiredCapacity
    )
      lowered++;
  }
  return {
    seed,
    lowered,
    killed: account.ecs.tasks.all().filter((t) => t.cluster === b.cluster && t.lastStatus === 'STOPPED').length,
    unitsAsked: desired() - start,
    finalDesired: desired(),
    deadLettered: account.sqs.pending(world.writer.dlqUrl).length + account.sqs.pending(runTask.dlqUrl).length,
  };
}
