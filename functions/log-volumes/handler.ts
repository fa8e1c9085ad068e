import type { Context } from 'aws-lambda';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { KMSClient } from '@aws-sdk/client-kms';
import { parseLogVolumesConfig, type LogVolumesConfig } from '../../shared/fleet/log-volumes/config';
import { parseLogVolumesEvent } from '../../shared/fleet/log-volumes/messages';
import { emitMalformedEvent, emitReport, type LogVolumesReport } from '../../shared/fleet/log-volumes/report';
import { runLogVolumes } from '../../shared/fleet/log-volumes/run';
import { logVolumesPort } from '../../shared/fleet/log-volumes/wiring';
import { lambdaRuntime, type HandlerDeps } from '../../shared/lambda/runtime';
import { wrap } from '../../shared/lambda/wrap';

export type Deps = HandlerDeps<LogVolumesConfig, 'ec2' | 'ecs' | 'kms' | 'cloudwatch'>;

/** Time kept back from the Lambda timeout for the report; also the budget when no context is given. */
const INVOCATION_RESERVE_MS = 5_000;
const DEFAULT_BUDGET_MS = 55_000;

/**
 * On a schedule (or `{}` by hand): delete the flushed log volumes we own past their grace, alert
 * on the unflushed ones. Returns ⇒ the report (failures named in it, metrics emitted on every
 * path); throws only for a malformed event (EventValidationError).
 */
export function makeHandler(deps: () => Deps) {
  return async (event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<LogVolumesReport> => {
    const d = deps();
    try {
      parseLogVolumesEvent(event);
    } catch (err) {
      emitMalformedEvent(d.metrics);
      throw err;
    }
    const remaining = context?.getRemainingTimeInMillis?.() ?? DEFAULT_BUDGET_MS + INVOCATION_RESERVE_MS;
    const endsAt = d.clock.now() + remaining - INVOCATION_RESERVE_MS;
    const report = await runLogVolumes(
      { port: logVolumesPort(d.clients, d.config.stampKeyId), clock: d.clock, log: d.logger },
      d.config,
      endsAt,
    );
    emitReport(d.logger, d.metrics, report);
    return report;
  };
}

const runtime = lambdaRuntime('logVolumes', parseLogVolumesConfig, {
  ec2: EC2Client,
  ecs: ECSClient,
  kms: KMSClient,
  cloudwatch: CloudWatchClient,
});

export const handler = wrap(makeHandler(runtime.deps), runtime.logger, runtime.metrics, runtime.tracer);
