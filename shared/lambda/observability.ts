import { search } from '@aws-lambda-powertools/jmespath';
import type { JSONObject } from '@aws-lambda-powertools/commons/types';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export { MetricUnit };

/** Structured JSON logs and EMF metrics, one pair per function. */
export function makeLogger(serviceName: string): Logger {
  return new Logger({ serviceName, correlationIdSearchFn: (expression, data) => search(expression, data as JSONObject) });
}

export function makeMetrics(serviceName: string): Metrics {
  return new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'EcsSteady', serviceName });
}

/** The slice of Logger our code uses, so tests can pass a recorder. */
export type Log = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
export type MetricSink = Pick<Metrics, 'addMetric'>;

/** A sink per value of one dimension (e.g. per cluster): each metric is published at once with that dimension. */
export function perDimension(metrics: Metrics, name: string): (value: string) => MetricSink {
  return (value) => {
    const m = metrics.singleMetric();
    m.addDimension(name, value);
    return m;
  };
}

/** The correlation id is the event's own id: EventBridge `id`, or the first SQS record's `messageId` (Powertools reads it with JMESPath). */
export const CORRELATION_ID_PATH = 'id || Records[0].messageId';
