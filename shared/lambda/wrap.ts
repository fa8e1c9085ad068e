import middy from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { CORRELATION_ID_PATH } from './observability';
import { tracingMiddleware } from './tracing';

export type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

/**
 * Every handler goes through here: Lambda context and correlation id in every log line,
 * metrics flushed once per invocation (including on error), and an X-Ray segment per
 * invocation when tracing is on.
 *
 * Metrics are flushed only when some were stored: functions that publish per-cluster metrics
 * at once (perDimension) leave none behind, and Powertools' `logMetrics` would then warn "No
 * application metrics to publish" on every invocation.
 */
export function wrap<E, R>(handler: LambdaHandler<E, R>, logger: Logger, metrics: Metrics, tracer?: Tracer) {
  const flush = async () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  const wrapped = middy(handler)
    .use(injectLambdaContext(logger, { resetKeys: true, correlationIdPath: CORRELATION_ID_PATH }))
    .use({ after: flush, onError: flush });
  if (tracer) wrapped.use(tracingMiddleware(tracer));
  return wrapped;
}
