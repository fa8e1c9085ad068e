import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventValidationError } from '../../../shared/lambda/errors';
import { logPartitionsEvent, logSearchEvent, parseLogPartitionsEvent, parseLogSearchEvent } from '../../../shared/logs/events';

const sample = (name: string) => JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'events', name), 'utf8'));

describe('logs sample events', () => {
  it.each([
    ['log-partitions-daily.json', { kind: 'daily' }],
    [
      'log-partitions-backfill.json',
      { kind: 'backfill', from: '2026-11-01', to: '2026-11-20', tables: ['my_awesome_app_app', 'billing_worker'] },
    ],
  ])('%s parses with the logPartitions schema', (file, request) => {
    expect(logPartitionsEvent.safeParse(sample(file)).success).toBe(true);
    expect(parseLogPartitionsEvent(sample(file))).toEqual(request);
  });

  it('log-search.json parses with the logSearch schema', () => {
    expect(logSearchEvent.safeParse(sample('log-search.json')).success).toBe(true);
    expect(parseLogSearchEvent(sample('log-search.json'))).toMatchObject({
      kind: 'search',
      request: { family: 'my-awesome-app', contains: 'ERROR' },
    });
  });
});

describe('logPartitions events', () => {
  it.each([[{}], [sample('log-partitions-daily.json')]])('%j is the daily run', (event) => {
    expect(parseLogPartitionsEvent(event)).toEqual({ kind: 'daily' });
  });

  it.each([
    [{ from: '2026-11-01' }, /to: /],
    [{ from: '2026-11-01', to: '2026-11-02', tables: [] }, /tables: /],
    [{ from: '2026-11-01', to: '2026-11-02', extra: 1 }, /Unrecognized key/],
    [{ ...sample('log-partitions-daily.json'), source: 'aws.ec2' }, /source/],
    [{ nonsense: true }, /malformed logPartitions event/],
    [null, /malformed logPartitions event/],
  ])('refuses %j', (event, message) => {
    expect(() => parseLogPartitionsEvent(event)).toThrow(EventValidationError);
    expect(() => parseLogPartitionsEvent(event)).toThrow(message);
  });
});

describe('logSearch events', () => {
  it('reads a resume request', () => {
    expect(parseLogSearchEvent({ queryExecutionId: '5e1a0000-0000-4000-8000-000000000002', limit: 5 })).toEqual({
      kind: 'resume',
      request: { queryExecutionId: '5e1a0000-0000-4000-8000-000000000002', limit: 5 },
    });
  });

  it.each([
    [{ table: 'a_b', family: 'a', container: 'b', date: '2026-11-23' }, /table: give table or family\/container, not both/],
    [{ table: 'a_b', date: '2026-11-23', from: '2026-11-22', to: '2026-11-23' }, /date: give date or from\/to, not both/],
    [{ table: 'a_b', from: '2026-11-24', to: '2026-11-23' }, /to: from must not be after to/],
    [{ table: 'a_b', date: '2026-11-23', limit: 1.5 }, /limit/],
    [{ table: 'a_b', date: '2026-11-23', contains: '' }, /contains/],
    [{ table: 'a_b', date: '2026-11-23', contains: 'x'.repeat(1001) }, /contains/],
    [{ table: 'a_b', date: '2026-11-23', order: 'random' }, /order/],
    [{ queryExecutionId: "'; drop" }, /queryExecutionId: expected an Athena query execution id/],
  ])('refuses %j', (event, message) => {
    expect(() => parseLogSearchEvent(event)).toThrow(EventValidationError);
    expect(() => parseLogSearchEvent(event)).toThrow(message);
  });
});
