import type { Clock } from '../lambda/clock';
import { mapLimit } from '../lambda/concurrency';
import { errorMessage } from '../lambda/errors';
import type { DrainAdapters } from './ports';
import type { DrainStep } from './types';

export interface StepResult {
  step: DrainStep;
  ok: boolean;
  error?: string;
  at: number;
}

/** How many calls of one kind run at once (StopTask for 50 tasks must not take 50 round trips). */
const STEP_CONCURRENCY = 10;

/**
 * Carry out a plan: a flat loop making no decisions. Consecutive steps of one kind run
 * together (bounded), and each kind finishes before the next starts, so the plan's order
 * (DRAINING, then deregistration, then stops) holds. One failed step does not stop the
 * others; every failure comes back in the results.
 */
export async function applyDrainPlan(
  steps: readonly DrainStep[],
  a: DrainAdapters,
  clock: Clock,
  topicArn: string | undefined,
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const run of runsOfOneKind(steps)) {
    // applyStep never throws: a failure is a result.
    results.push(...(await mapLimit(run, STEP_CONCURRENCY, (step) => applyStep(step, a, clock, topicArn))));
  }
  return results;
}

async function applyStep(step: DrainStep, a: DrainAdapters, clock: Clock, topicArn: string | undefined): Promise<StepResult> {
  try {
    switch (step.kind) {
      case 'setDraining': {
        const failures = await a.ecs.setDraining(step.cluster, [step.containerInstanceArn]);
        if (failures.length) throw new Error(failures.map((f) => `${f.arn}: ${f.reason}`).join('; '));
        break;
      }
      case 'deregisterTargets':
        await a.elbv2.deregisterTargets(step.targetGroupArn, step.targets);
        break;
      case 'stopTask':
        await a.ecs.stopTask(step.cluster, step.taskArn, step.reason);
        break;
      case 'notifyInterrupted':
        if (topicArn) await a.publish(topicArn, interruptedTaskRecord(step, clock.now()));
        break;
    }
    return { step, ok: true, at: clock.now() };
  } catch (err) {
    return { step, ok: false, error: errorMessage(err), at: clock.now() };
  }
}

/** What a job runner needs to run an interrupted standalone task again. */
export function interruptedTaskRecord(step: Extract<DrainStep, { kind: 'notifyInterrupted' }>, at: number) {
  return {
    type: 'ecs-steady.task-interrupted',
    at: new Date(at).toISOString(),
    cluster: step.cluster,
    ec2InstanceId: step.ec2InstanceId,
    taskArn: step.task.taskArn,
    taskDefinitionArn: step.task.taskDefinitionArn,
    group: step.task.group,
    startedBy: step.task.startedBy,
    overrides: step.task.overrides ?? {},
  };
}

function runsOfOneKind(steps: readonly DrainStep[]): DrainStep[][] {
  const runs: DrainStep[][] = [];
  for (const step of steps) {
    const last = runs[runs.length - 1];
    if (last && last[0]!.kind === step.kind) last.push(step);
    else runs.push([step]);
  }
  return runs;
}
