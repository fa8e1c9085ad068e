import type { Context } from 'aws-lambda';
import { makeLogger, makeMetrics } from '../../../shared/lambda/observability';
import { wrap } from '../../../shared/lambda/wrap';

const context = { functionName: 'f', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 1000 } as unknown as Context;

describe('wrap', () => {
  const logger = makeLogger('test');
  const handler = wrap(async () => logger.getCorrelationId(), logger, makeMetrics('test'));

  it('uses the EventBridge event id as the correlation id', async () => {
    expect(await handler({ id: 'event-7', detail: {} }, context)).toBe('event-7');
  });

  it("uses the first SQS record's messageId as the correlation id", async () => {
    expect(await handler({ Records: [{ messageId: 'm-1' }, { messageId: 'm-2' }] }, context)).toBe('m-1');
  });

  it('sets none for an event without an id', async () => {
    expect(await handler({ from: '2026-11-01' }, context)).toBeUndefined();
  });
});
