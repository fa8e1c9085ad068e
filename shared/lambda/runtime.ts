import { makeClients, type AwsClients, type ClientConstructors, type ServiceName } from '../aws/clients';
import { systemClock, type Clock } from './clock';
import { lazy } from './lazy';
import { makeLogger, makeMetrics, type Log, type MetricSink } from './observability';
import { loadTracer } from './tracing';

/** What every handler's `makeHandler` receives. */
export interface HandlerDeps<C, K extends ServiceName> {
  clients: Pick<AwsClients, K>;
  config: C;
  clock: Clock;
  logger: Log;
  metrics: MetricSink;
  /** The region the clients talk to (named in logs: a forgotten --region shows there). */
  region?: string;
}

/**
 * The real dependencies of one Lambda function: logger and metrics at module load (the
 * middy wrapper needs them), config and clients on first invocation — parsed once per
 * container, effective config logged once, and nothing read at import time, so tests can
 * import a handler freely.
 */
export function lambdaRuntime<C, K extends ServiceName>(
  name: string,
  parseConfig: () => C,
  clients: ClientConstructors<K>,
  /** How the effective config is logged (e.g. Sets as arrays). */
  describeConfig: (config: C) => unknown = (config) => config,
) {
  const logger = makeLogger(name);
  const metrics = makeMetrics(name);
  const tracer = loadTracer(name);
  const deps = lazy((): HandlerDeps<C, K> => {
    const config = parseConfig();
    logger.info('effective config', { config: describeConfig(config) });
    const region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
    const traced = tracer ? { configure: (client: object) => void tracer.captureAWSv3Client(client) } : {};
    return { clients: makeClients(clients, traced), config, clock: systemClock, logger, metrics, ...(region ? { region } : {}) };
  });
  return { logger, metrics, tracer, deps };
}
