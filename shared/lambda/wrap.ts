import middy from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';

export type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

/** The correlation id is the event's own id (EventBridge `id`, SQS `messageId`) when it has one. */
function correlationIdOf(event: unknown): string | undefined {
  if (event && typeof event === 'object') {
    const e = event as { id?: unknown; Records?: Array<{ messageId?: unknown }> };
    if (typeof e.id === 'string') return e.id;
    const first = e.Records?.[0]?.messageId;
    if (typeof first === 'string') return first;
  }
  return undefined;
}

/**
 * Every handler goes through here: Lambda context and correlation id in every log line,
 * metrics flushed once per invocation (including on error).
 */
export function wrap<E, R>(handler: LambdaHandler<E, R>, logger: Logger, metrics: Metrics) {
  return middy(handler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      before: (request) => {
        const id = correlationIdOf(request.event);
        if (id) logger.setCorrelationId(id);
      },
    })
    .use(logMetrics(metrics));
}
