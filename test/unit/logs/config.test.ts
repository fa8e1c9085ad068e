import { ConfigError } from '../../../shared/lambda/errors';
import { parsePartitionsConfig, parseSearchConfig } from '../../../shared/logs/config';

describe('logs config', () => {
  it('has SRE defaults for everything but the bucket', () => {
    const c = parsePartitionsConfig({ LOGS_BUCKET: 'acme-logs' });
    expect(c).toMatchObject({
      database: 'container_logs',
      prefix: 'logs',
      timeZone: 'UTC',
      logDrivers: ['fluentd', 'awsfirelens'],
      extraColumns: [
        { name: 'container_id', type: 'string' },
        { name: 'container_name', type: 'string' },
        { name: 'source', type: 'string' },
      ],
      manageForeignTables: false,
      backfillMaxDays: 92,
      dryRun: false,
    });
    expect(c.projectionTables).toEqual(new Set());
  });

  it('reads every variable', () => {
    const c = parsePartitionsConfig({
      LOGS_BUCKET: 'acme-logs',
      LOGS_DATABASE: 'ecs_logs',
      LOGS_PREFIX: '/fluentd/prod/',
      LOGS_TIME_ZONE: 'Europe/Berlin',
      LOGS_LOG_DRIVERS: 'fluentd',
      LOGS_EXTRA_COLUMNS: 'ecs_task_arn, status:int',
      LOGS_MANAGE_FOREIGN_TABLES: 'true',
      LOGS_PROJECTION_TABLES: '*',
      LOGS_BACKFILL_MAX_DAYS: '30',
      DRY_RUN: 'yes',
    });
    expect(c).toMatchObject({
      database: 'ecs_logs',
      prefix: 'fluentd/prod',
      timeZone: 'Europe/Berlin',
      logDrivers: ['fluentd'],
      extraColumns: [
        { name: 'ecs_task_arn', type: 'string' },
        { name: 'status', type: 'int' },
      ],
      manageForeignTables: true,
      projectionTables: 'all',
      backfillMaxDays: 30,
      dryRun: true,
    });
  });

  it.each([
    [{}, /LOGS_BUCKET=null: required: the S3 bucket fluentd writes container logs to/],
    [{ LOGS_BUCKET: '  ' }, /LOGS_BUCKET=null/],
    [{ LOGS_BUCKET: 'Bad_Bucket' }, /LOGS_BUCKET="Bad_Bucket": expected an S3 bucket name/],
    [{ LOGS_BUCKET: 'b-1', LOGS_TIME_ZONE: 'Europe/Paris2' }, /LOGS_TIME_ZONE="Europe\/Paris2": expected an IANA time zone/],
    [{ LOGS_BUCKET: 'b-1', LOGS_DATABASE: 'Logs-DB' }, /LOGS_DATABASE="Logs-DB"/],
    [{ LOGS_BUCKET: 'b-1', LOGS_EXTRA_COLUMNS: 'log' }, /LOGS_EXTRA_COLUMNS="log": bad column name "log"/],
    [{ LOGS_BUCKET: 'b-1', LOGS_EXTRA_COLUMNS: 'x:varchar' }, /column x: type must be one of/],
    [{ LOGS_BUCKET: 'b-1', LOGS_BACKFILL_MAX_DAYS: '1000' }, /LOGS_BACKFILL_MAX_DAYS="1000": expected a whole number from 1 to 731/],
  ])('refuses %j naming the field', (env, message) => {
    expect(() => parsePartitionsConfig(env)).toThrow(ConfigError);
    expect(() => parsePartitionsConfig(env)).toThrow(message);
  });

  it('derives the Athena output location from the bucket unless one is given', () => {
    expect(parseSearchConfig({ LOGS_BUCKET: 'acme-logs' })).toMatchObject({
      workgroup: 'primary',
      outputLocation: 's3://acme-logs/athena-results/',
      maxDays: 31,
      maxWaitMs: 60_000,
    });
    expect(parseSearchConfig({ LOGS_ATHENA_OUTPUT_LOCATION: 's3://other/q/', LOGS_ATHENA_WORKGROUP: 'sre' })).toMatchObject({
      workgroup: 'sre',
      outputLocation: 's3://other/q/',
    });
    expect(parseSearchConfig({}).outputLocation).toBeUndefined();
  });

  it.each([
    [{ LOGS_SEARCH_MAX_DAYS: '366' }, /LOGS_SEARCH_MAX_DAYS="366"/],
    [{ LOGS_SEARCH_DEFAULT_ROWS: '500', LOGS_SEARCH_MAX_ROWS: '100' }, /LOGS_SEARCH_DEFAULT_ROWS=500 is above LOGS_SEARCH_MAX_ROWS=100/],
    [{ LOGS_ATHENA_OUTPUT_LOCATION: 'https://x' }, /expected s3:\/\/bucket\/prefix\//],
  ])('refuses search config %j', (env, message) => {
    expect(() => parseSearchConfig(env)).toThrow(message);
  });
});
