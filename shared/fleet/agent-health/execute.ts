import type { CallOptions } from '../../aws/call';
import type { CapacityBackend } from '../../capacity/ports';
import type { DrainReport } from '../../drain/report';
import { errorMessage } from '../../lambda/errors';
import { BOOKKEEPING_STEPS, type AgentStep } from './plan';
import { AGENT_REPLACE_ATTRIBUTE, DISCONNECTED_SINCE_ATTRIBUTE } from '../../tags';
import type { AgentDrainRequest } from './ports';

export interface AgentStepResult {
  step: AgentStep;
  ok: boolean;
  /** Skipped: report-only, a drain that has not ended, or a replace record that could not be written. */
  skipped?: string;
  error?: string;
  /** What AWS said: the replacement's answer, the drain's outcome. */
  detail?: string;
  replaced?: boolean;
  drain?: DrainReport;
}

export interface AgentExecDeps {
  /** The cluster's backends (the one a `replace` step names is looked up by kind and id). */
  backends: readonly CapacityBackend[];
  /** Our records on a container instance of this cluster (ECS custom attributes). */
  putRecords(containerInstanceArn: string, records: Record<string, string>, o?: CallOptions): Promise<void>;
  deleteRecords(containerInstanceArn: string, names: readonly string[], o?: CallOptions): Promise<void>;
  drain(req: AgentDrainRequest): Promise<DrainReport>;
  reportOnly: boolean;
  callOptions?: CallOptions;
}

/** A drain that ended with the instance empty, or with what remained stopped at its force time. */
const REPLACEABLE = new Set(['drained', 'deadline-reached']);

/**
 * A flat loop over the steps; it makes no decisions. Report-only is checked here, once: every
 * step but the bookkeeping marks is reported as skipped. A failed step is reported and the loop
 * goes on, except that a failed replace record stops its drain and replacement (a DRAINING
 * instance without it is not ours next run), and a replacement runs only after its
 * drain ended `drained` or `deadline-reached` (otherwise a later run resumes the drain). Never throws.
 */
export async function executeAgentSteps(steps: readonly AgentStep[], deps: AgentExecDeps): Promise<AgentStepResult[]> {
  const results: AgentStepResult[] = [];
  const failedMarks = new Set<string>();
  const drained = new Set<string>();
  const o = deps.callOptions;
  for (const step of steps) {
    if (deps.reportOnly && !BOOKKEEPING_STEPS.has(step.kind)) {
      results.push({ step, ok: true, skipped: 'report-only' });
      continue;
    }
    if ((step.kind === 'drain' || step.kind === 'replace') && failedMarks.has(step.ec2InstanceId)) {
      results.push({ step, ok: false, skipped: 'the replace record could not be written' });
      continue;
    }
    if (step.kind === 'replace' && !drained.has(step.ec2InstanceId)) {
      results.push({ step, ok: true, skipped: 'the drain has not ended yet: a later run resumes it' });
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
          await deps.deleteRecords(step.containerInstanceArn, [AGENT_REPLACE_ATTRIBUTE], o);
          results.push({ step, ok: true });
          break;
        case 'markReplace':
          await deps.putRecords(step.containerInstanceArn, { [AGENT_REPLACE_ATTRIBUTE]: new Date(step.at).toISOString() }, o);
          results.push({ step, ok: true });
          break;
        case 'drain': {
          const report = await deps.drain(step);
          if (REPLACEABLE.has(report.outcome)) drained.add(step.ec2InstanceId);
          results.push({ step, ok: true, detail: report.outcome, drain: report });
          break;
        }
        case 'replace': {
          const backend = deps.backends.find((b) => b.ref.kind === step.backend.kind && b.ref.id === step.backend.id);
          if (!backend) throw new Error(`${step.backend.kind} ${step.backend.id} is not among the cluster's backends`);
          const r = await backend.replace(step.ec2InstanceId, o);
          results.push({
            step,
            ok: true,
            replaced: r.replaced,
            detail: r.replaced ? 'replaced' : `not replaced: ${r.reason ?? 'already gone'}`,
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
