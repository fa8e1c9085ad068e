import { setTimer, type Clock } from '../../lambda/clock';
import { retryUntil } from '../../aws/retry';
import { errorMessage } from '../../lambda/errors';
import type { Log } from '../../lambda/observability';
import type { LogVolumesConfig } from './config';
import { executeSteps, VOLUME_RETRY } from './execute';
import { planLogVolumes } from './plan';
import type { LogVolume, VolumesPort, VolumeView } from './ports';
import { buildReport, listFailedReport, type LogVolumesReport } from './report';
import { readLogVolumes } from './snapshot';

export interface LogVolumesDeps {
  port: VolumesPort;
  clock: Clock;
  log: Log;
}

/**
 * One run: read our volumes (available and in use), plan, carry out the steps, confirm the deletes with EC2.
 * Every call is bounded by `endsAt` (an abort signal fires then); reads are retried with backoff
 * until the deadline. Never throws for AWS: a report comes back on every path.
 */
export async function runLogVolumes(deps: LogVolumesDeps, config: LogVolumesConfig, endsAt: number): Promise<LogVolumesReport> {
  const controller = new AbortController();
  const cancel = setTimer(deps.clock, endsAt, () => controller.abort(new Error('logVolumes deadline reached')));
  const signal = controller.signal;
  try {
    let volumes: LogVolume[];
    try {
      volumes = await untilDeadline(() => readLogVolumes(deps.port, config, deps.clock.now(), { signal }), deps.clock, endsAt, signal);
    } catch (err) {
      return listFailedReport(config.dryRun, errorMessage(err));
    }
    const plan = planLogVolumes(volumes, config, deps.clock.now());
    deps.log.info('log volumes plan', { dryRun: config.dryRun, steps: plan.steps, decisions: plan.decisions });
    const results = await executeSteps(plan.steps, deps.port, {
      dryRun: config.dryRun,
      attempts: config.deleteAttempts,
      clock: deps.clock,
      endsAt,
      signal,
    });
    const asked = results
      .filter((r) => r.step.kind === 'delete' && (r.outcome === 'done' || r.outcome === 'not-found'))
      .map((r) => r.step.volumeId);
    let remaining: VolumeView[] | undefined = [];
    let confirmError: string | undefined;
    if (asked.length > 0) {
      try {
        remaining = await untilDeadline(() => deps.port.describe(asked, { signal }), deps.clock, endsAt, signal);
      } catch (err) {
        remaining = undefined;
        confirmError = errorMessage(err);
      }
    }
    const available = volumes.filter((v) => v.state === 'available').length;
    return buildReport(config.dryRun, available, plan, results, remaining, confirmError);
  } finally {
    cancel();
  }
}

/** `read` again (the volume steps' backoff) while the deadline allows; the last error otherwise. */
async function untilDeadline<T>(read: () => Promise<T>, clock: Clock, endsAt: number, signal: AbortSignal): Promise<T> {
  const r = await retryUntil(endsAt, read, { clock, backoff: VOLUME_RETRY, signal });
  if (!r.ok) throw r.error;
  return r.value;
}
