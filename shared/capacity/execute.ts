import type { CallOptions } from '../aws/call';
import { errorMessage } from '../lambda/errors';
import type { DrainReport } from '../retire/drain-report';
import type { RetireRequest } from '../retire/request';
import type { RebalanceCallOffStep, StaleRebalanceMarkStep } from '../retire/rebalance-plan';
import type { RetireResult } from '../retire/run';
import type { CapacityBackend } from './ports';
import type { CapacityStep } from './steps';

/**
 * Retire's operations for one cluster (shared/retire/run.ts), built by the function's wiring:
 * capacity emits retire requests and never drains, marks or removes an instance itself.
 */
export interface CapacityRetire {
  mark(request: RetireRequest, at: number, o?: CallOptions): Promise<RetireResult>;
  unmark(containerInstanceArn: string, legacy: boolean, o?: CallOptions): Promise<void>;
  carryOut(request: RetireRequest, o?: CallOptions): Promise<RetireResult>;
  /** Call a rebalance drain off once its bound passed with no Spot notice (EC2 re-read first). */
  callOffRebalance?(step: RebalanceCallOffStep, o?: CallOptions): Promise<{ calledOff: boolean; why: string }>;
  /** Remove a stale rebalance mark from an ACTIVE instance, only while a re-read still finds exactly it. */
  clearRebalanceMark?(step: StaleRebalanceMarkStep, o?: CallOptions): Promise<{ removed: boolean; why: string }>;
}

/** A raise found desired already at or above its value: done by someone else, so what depends on it goes on. */
const ALREADY = 'already';

export interface CapacityStepResult {
  step: CapacityStep;
  ok: boolean;
  /** Skipped: dry-run, a step whose dependency did not end as it needs, or an instance no backend of ours holds. */
  skipped?: string;
  error?: string;
  /** What AWS said: e.g. the removal's answer. */
  detail?: string;
  drain?: DrainReport;
  /** When the step's call returned (the capacity request's time, for setDesired). */
  at?: number;
}

export interface CapacityExecDeps {
  backend: CapacityBackend;
  /** The cluster's fallback backend, for steps `on: 'fallback'`. */
  fallback?: CapacityBackend;
  /** UpdateContainerInstancesState for one instance; throws when ECS reports it failed. */
  setInstanceStatus(containerInstanceArn: string, status: 'ACTIVE' | 'DRAINING', o?: CallOptions): Promise<void>;
  /** The standalone tasks (not started by a service) running or pending on it now. */
  standaloneTasksOn(containerInstanceArn: string, o?: CallOptions): Promise<string[]>;
  /** Retire, for the scale-in steps (throws for a function that only scales out). */
  retire: CapacityRetire;
  now(): number;
  dryRun: boolean;
  callOptions?: CallOptions;
}

/**
 * A flat loop over the steps; it makes no decisions. Dry-run is checked here, once: every step
 * is reported as skipped. A failed step is reported and the loop goes on, except that a step whose
 * dependency (`after`) failed or ended otherwise is skipped and reported so, a failed
 * scale-in mark stops its retirement (an unmarked DRAINING instance would not be known as ours
 * next tick), and an instance retire finds no backend of ours holding is skipped, not failed
 * (reported; it never blocks a later scale-in). Never throws.
 */
