import { EventValidationError, TransientError } from '../../../shared/lambda/errors';
import { MANAGED_MARKER } from '../../../shared/logs/table-input';
import type { PartitionsReport } from '../../../shared/logs/partitions-run';
import { SimulatedAccount } from '../../../sim/account';
import { DB, partitionsWorld, registerFamily, scheduledEvent } from '../../support/logs';

const at22 = () => new SimulatedAccount({ start: '2026-11-23T22:00:00Z' });
const values = (account: SimulatedAccount, table: string) =>
  account.glue
    .partitions(DB, table)
    .map((p) => p.Values!.join('-'))
    .sort();

describe('logPartitions against the simulated account', () => {
  it('first run creates the database, a table per fluentd/firelens container and today and tomorrow; the second run is a no-op', async () => {
    const { account, handler } = partitionsWorld({}, at22());
    registerFamily(account, 'my-awesome-app', { app: 'fluentd', 'log-router': 'awslogs' });
    registerFamily(account, 'billing', { worker: 'awsfirelens', cron: undefined });

    const first = await handler(scheduledEvent());
    expect(account.glue.tableNames(DB)).toEqual(['billing_worker', 'my_awesome_app_app']);
    const table = account.glue.table(DB, 'my_awesome_app_app')!;
    expect(table.StorageDescriptor?.Location).toBe('s3://acme-logs/fluentd/my-awesome-app/app/');
    expect(table.PartitionKeys?.map((k) => `${k.Name}:${k.Type}`)).toEqual(['year:int', 'month:int', 'day:int']);
    expect(table.StorageDescriptor?.Columns?.map((c) => c.Name)).toEqual(['time', 'log', 'container_id']);
    expect(table.Parameters?.[MANAGED_MARKER]).toBe('true');
    expect(values(account, 'my_awesome_app_app')).toEqual(['2026-11-23', '2026-11-24']);
    expect(account.glue.partitions(DB, 'billing_worker')[1]!.StorageDescriptor?.Location).toBe(
      's3://acme-logs/fluentd/billing/worker/2026/11/24/',
    );
    expect(first).toMatchObject({
      databaseCreated: true,
      tables: { created: ['billing_worker', 'my_awesome_app_app'] },
      partitions: { requested: 4, created: 4, existing: 0 },
    });

    const before = {
      tables: account.glue.tableNames(DB).map((t) => account.glue.table(DB, t)),
      partitions: account.glue.partitionCount(DB),
    };
    const creates = account.countCalls('glue', 'CreateTable');
    const second = await handler(scheduledEvent());
    expect(account.countCalls('glue', 'CreateTable')).toBe(creates);
    expect(account.countCalls('glue', 'UpdateTable')).toBe(0);
    expect(account.countCalls('glue', 'CreateDatabase')).toBe(1);
    expect({
      tables: account.glue.tableNames(DB).map((t) => account.glue.table(DB, t)),
      partitions: account.glue.partitionCount(DB),
    }).toEqual(before);
    expect(second).toMatchObject({
      databaseCreated: false,
      tables: { created: [], updated: [] },
      partitions: { created: 0, existing: 4, failed: [] },
    });
  });

  it('gives a family that appears later its table on the next run, and keeps the tables of families that are gone', async () => {
    const { account, handler } = partitionsWorld({}, at22());
    registerFamily(account, 'web', { nginx: 'fluentd' });
    await handler({});
    registerFamily(account, 'search', { indexer: 'fluentd' });
    account.ecs.taskDefinitions.operations().DeregisterTaskDefinition!({ taskDefinition: 'web:1' });

    const report = await handler({});
    expect(report.tables.created).toEqual(['search_indexer']);
    expect(account.glue.tableNames(DB)).toEqual(['search_indexer', 'web_nginx']);
    expect(values(account, 'web_nginx')).toEqual(['2026-11-23', '2026-11-24']);
    expect(values(account, 'search_indexer')).toEqual(['2026-11-23', '2026-11-24']);
  });

  it('creates the next day once the time zone says it is tomorrow', async () => {
    const { account, handler } = partitionsWorld({ timeZone: 'Europe/Berlin' }, at22());
    registerFamily(account, 'web', { nginx: 'fluentd' });
    await handler(scheduledEvent()); // 23:00 in Berlin: the 23rd
    account.advance(60 * 60_000); // 00:00 in Berlin: the 24th
    await handler(scheduledEvent('2026-11-23T23:00:00Z'));
    expect(values(account, 'web_nginx')).toEqual(['2026-11-23', '2026-11-24', '2026-11-25']);
  });

  it('makes 500 partitions for 250 tables × 2 days with one BatchCreatePartition per table, not one per partition, through throttling', async () => {
    const { account, handler } = partitionsWorld({}, at22());
    for (let f = 0; f < 125; f += 1) registerFamily(account, `service-${f}`, { app: 'fluentd', sidecar: 'awsfirelens' });
    account.faults.throttleRate = 0.2;

    const report = await handler(scheduledEvent());
    expect(report.tables.created).toHaveLength(250);
    expect(account.glue.partitionCount(DB)).toBe(500);
    // BatchCreatePartition names one table per call: 250 tables need 250 calls (2 entries each).
    const successful = account.calls.filter((c) => c.operation === 'BatchCreatePartition' && !c.error);
    expect(successful).toHaveLength(250);
    expect(successful.every((c) => (c.input as { PartitionInputList: unknown[] }).PartitionInputList.length === 2)).toBe(true);
    expect(report.partitions).toMatchObject({ requested: 500, created: 500, calls: 250, failed: [] });
    expect(account.calls.some((c) => c.error === 'ThrottlingException')).toBe(true);
  });

  it('backfills 5 tables × 100 days = 500 partitions in 5 BatchCreatePartition calls of 100', async () => {
    const { account, handler } = partitionsWorld({ backfillMaxDays: 100 }, at22());
    registerFamily(account, 'app', { a: 'fluentd', b: 'fluentd', c: 'fluentd', d: 'fluentd', e: 'fluentd' });
    registerFamily(account, 'other', { x: 'fluentd' });

    const report = await handler({ from: '2026-08-16', to: '2026-11-23', tables: ['app_a', 'app_b', 'app_c', 'app_d', 'app_e'] });
    expect(account.countCalls('glue', 'BatchCreatePartition')).toBe(5);
    expect(
      account.calls
        .filter((c) => c.operation === 'BatchCreatePartition')
        .map((c) => (c.input as { PartitionInputList: unknown[] }).PartitionInputList.length),
    ).toEqual([100, 100, 100, 100, 100]);
    expect(account.glue.partitionCount(DB)).toBe(500);
    expect(account.glue.partitions(DB, 'other_x')).toEqual([]);
    expect(report.dates).toEqual({ from: '2026-08-16', to: '2026-11-23', count: 100 });
  });

  it('splits 250 days of one table into calls of 100, 100 and 50', async () => {
    const { account, handler } = partitionsWorld({ backfillMaxDays: 366 }, at22());
    registerFamily(account, 'app', { web: 'fluentd' });
    await handler({ from: '2026-01-01', to: '2026-09-07' });
    const sizes = account.calls
      .filter((c) => c.operation === 'BatchCreatePartition')
      .map((c) => (c.input as { PartitionInputList: unknown[] }).PartitionInputList.length);
    expect(sizes).toEqual([100, 100, 50]);
    expect(account.glue.partitionCount(DB)).toBe(250);
  });

  it('retries partitions that failed per entry and counts AlreadyExists as done', async () => {
    const { account, handler, logger } = partitionsWorld({}, at22());
    registerFamily(account, 'app', { web: 'fluentd', worker: 'fluentd' });
    await handler({ from: '2026-11-23', to: '2026-11-23' }); // today exists already
    account.glue.failPartitionsOnce((table) => table === 'app_web', 'InternalServiceException');

    const report = await handler(scheduledEvent());
    expect(values(account, 'app_web')).toEqual(['2026-11-23', '2026-11-24']);
    expect(values(account, 'app_worker')).toEqual(['2026-11-23', '2026-11-24']);
    expect(report.partitions).toMatchObject({ created: 2, existing: 2, failed: [] });
    const webCalls = account.calls.filter(
      (c) => c.operation === 'BatchCreatePartition' && (c.input as { TableName: string }).TableName === 'app_web',
    );
    const sent = webCalls.map((c) =>
      (c.input as { PartitionInputList: Array<{ Values: string[] }> }).PartitionInputList.map((p) => p.Values.join('-')),
    );
    // backfill; daily (both entries fail once); the retry re-sends only the failed entries
    expect(sent).toEqual([['2026-11-23'], ['2026-11-23', '2026-11-24'], ['2026-11-23', '2026-11-24']]);
    expect(logger.messages()).toContain('partitions failed; retrying');
  });

  it('reports partitions that keep failing and fails the invocation so it is retried, after creating the rest', async () => {
    const { account, handler, logger, metrics } = partitionsWorld({ partitionRetries: 2 }, at22());
    registerFamily(account, 'app', { web: 'fluentd', worker: 'fluentd' });
    account.glue.failPartitions((table, v) => table === 'app_web' && v[2] === '24', 'InvalidInputException', {
      times: 10,
      message: 'bad location',
    });

    const error = await handler(scheduledEvent()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/1 partitions failed \(app_web\[2026\/11\/24\] InvalidInputException\)/);
    expect(account.glue.partitionCount(DB)).toBe(3);
    expect(account.countCalls('glue', 'BatchCreatePartition')).toBe(2 + 2); // app_worker once, app_web 1 + 2 retries
    const report = logger.entries.find((e) => e.message === 'partitions report')!.extra[0] as { report: PartitionsReport };
    expect(report.report.partitions.failed).toEqual([
      { table: 'app_web', values: ['2026', '11', '24'], code: 'InvalidInputException', message: 'bad location' },
    ]);
    expect(metrics.values.get('partitionsFailed')).toBe(1);
  });

  it('stops re-sending failed partitions before the Lambda timeout, however many rounds are allowed', async () => {
    const { account, handler, logger } = partitionsWorld({ partitionRetries: 1_000 }, at22());
    registerFamily(account, 'app', { web: 'fluentd' });
    account.glue.failPartitions((_table, v) => v[2] === '24', 'InternalServiceException', { times: 1_000_000, message: 'busy' });
    const started = account.clock.now();

    const error = await handler(scheduledEvent(), { getRemainingTimeInMillis: () => 60_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    // 5 s of the 60 are kept for the report: no re-send starts after 55 s, and the report is logged.
    expect(account.clock.now() - started).toBeLessThan(55_000);
    const sends = account.calls.filter((c) => c.operation === 'BatchCreatePartition');
    expect(sends.length).toBeGreaterThan(2);
    expect(sends.length).toBeLessThan(100);
    expect(logger.messages()).toContain('partitions report');
  });

  it('reports every entry of a BatchCreatePartition call that failed as a whole', async () => {
    const { account, handler } = partitionsWorld({ partitionRetries: 0 }, at22());
    registerFamily(account, 'app', { web: 'fluentd' });
    const { simError } = await import('../../../sim/errors');
    account.failNext('glue', 'BatchCreatePartition', simError('AccessDeniedException', 'not allowed'));
    await expect(handler(scheduledEvent())).rejects.toThrow(
      /2 partitions failed \(app_web\[2026\/11\/23\] AccessDeniedException, app_web\[2026\/11\/24\] AccessDeniedException\)/,
    );
  });

  it('never changes a table it did not create, and partitions it only when configured', async () => {
    const account = at22();
    const theirs = {
      Name: 'app_web',
      PartitionKeys: [
        { Name: 'year', Type: 'int' },
        { Name: 'month', Type: 'int' },
        { Name: 'day', Type: 'int' },
      ],
      StorageDescriptor: { Location: 's3://theirs/app/web', Columns: [{ Name: 'msg', Type: 'string' }] },
    };
    account.glue.seedTable(DB, theirs);
    registerFamily(account, 'app', { web: 'fluentd' });
    const original = account.glue.table(DB, 'app_web');

    const off = partitionsWorld({}, account);
    const report = await off.handler(scheduledEvent());
    expect(account.glue.table(DB, 'app_web')).toEqual(original);
    expect(account.glue.partitions(DB, 'app_web')).toEqual([]);
    expect(report.tables.skipped).toEqual([
      expect.objectContaining({ table: 'app_web', reason: expect.stringContaining('not created by ecs-steady') }),
    ]);
    expect(off.logger.messages()).toContain('table skipped');

    const on = partitionsWorld({ manageForeignTables: true }, account);
    await on.handler(scheduledEvent());
    expect(account.glue.table(DB, 'app_web')).toEqual(original);
    expect(account.glue.partitions(DB, 'app_web').map((p) => p.StorageDescriptor?.Location)).toEqual([
      's3://theirs/app/web/2026/11/23/',
      's3://theirs/app/web/2026/11/24/',
    ]);
    expect(account.countCalls('glue', 'UpdateTable')).toBe(0);
  });

  it('puts projection tables in projection mode and creates no partitions for them', async () => {
    const { account, handler } = partitionsWorld({ projectionTables: new Set(['app_web']) }, at22());
    registerFamily(account, 'app', { web: 'fluentd', worker: 'fluentd' });
    const report = await handler(scheduledEvent());
    expect(account.glue.table(DB, 'app_web')!.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'storage.location.template': 's3://acme-logs/fluentd/app/web/${year}/${month}/${day}/',
    });
    expect(account.glue.partitions(DB, 'app_web')).toEqual([]);
    expect(values(account, 'app_worker')).toEqual(['2026-11-23', '2026-11-24']);
    expect(report.tables.projected).toBe(1);
  });

  it('logs a clear line for containers whose table names collide and still does the others', async () => {
    const { account, handler, logger } = partitionsWorld({}, at22());
    registerFamily(account, 'my-app', { web: 'fluentd' });
    registerFamily(account, 'my_app', { web: 'fluentd' });
    registerFamily(account, 'ok', { web: 'fluentd' });
    const report = await handler(scheduledEvent());
    expect(account.glue.tableNames(DB)).toEqual(['ok_web']);
    expect(report.tables.skipped.map((s) => s.reason)).toEqual([
      'my-app/web, my_app/web all map to table my_app_web; rename one of them',
      'my-app/web, my_app/web all map to table my_app_web; rename one of them',
    ]);
    expect(logger.entries.filter((e) => e.message === 'table skipped')).toHaveLength(2);
  });

  it('changes nothing in dry-run mode but reports the plan', async () => {
    const { account, handler } = partitionsWorld({ dryRun: true }, at22());
    registerFamily(account, 'app', { web: 'fluentd' });
    const report = await handler(scheduledEvent());
    expect(account.glue.databases.size).toBe(0);
    expect(report).toMatchObject({ dryRun: true, partitions: { requested: 2, created: 0 } });
    expect(account.countCalls('glue', 'CreateTable') + account.countCalls('glue', 'BatchCreatePartition')).toBe(0);
  });

  it.each([
    [{ from: '2026-11-01', to: '2027-03-01' }, /backfill range too large: 2026-11-01..2027-03-01 is 121 days; at most 92/],
    [{ from: '2026-11-20', to: '2026-11-01' }, /to: from must not be after to/],
    [{ from: '2026-11-31', to: '2026-12-01' }, /from: expected a calendar date/],
    [{ from: '2026-11-01', to: '2026-11-02', tables: ['nope'] }, /unknown tables in backfill: nope: no such table/],
    [{ from: '2026-11-01', to: '2026-11-02', tables: ['Robert"); DROP'] }, /tables.0: expected a table name/],
    [{ frm: '2026-11-01' }, /malformed logPartitions event/],
  ])('refuses %j with a clear error and changes nothing', async (event, message) => {
    const { account, handler } = partitionsWorld({}, at22());
    registerFamily(account, 'app', { web: 'fluentd' });
    const error = await handler(event).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as Error).message).toMatch(message);
    expect(
      account.countCalls('glue', 'CreateDatabase') +
        account.countCalls('glue', 'CreateTable') +
        account.countCalls('glue', 'BatchCreatePartition'),
    ).toBe(0);
  });
});
