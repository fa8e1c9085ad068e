import { sampleAccount } from '../../sim/http/seed';
import { prepareEvent, rewriteIds, SAMPLES, stampTimes } from '../../scripts/invoke';

/** Far from the samples' own dates (2026-11-23), and across a month and year end. */
const NOW = Date.parse('2031-01-01T00:00:30.000Z');
const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g;

/** Every ISO time in the event, JSON bodies inside strings included (they are searched as text). */
const timesIn = (event: unknown) => [...JSON.stringify(event).matchAll(ISO_TIME)].map((m) => Date.parse(m[0]));

describe('npm run invoke: samples made valid for now', () => {
  const sqsFed = new Set(['asgLifecycleDrain', 'runTaskFailure', 'placementFailure']);
  const cases = Object.entries(SAMPLES).flatMap(([fn, samples]) => samples.map((sample) => [fn, sample] as const));

  it.each(cases)('%s %s: every time is moved to now (newest = now, none in the future, none older than a day)', (fn, sample) => {
    const { event } = prepareEvent(fn, sample, { now: NOW });
    const times = timesIn(event);
    if (times.length === 0) return; // date-only samples: checked below
    expect(Math.max(...times)).toBe(NOW);
    expect(Math.min(...times)).toBeGreaterThan(NOW - 86_400_000);
  });

  it.each(cases.filter(([fn]) => sqsFed.has(fn)))('%s %s arrives as an SQS event', (fn, sample) => {
    const { event } = prepareEvent(fn, sample, { now: NOW });
    const records = (
      event as { Records: Array<{ eventSource: string; body: string; eventSourceARN: string; attributes: { SentTimestamp: string } }> }
    ).Records;
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) {
      expect(r.eventSource).toBe('aws:sqs');
      expect(() => JSON.parse(r.body)).not.toThrow();
      expect(Math.abs(Number(r.attributes.SentTimestamp) - NOW)).toBeLessThan(60_000);
    }
  });

  it('a raw RunTask result can go in the SNS envelope it has without raw message delivery', () => {
    const { event } = prepareEvent('runTaskFailure', 'run-task-result.json', { now: NOW, sns: true });
    const body = JSON.parse((event as { Records: Array<{ body: string }> }).Records[0]!.body);
    expect(body).toMatchObject({ Type: 'Notification', TopicArn: 'arn:aws:sns:eu-west-1:123456789012:ecs-steady-dev-run-task-results' });
    expect(JSON.parse(body.Message)).toMatchObject({ version: 1, request: { cluster: 'batch' }, at: '2031-01-01T00:00:30.000Z' });
  });

  it('the Spot notice is sent now (its 2 minutes ahead) and the placement failure keeps its order (createdAt just before time)', () => {
    // spotInterruption is fed by its queue: the notice is the SQS record's body.
    const records = (prepareEvent('spotInterruption', undefined, { now: NOW }).event as { Records: Array<{ body: string }> }).Records;
    expect(JSON.parse(records[0]!.body).time).toBe('2031-01-01T00:00:30.000Z');
    const placement = JSON.parse(
      (prepareEvent('placementFailure', undefined, { now: NOW }).event as { Records: Array<{ body: string }> }).Records[0]!.body,
    );
    expect(Date.parse(placement.time) - Date.parse(placement.detail.createdAt)).toBe(88);
  });

  it('dates alone move by whole days: the search is today, the backfill keeps its 19-day range, ending today', () => {
    expect((prepareEvent('logSearch', undefined, { now: NOW }).event as { date: string }).date).toBe('2031-01-01');
    expect(prepareEvent('logPartitions', 'log-partitions-backfill.json', { now: NOW }).event).toMatchObject({
      from: '2030-12-13',
      to: '2031-01-01',
    });
    expect(stampTimes({ at: '2026-11-23T10:00:00Z', day: '2026-11-23' }, NOW)).toEqual({
      at: '2031-01-01T00:00:30.000Z',
      day: '2031-01-01',
    });
  });

  it("against the seeded account a sample names the account's ids (in nested JSON too), per sample where they differ", () => {
    const { world } = sampleAccount(NOW);
    const drain = prepareEvent('asgLifecycleDrain', 'asg-lifecycle-drain-sqs.json', { now: NOW, sampleIds: world.sampleIds }).event as {
      Records: Array<{ body: string }>;
    };
    const detail = JSON.parse(drain.Records[0]!.body).detail;
    expect(detail.EC2InstanceId).toBe(world.web.asgInstances[1]);
    expect(detail.LifecycleActionToken).toBe(world.lifecycleTokens['asg-lifecycle-drain-sqs.json']);
    const spot = prepareEvent('spotInterruption', undefined, { now: NOW, sampleIds: world.sampleIds }).event as {
      Records: Array<{ body: string }>;
    };
    expect(JSON.parse(spot.Records[0]!.body).detail['instance-id']).toBe(world.web.instances[0]!.instanceId);
    expect(rewriteIds({ a: 'x-1 and x-1' }, 'f.json', { '*': { 'x-1': 'y' } })).toEqual({ a: 'y and y' });
  });
});
