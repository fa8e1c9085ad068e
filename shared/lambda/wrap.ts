import middy from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import { CORRELATION_ID_PATH } from './observability';

export type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

/**
 * Every handler goes through here: Lambda context and correlation id in every log line,
 * metrics flushed once per invocation (including on error).
 */
export function wrap<E, R>(handler: LambdaHandler<E, R>, logger: Logger, metrics: Metrics) {
  return middy(handler)
    .use(injectLambdaContext(logger, { resetKeys: true, correlationIdPath: CORRELATION_ID_PATH }))
    .use(logMetrics(metrics));
}
