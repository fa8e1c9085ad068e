import { INTERRUPTED_AT_TAG } from '../../tags';
import type { CallOptions } from '../../aws/call';
import type { IpTargetFailure } from '../../aws/elbv2-ip-targets';
import { errorMessage } from '../../lambda/errors';
import type { NlbStep } from './plan';
import type { NlbTargetPorts } from './ports';

export interface StepResult {
  step: NlbStep;
  applied: boolean;
  failures: IpTargetFailure[];
}

/**
 * A flat loop over the plan's steps, in order (the notice's mark, deregistrations, registrations). Dry-run is checked here
 * and only here. A refused chunk is a failure in the result, never a throw; throws only when
 * the invocation's time is up (aborted).
 */
export async function executeNlbSteps(
  ports: NlbTargetPorts,
  steps: readonly NlbStep[],
  dryRun: boolean,
  o?: CallOptions,
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const step of steps) {
    if (dryRun) {
      results.push({ step, applied: false, failures: [] });
      continue;
    }
    if (step.kind === 'markInterrupted') {
      try {
        await ports.tagInstance(step.ec2InstanceId, { [INTERRUPTED_AT_TAG]: new Date(step.at).toISOString() }, o);
        results.push({ step, applied: true, failures: [] });
      } catch (err) {
        if (o?.signal?.aborted) throw err;
        // The deregistration still goes; only the memory of the notice is missing (a reconcile in the next 2 minutes may re-register).
        results.push({ step, applied: false, failures: [{ targets: [], reason: `tag ${step.ec2InstanceId}: ${errorMessage(err)}` }] });
      }
      continue;
    }
    const failures = await ports[step.kind](step.targetGroupArn, step.targets, o);
    results.push({ step, applied: true, failures });
  }
  return results;
}
