import { setMaxListeners } from 'node:events';
import type { Context } from 'aws-lambda';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { parsePreflightConfig, type PreflightConfig } from '../../shared/fleet/preflight/config';
import { parsePreflightEvent } from '../../shared/fleet/preflight/messages';
import { countBySeverity } from '../../shared/fleet/preflight/plan';
import { preflightPorts } from '../../shared/fleet/preflight/ports';
import { runPreflight, type PreflightResult } from '../../shared/fleet/preflight/run';
import { setTimer } from '../../shared/lambda/clock';
import { MetricUnit } from '../../shared/lambda/observability';
import { lambdaRuntime, type HandlerDeps } from '../../shared/lambda/runtime';
import { wrap } from '../../shared/lambda/wrap';

export type Deps = HandlerDeps<PreflightConfig, 'ecs' | 'ec2' | 'elbv2' | 'autoscaling' | 'sqs' | 'cloudwatch'>;

/** Time kept back from the Lambda timeout to check and answer; also the budget when no context is given. */
const ANSWER_MARGIN_MS = 5_000;
const DEFAULT_BUDGET_MS = 55_000;

/**
 * On demand: read the account and check it against what the drain and scaling need. Returns ⇒
 * `{ findings, table, clusters }` (a read that failed, or was cut at the deadline, is an `error`
 * finding of check `read`); throws ⇒ a malformed request (EventValidationError). Changes nothing.
 */
export function makeHandler(deps: () => Deps) {
  return async (event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<PreflightResult> => {
    const d = deps();
    const request = (() => {
      try {
        return parsePreflightEvent(event);
      } catch (err) {
        d.metrics.addMetric('preflightRejected', MetricUnit.Count, 1);
        throw err;
      }
    })();
    const budget = (context?.getRemainingTimeInMillis?.() ?? DEFAULT_BUDGET_MS + ANSWER_MARGIN_MS) - ANSWER_MARGIN_MS;
    const deadline = new AbortController();
    setMaxListeners(0, deadline.signal); // every concurrent read listens on it (Node warns past 10)
    const cancel = setTimer(d.clock, d.clock.now() + Math.max(0, budget), () => deadline.abort(new Error('preflight deadline reached')));
    const settings = { ...d.config, ...(request.appKeepAliveSeconds ? { appKeepAliveSeconds: request.appKeepAliveSeconds } : {}) };
    try {
      const result = await runPreflight(
        preflightPorts(d.clients),
        { clusters: request.clusters ?? d.config.clusters, settings },
        { signal: deadline.signal },
      );
      const n = countBySeverity(result.findings);
      d.metrics.addMetric('preflightErrors', MetricUnit.Count, n.error);
      d.metrics.addMetric('preflightWarnings', MetricUnit.Count, n.warning);
      d.metrics.addMetric('preflightInfos', MetricUnit.Count, n.info);
      d.metrics.addMetric('preflightReadFailures', MetricUnit.Count, result.findings.filter((f) => f.check === 'read').length);
      d.logger.info('preflight done', { clusters: result.clusters, ...n });
      return result;
    } finally {
      cancel();
    }
  };
}

const runtime = lambdaRuntime('preflight', parsePreflightConfig, {
  ecs: ECSClient,
  ec2: EC2Client,
  elbv2: ElasticLoadBalancingV2Client,
  autoscaling: AutoScalingClient,
  sqs: SQSClient,
  cloudwatch: CloudWatchClient,
});

export const handler = wrap(makeHandler(runtime.deps), runtime.logger, runtime.metrics, runtime.tracer);
