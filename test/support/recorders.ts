import type { Log, MetricSink } from '../../shared/lambda/observability';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  extra: unknown[];
}

/** A logger that keeps what was said, for assertions on log lines. */
export function recordingLogger(): Log & { entries: LogEntry[]; messages: () => string[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (message: unknown, ...extra: unknown[]) => {
      entries.push({ level, message: String(message), extra });
    };
  return {
    entries,
    messages: () => entries.map((e) => e.message),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  } as Log & { entries: LogEntry[]; messages: () => string[] };
}

/** A metrics sink that sums what was added, by name. */
export function recordingMetrics(): MetricSink & { values: Map<string, number> } {
  const values = new Map<string, number>();
  return {
    values,
    addMetric: (name: string, _unit: unknown, value: number) => {
      values.set(name, (values.get(name) ?? 0) + value);
    },
  } as MetricSink & { values: Map<string, number> };
}

/** One recording sink per value of a dimension (per cluster), created on first use. */
export function recordingPerDimension(): {
  sinkFor: (value: string) => MetricSink;
  sinks: Map<string, ReturnType<typeof recordingMetrics>>;
} {
  const sinks = new Map<string, ReturnType<typeof recordingMetrics>>();
  const sinkFor = (value: string): MetricSink => {
    let m = sinks.get(value);
    if (!m) sinks.set(value, (m = recordingMetrics()));
    return m;
  };
  return { sinkFor, sinks };
}
