import { createHash } from 'node:crypto';
import type { CallOptions } from '../aws/call';
import { STOP_REASON_MAX } from '../aws/ecs-tasks';
import { mapLimit } from '../lambda/concurrency';
import { errorMessage } from '../lambda/errors';
import type { DrainCarry, DrainPorts } from './ports';
import { stepBatches, stopVerdict } from './run-plan';
import type { DrainStep, StepResult } from './types';

export type { StepResult };

export interface ExecuteContext {
  now: () => number;
  dryRun: boolean;
  topicArn?: string;
  /** Call options for a step (an abort signal tied to the deadline; none for lifecycle calls). */
  callOptions: (step: DrainStep) => CallOptions;
  /** Each result as soon as it is in (later steps of the same plan, e.g. a hand-on, see it in the state). */
  onResult?: (result: StepResult) => void;
  carry: () => DrainCarry;
}

/** How many calls of one kind run at once: StopTask for 50 tasks must not take 50 round trips, nor burst past ECS's rate. */
const CONCURRENCY: Partial<Record<DrainStep['kind'], number>> = { stopTask: 10, deregisterTargets: 10, notifyInterrupted: 5 };

/**
 * Carry out a plan's steps: a flat loop that decides nothing. Steps of one rank run together
 * (bounded per kind) and each rank finishes before the next, so deregistration precedes any
 * stop. Dry-run is checked here and only here. One failed step stops nothing else; every
 * failure comes back as a result.
 */
export async function executeSteps(steps: readonly DrainStep[], ports: DrainPorts, ctx: ExecuteContext): Promise<StepResult[]> {
  if (ctx.dryRun) return steps.map((step) => ({ step, ok: true, skipped: true, at: ctx.now() }));
  const results: StepResult[] = [];
  for (const rank of stepBatches(steps)) {
    const parts = await Promise.all(
      rank.map((batch) =>
        mapLimit(batch, CONCURRENCY[batch[0]!.kind] ?? 10, async (step) => {
          const result = await applyStep(step, ports, ctx);
          ctx.onResult?.(result);
          return result;
        }),
      ),
    );
    results.push(...parts.flat());
  }
  return results;
}

async function applyStep(step: DrainStep, ports: DrainPorts, ctx: ExecuteContext): Promise<StepResult> {
  const o = ctx.callOptions(step);
  try {
    switch (step.kind) {
      case 'setDraining': {
        const failures = await ports.containerInstances.setDraining(step.cluster, [step.containerInstanceArn], o);
        if (failures.length)
          throw new Error(`UpdateContainerInstancesState failures: ${failures.map((f) => `${f.arn}: ${f.reason}`).join('; ')}`);
        return { step, ok: true, at: ctx.now() };
      }
      case 'deregisterTargets':
        await ports.targets.deregister(step.targetGroupArn, step.targets, o);
        return { step, ok: true, at: ctx.now() };
      case 'stopTask': {
        const r = await ports.tasks.stop(step.cluster, step.taskArn, step.reason, o);
        // ECS keeps the reason as sent, cut to its maximum (the adapter cuts it the same way).
        return { step, ok: true, at: ctx.now(), stop: stopVerdict(step.reason.slice(0, STOP_REASON_MAX), r) };
      }
      case 'notifyInterrupted':
        if (ctx.topicArn) await ports.publish(ctx.topicArn, interruptedTaskRecord(step, ctx.now()), recordId(step.task.taskArn), o);
        return { step, ok: true, at: ctx.now() };
      case 'heartbeat':
        return { step, ok: true, at: ctx.now(), actionLive: await need(ports.lifecycle).recordHeartbeat(step.ref, o) };
      case 'completeLifecycle':
        return { step, ok: true, at: ctx.now(), actionLive: await need(ports.lifecycle).complete(step.ref, step.result, o) };
      case 'handOn':
        await need(ports.handOn)(step.delaySeconds, ctx.carry(), o);
        return { step, ok: true, at: ctx.now() };
    }
  } catch (err) {
    return { step, ok: false, error: errorMessage(err), at: ctx.now() };
  }
}

function need<T>(port: T | undefined): T {
  if (!port) throw new Error('this drain has no lifecycle action to act on');
  return port;
}

/** One id per task stop, stable across retries and duplicate notices: consumers (and FIFO topics) drop repeats by it. */
export const recordId = (taskArn: string): string => createHash('sha256').update(`task-interrupted|${taskArn}`).digest('hex');

/** What a job runner needs to run an interrupted standalone task again. */
export function interruptedTaskRecord(step: Extract<DrainStep, { kind: 'notifyInterrupted' }>, at: number) {
  return {
    type: 'ecs-steady.task-interrupted',
    recordId: recordId(step.task.taskArn),
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
