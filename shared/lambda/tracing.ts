import type { Tracer } from '@aws-lambda-powertools/tracer';

/** The slice of Powertools Tracer we use. */
export type TracerLike = Pick<Tracer, 'captureAWSv3Client'>;

/** Powertools' own switch, set by the `tracing` stage param (serverless.yml). */
export const TRACE_ENABLED_ENV = 'POWERTOOLS_TRACE_ENABLED';

/**
 * The Powertools Tracer when tracing is on (`POWERTOOLS_TRACE_ENABLED=true`), else nothing.
 * It is never bundled: with tracing on, the stack attaches the Powertools layer, which holds it
 * (bundled, the Tracer and aws-xray-sdk-core add ~38 kB to every zip, past the 400 kB budget of the
 * EC2-client functions). Off, this never loads it. Throws ⇒ tracing is on and the layer is missing.
 */
export function loadTracer(serviceName: string, env: NodeJS.ProcessEnv = process.env): Tracer | undefined {
  if (env[TRACE_ENABLED_ENV]?.toLowerCase() !== 'true') return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when tracing is on (from the layer)
  const { Tracer: PowertoolsTracer } = require('@aws-lambda-powertools/tracer') as typeof import('@aws-lambda-powertools/tracer');
  return new PowertoolsTracer({ serviceName });
}

/** One X-Ray segment per invocation (Powertools' middy middleware, from the layer like the Tracer). */
export function tracingMiddleware(tracer: Tracer) {
  type Middleware = typeof import('@aws-lambda-powertools/tracer/middleware');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when tracing is on (from the layer)
  const { captureLambdaHandler } = require('@aws-lambda-powertools/tracer/middleware') as Middleware;
  return captureLambdaHandler(tracer);
}
