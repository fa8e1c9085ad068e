import type { CallOptions } from '../../aws/call';
import type { IpTargetFailure } from '../../aws/elbv2-ip-targets';
import type { NlbStep } from './plan';
import type { NlbTargetPorts } from './ports';

export interface StepResult {
  step: NlbStep;
  applied: boolean;
  failures: IpTargetFailure[];
}

/**
 * A flat loop over the plan's steps, in order (deregistrations first). Dry-run is checked here
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
    const failures = await ports[step.kind](step.targetGroupArn, step.targets, o);
    results.push({ step, applied: true, failures });
  }
  return results;
}
