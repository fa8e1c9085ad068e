import type { Context } from 'aws-lambda';
import { makeLogger, MetricUnit } from '../../../shared/lambda/observability';
import { loadTracer } from '../../../shared/lambda/tracing';
import { wrap } from '../../../shared/lambda/wrap';
import { recordingMetrics } from '../../support/recorders';

const context = { functionName: 'f', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 1000 } as unknown as Context;

describe('wrap', () => {
  const logger = makeLogger('test');
  const handler = wrap(async () => logger.getCorrelationId(), logger, recordingMetrics());

  it('uses the EventBridge event id as the correlation id', async () => {
    expect(await handler({ id: 'event-7', detail: {} }, context)).toBe('event-7');
  });

  it("uses the first SQS record's messageId as the correlation id", async () => {
    expect(await handler({ Records: [{ messageId: 'm-1' }, { messageId: 'm-2' }] }, context)).toBe('m-1');
  });

  it('sets none for an event without an id', async () => {
    expect(await handler({ from: '2026-11-01' }, context)).toBeUndefined();
  });

  it('publishes stored metrics once per invocation, also when the handler throws', async () => {
    const metrics = recordingMetrics();
    const ok = wrap(async () => metrics.addMetric('drainsCompleted', MetricUnit.Count, 1), logger, metrics);
    const failing = wrap(
      async () => {
        metrics.addMetric('drainsFailed', MetricUnit.Count, 1);
        throw new Error('boom');
      },
      logger,
      metrics,
    );
    await ok({}, context);
    await expect(failing({}, context)).rejects.toThrow('boom');
    expect(metrics.documents).toHaveLength(2);
    expect(metrics.values.get('drainsCompleted')).toBe(1);
    expect(metrics.values.get('drainsFailed')).toBe(1);
  });

  it('stays quiet when an invocation stored no metrics (no "No application metrics to publish")', async () => {
    const metrics = recordingMetrics();
    await wrap(async () => 'nothing to count', logger, metrics)({}, context);
    expect(metrics.documents).toHaveLength(0);
    expect(metrics.warnings).toEqual([]);
  });
});

describe('tracing', () => {
  it('is off unless POWERTOOLS_TRACE_ENABLED is true', () => {
    expect(loadTracer('f', {})).toBeUndefined();
    expect(loadTracer('f', { POWERTOOLS_TRACE_ENABLED: 'false' })).toBeUndefined();
  });

  it('loads the Powertools Tracer when on, and a traced handler still answers', async () => {
    const tracer = loadTracer('f', { POWERTOOLS_TRACE_ENABLED: 'true' });
    expect(tracer?.constructor.name).toBe('Tracer');
    const logger = makeLogger('test');
    expect(await wrap(async () => 'traced', logger, recordingMetrics(), tracer)({}, context)).toBe('traced');
  });
});
