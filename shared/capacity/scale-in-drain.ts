import type { DrainConfig } from '../drain/config';
import type { DrainPorts } from '../drain/ports';
import type { DrainReport } from '../drain/report';
import { runDrain } from '../drain/run';
import type { Clock } from '../lambda/clock';
import type { Log } from '../lambda/observability';
import type { TickDeps } from './cluster-tick';
import type { CapacityStep } from './steps';

/**
 * The scale-in drain: the same drain as a Spot notice's or an ASG hook's (targets deregistered
 * first, keep-serving, tasks stopped once their targets drained), bounded by the step's deadline
 * with no Spot notice, for at most `stepEndsAt`: the next tick resumes it, finding the instance
 * by its scale-in mark (so the hand-on is nothing to send).
 */
export function scaleInDrain(
  drainPorts: DrainPorts,
  settings: Pick<DrainConfig, 'pollMs' | 'safetyMarginMs' | 'keepServing' | 'expiredToleranceMs' | 'interruptedTasksTopicArn'> & {
    dryRun: boolean;
    maxWaitMs: number;
  },
  clock: Clock,
  log: Log,
): NonNullable<TickDeps['drain']> {
  return (step: Extract<CapacityStep, { kind: 'drain' }>, cluster: string, stepEndsAt: number, tickId: string): Promise<DrainReport> =>
    runDrain(
      { ports: { ...drainPorts, handOn: async () => undefined }, clock, log },
      { ...settings, clusters: [cluster] },
      {
        ec2InstanceId: step.ec2InstanceId,
        noticeAt: step.startedAt,
        startedAt: step.startedAt,
        deadline: step.deadline,
        stepEndsAt,
        resumed: step.resumed,
        drainId: `scale-in-${tickId}`,
      },
    );
}
