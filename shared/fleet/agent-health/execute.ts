import type { CallOptions } from '../../aws/call';
import { errorMessage } from '../../lambda/errors';
import type { DrainReport } from '../../retire/drain-report';
import type { RetireRequest } from '../../retire/request';
import type { RetireResult } from '../../retire/run';
import { DISCONNECTED_SINCE_ATTRIBUTE } from '../../tags';
import { BOOKKEEPING_STEPS, type AgentStep } from './plan';

export interface AgentStepResult {
  step: AgentStep;
  ok: boolean;
  /** Skipped: report-only, an instance no backend of ours holds, or a retiring mark that could not be written. */
  skipped?: string;
  error?: string;
  /** What AWS said: the replacement's answer, the drain's outcome. */
  detail?: string;
  replaced?: boolean;
  drain?: DrainReport;
}

export interface AgentExecDeps {
  /** Our records on a container instance of this cluster (ECS custom attributes). */
  putRecords(containerInstanceArn: string, records: Record<string, string>, o?: CallOptions): Promise<void>;
  deleteRecords(containerInstanceArn: string, names: readonly string[], o?: CallOptions): Promise<void>;
  /** Retire for this cluster (shared/retire/run.ts): the mark, the drain and the replacement. */
  retire: {
    mark(request: RetireRequest, at: number, o?: CallOptions): Promise<RetireResult>;
    unmark(containerInstanceArn: string, o?: CallOptions): Promise<void>;
    carryOut(request: RetireRequest, o?: CallOptions): Promise<RetireResult>;
  };
  reportOnly: boolean;
  callOptions?: CallOptions;
}

/**
 * A flat loop over the steps; it makes no decisions. Report-only is checked here, once: every
 * step but the bookkeeping marks is reported as skipped. A failed step is reported and the loop
 * goes on, except that a retiring mark that failed or found the instance not ours stops its
 * retirement (a DRAINING instance without the mark is not ours next run). Retire replaces only
 * after the drain ended (otherwise a later run resumes it). Never throws.
 */
export async function executeAgentSteps(steps: readonly AgentStep[], deps: AgentExecDeps): Promise<AgentStepResult[]> {
  const results: AgentStepResult[] = [];
  const failedMarks = new Set<string>();
  const o = deps.callOptions;
  for (const step of steps) {
    if (deps.reportOnly && !BOOKKEEPING_STEPS.has(step.kind)) {
      results.push({ step, ok: true, skipped: 'report-only' });
      continue;
    }
    if (step.kind === 'retire' && failedMarks.has(step.ec2InstanceId)) {
      results.push({ step, ok: false, skipped: 'the retiring mark was not written' });
      continue;
    }
    try {
      switch (step.kind) {
        case 'markDisconnected':
          await deps.putRecords(step.containerInstanceArn, { [DISCONNECTED_SINCE_ATTRIBUTE]: new Date(step.since).toISOString() }, o);
          results.push({ step, ok: true });
          break;
        case 'clearDisconnected':
          await deps.deleteRecords(step.containerInstanceArn, [DISCONNECTED_SINCE_ATTRIBUTE], o);
          results.push({ step, ok: true });
          break;
        case 'clearReplace':
          await deps.retire.unmark(step.containerInstanceArn, o);
          results.push({ step, ok: true });
          break;
        case 'markReplace': {
          const r = await deps.retire.mark(step.request, step.at, o);
          if (r.outcome === 'not-ours') failedMarks.add(step.ec2InstanceId);
          results.push(r.outcome === 'not-ours' ? { step, ok: true, skipped: `not ours: ${r.why}` } : { step, ok: true });
          break;
        }
        case 'retire': {
          const r = await deps.retire.carryOut(step.request, o);
          results.push({
            step,
            ok: true,
            replaced: r.outcome === 'replaced',
            detail: r.outcome === 'replaced' ? 'replaced' : `${r.outcome}: ${r.why}`,
            ...(r.drain ? { drain: r.drain } : {}),
          });
          break;
        }
      }
    } catch (err) {
      if (step.kind === 'markReplace') failedMarks.add(step.ec2InstanceId);
      results.push({ step, ok: false, error: errorMessage(err) });
    }
  }
  return results;
}