export async function executeCapacitySteps(steps: readonly CapacityStep[], deps: CapacityExecDeps): Promise<CapacityStepResult[]> {
  const results: CapacityStepResult[] = [];
  const failedMarks = new Set<string>();
  const byId = new Map<string, CapacityStepResult>();
  const o = deps.callOptions;
  const on = (role: 'primary' | 'fallback' | undefined): CapacityBackend => {
    if (role !== 'fallback') return deps.backend;
    if (!deps.fallback) throw new Error('a step names the fallback backend, and the cluster has none');
    return deps.fallback;
  };
  for (const step of steps) {
    const blocked = deps.dryRun ? undefined : blockedBy(step, byId);
    if (deps.dryRun) results.push({ step, ok: true, skipped: 'dry run' });
    else if (blocked) results.push({ step, ...blocked });
    else await run(step);
    if (step.id) byId.set(step.id, results[results.length - 1]!);
  }
  return results;

  async function run(step: CapacityStep): Promise<void> {
    if (step.kind === 'retire' && failedMarks.has(step.ec2InstanceId)) {
      results.push({ step, ok: false, skipped: 'the scale-in mark could not be written' });
      return;
    }
    try {
      switch (step.kind) {
        case 'setDesired': {
          const backend = on(step.on);
          if (step.desired > step.from) {
            // A raise never lowers: another invocation (the tick, an event) may have raised it meanwhile.
            const now = (await backend.describe(o)).counts.desired;
            if (now >= step.desired) {
              results.push({ step, ok: true, skipped: `desired is already ${now}`, detail: ALREADY, at: deps.now() });
              break;
            }
          }
          await backend.setDesired(step.desired, o);
          results.push({ step, ok: true, at: deps.now() });
          break;
        }
        case 'recordAction':
          await on(step.on).recordAction(step.action, step.at ?? deps.now(), o, step.tags);
          results.push({ step, ok: true });
          break;
        case 'setDraining': {
          await deps.setInstanceStatus(step.containerInstanceArn, 'DRAINING', o);
          // ECS places nothing more on a DRAINING instance: what runs now is all that can have landed.
          const late = await deps.standaloneTasksOn(step.containerInstanceArn, o);
          results.push({ step, ok: true, detail: late.length > 0 ? 'late-task' : 'clear' });
          break;
        }
        case 'setActive':
          await deps.setInstanceStatus(step.containerInstanceArn, 'ACTIVE', o);
          results.push({ step, ok: true });
          break;
        case 'unmarkScaleIn':
          await deps.retire.unmark(step.containerInstanceArn, step.legacy ?? false, o);
          results.push({ step, ok: true });
          break;
        case 'markScaleIn': {
          const r = await deps.retire.mark({ ...step.request, backend: refOf(on(step.on)) }, deps.now(), o);
          // Not ours (no backend of ours holds it now): nothing after it runs, and nothing failed.
          results.push(r.outcome === 'not-ours' ? { step, ok: true, skipped: `not ours: ${r.why}` } : { step, ok: true });
          break;
        }
        case 'endRebalance': {
          if (!deps.retire.callOffRebalance) throw new Error('this function does not call rebalance drains off');
          const r = await deps.retire.callOffRebalance(step, o);
          results.push({ step, ok: true, detail: r.calledOff ? `called off: ${r.why}` : `kept: ${r.why}` });
          break;
        }
        case 'clearRebalanceMark': {
          if (!deps.retire.clearRebalanceMark) throw new Error('this function does not clear rebalance marks');
          const r = await deps.retire.clearRebalanceMark(step, o);
          results.push({ step, ok: true, detail: r.removed ? `removed: ${r.why}` : `kept: ${r.why}` });
          break;
        }
        case 'retire': {
          const r = await deps.retire.carryOut({ ...step.request, backend: refOf(on(step.on)) }, o);
          results.push({
            step,
            ok: true,
            detail: r.outcome === 'removed' ? 'removed' : `${r.outcome}: ${r.why}`,
            ...(r.drain ? { drain: r.drain } : {}),
          });
          break;
        }
      }
    } catch (err) {
      if (step.kind === 'markScaleIn') failedMarks.add(step.ec2InstanceId);
      results.push({ step, ok: false, error: errorMessage(err) });
    }
  }
}

const refOf = (b: CapacityBackend) => ({ kind: b.ref.kind, id: b.ref.id });

/**
 * Why a step does not run: the step it depends on failed, was itself held back, or ended with
 * another outcome than the one it needs (then it is not wanted: ok, skipped). Undefined: it runs.
 */
function blockedBy(step: CapacityStep, byId: ReadonlyMap<string, CapacityStepResult>): Omit<CapacityStepResult, 'step'> | undefined {
  if (!step.after) return undefined;
  const dep = byId.get(step.after.step);
  if (!dep) return { ok: false, skipped: `depends on ${step.after.step}, which did not run before it` };
  if (!dep.ok) return { ok: false, skipped: `depends on ${step.after.step}, which ${dep.skipped ? 'was held back' : 'failed'}` };
  // A step left out as not needed leaves out what depends on it too (nothing failed).
  if (dep.skipped && dep.detail !== ALREADY) return { ok: true, skipped: `not needed: ${step.after.step} was skipped` };
  if (step.after.outcome !== undefined && dep.detail !== step.after.outcome)
    return { ok: true, skipped: `not needed: ${step.after.step} ended ${dep.detail ?? 'ok'}` };
  return undefined;
}
