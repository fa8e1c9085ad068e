import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Log, MetricSink } from '../../shared/lambda/observability';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  /** `[attributes]`: what the log line carried besides Powertools' own keys. */
  extra: unknown[];
}

/** Keys Powertools Logger writes on every line (not ours to assert on). */
const POWERTOOLS_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'xray_trace_id',
  'cold_start',
  'function_name',
  'function_memory_size',
  'function_arn',
  'function_request_id',
  'correlation_id',
]);

/** A console stand-in that hands every printed line to `sink` instead of stdout. */
function capturingConsole(sink: (method: string, line: string) => void): Console {
  const at =
    (method: string) =>
    (...args: unknown[]) =>
      sink(method, args.map(String).join(' '));
  return {
    log: at('log'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    debug: at('debug'),
    trace: at('trace'),
  } as unknown as Console;
}

/**
 * The real Powertools Logger (its own methods, `this` and serialisation run as in Lambda) with
 * its output captured: every JSON line it prints is parsed back into an entry for assertions.
 * A caller that detaches a method (`const f = log.info; f(…)`) fails here as it does in Lambda.
 */
export function recordingLogger(serviceName = 'test'): Log & { entries: LogEntry[]; lines: string[]; messages: () => string[] } {
  const entries: LogEntry[] = [];
  const lines: string[] = [];
  const logger = new Logger({ serviceName, logLevel: 'DEBUG' });
  Object.assign(logger, {
    console: capturingConsole((_method, line) => {
      lines.push(line);
      const item = JSON.parse(line) as Record<string, unknown>;
      const extra = Object.fromEntries(Object.entries(item).filter(([k]) => !POWERTOOLS_KEYS.has(k)));
      entries.push({ level: String(item.level).toLowerCase() as LogEntry['level'], message: String(item.message), extra: [extra] });
    }),
  });
  return Object.assign(logger, { entries, lines, messages: () => entries.map((e) => e.message) });
}

/** One EMF document as Powertools Metrics prints it. */
interface EmfDocument {
  _aws: { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> };
  [key: string]: unknown;
}

/**
 * The real Powertools Metrics with its EMF output captured. `values` publishes what is stored
 * (as the middleware does at the end of an invocation) and sums every published value by name;
 * `documents` holds every EMF document printed; `warnings` what Metrics warned about.
 */
export function recordingMetrics(
  dimensions: Record<string, string> = {},
): Metrics & { readonly values: Map<string, number>; documents: EmfDocument[]; warnings: string[]; metrics: Metrics } {
  const sums = new Map<string, number>();
  const documents: EmfDocument[] = [];
  const warnings: string[] = [];
  const metrics = new Metrics({
    namespace: 'EcsSteadyTest',
    serviceName: 'test',
    logger: { warn: (m: unknown) => warnings.push(String(m)) } as never,
  });
  // Tests set POWERTOOLS_METRICS_DISABLED (nothing else prints EMF); this one serialises for real.
  Object.assign(metrics, {
    disabled: false,
    console: capturingConsole((_method, line) => {
      const doc = JSON.parse(line) as EmfDocument;
      documents.push(doc);
      for (const d of doc._aws.CloudWatchMetrics)
        for (const { Name } of d.Metrics) {
          const v = doc[Name];
          const total = (Array.isArray(v) ? (v as number[]) : [v as number]).reduce((a, b) => a + b, 0);
          sums.set(Name, (sums.get(Name) ?? 0) + total);
        }
    }),
  });
  for (const [k, v] of Object.entries(dimensions)) metrics.addDimension(k, v);
  // The real object is handed out (its own addMetric and `this`), with the recorder's views on it.
  Object.defineProperty(metrics, 'values', {
    get() {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      return sums;
    },
  });
  return Object.assign(metrics, { metrics, documents, warnings }) as unknown as Metrics & {
    readonly values: Map<string, number>;
    documents: EmfDocument[];
    warnings: string[];
    metrics: Metrics;
  };
}

/** One recording sink per value of a dimension (per cluster), created on first use. */
export function recordingPerDimension(name = 'cluster'): {
  sinkFor: (value: string) => MetricSink;
  sinks: Map<string, ReturnType<typeof recordingMetrics>>;
} {
  const sinks = new Map<string, ReturnType<typeof recordingMetrics>>();
  const sinkFor = (value: string): MetricSink => {
    let m = sinks.get(value);
    if (!m) sinks.set(value, (m = recordingMetrics({ [name]: value })));
    return m;
  };
  return { sinkFor, sinks };
}
