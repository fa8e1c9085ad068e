import * as z from 'zod';
import { envBool, envInt, envList, parseEnv } from '../lambda/env';
import { ConfigError } from '../lambda/errors';
import { isValidTimeZone } from './dates';
import { isAthenaName, isColumnName } from './naming';

/** Column types we allow for the configured extra fields (Athena/Hive primitive types). */
const COLUMN_TYPES = ['string', 'int', 'bigint', 'double', 'boolean', 'timestamp'] as const;

export interface Column {
  name: string;
  type: string;
}

/** What the table and partition planners need to know. */
export interface CatalogSettings {
  database: string;
  bucket: string;
  /** Key prefix without leading or trailing slash; '' = families at the bucket root. */
  prefix: string;
  /** Columns besides `time` and `log`. */
  extraColumns: Column[];
  /** Add partitions to tables in the database that ecs-steady did not create. */
  manageForeignTables: boolean;
  /** Table names in partition-projection mode; `all` = every table ecs-steady manages. */
  projectionTables: ReadonlySet<string> | 'all';
  projectionStartYear: number;
}

export interface PartitionsConfig extends CatalogSettings {
  timeZone: string;
  logDrivers: string[];
  backfillMaxDays: number;
  concurrency: number;
  /** Further rounds for partitions that failed with an error other than AlreadyExists. */
  partitionRetries: number;
  dryRun: boolean;
}

export interface SearchConfig {
  database: string;
  workgroup: string;
  /** Undefined = the workgroup's own result location. */
  outputLocation?: string;
  maxDays: number;
  maxRows: number;
  defaultRows: number;
  maxWaitMs: number;
}

const database = z
  .string()
  .optional()
  .transform((v) => v ?? 'container_logs')
  .refine(isAthenaName, 'expected lower-case letters, digits and underscores');

const bucket = z
  .string({ message: 'required: the S3 bucket fluentd writes container logs to (param logsBucket)' })
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name');

const extraColumns = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const items = (v ?? 'container_id,container_name,source').split(/[\s,]+/).filter((s) => s.length > 0);
    const columns: Column[] = [];
    for (const item of items) {
      const [name = '', type = 'string'] = item.split(':');
      if (!isColumnName(name) || ['time', 'log', 'year', 'month', 'day'].includes(name)) {
        ctx.addIssue({
          code: 'custom',
          message: `bad column name ${JSON.stringify(name)} (lower-case letters, digits, _; not time/log/year/month/day)`,
        });
      } else if (!(COLUMN_TYPES as readonly string[]).includes(type)) {
        ctx.addIssue({ code: 'custom', message: `column ${name}: type must be one of ${COLUMN_TYPES.join(', ')}` });
      } else if (!columns.some((c) => c.name === name)) {
        columns.push({ name, type });
      }
    }
    return columns;
  });

const partitionsEnv = z.object({
  LOGS_DATABASE: database,
  LOGS_BUCKET: bucket,
  LOGS_PREFIX: z
    .string()
    .optional()
    .transform((v) => (v ?? 'logs').replace(/^\/+|\/+$/g, '')),
  LOGS_TIME_ZONE: z
    .string()
    .optional()
    .transform((v) => v ?? 'UTC')
    .refine(isValidTimeZone, 'expected an IANA time zone such as Europe/Berlin'),
  LOGS_LOG_DRIVERS: envList().transform((v) => (v.length > 0 ? v : ['fluentd', 'awsfirelens'])),
  LOGS_EXTRA_COLUMNS: extraColumns,
  LOGS_MANAGE_FOREIGN_TABLES: envBool(false),
  LOGS_PROJECTION_TABLES: envList(),
  LOGS_PROJECTION_START_YEAR: envInt(2018, 1970, 2100),
  LOGS_BACKFILL_MAX_DAYS: envInt(92, 1, 731),
  LOGS_CONCURRENCY: envInt(8, 1, 32),
  LOGS_PARTITION_RETRIES: envInt(3, 0, 10),
  DRY_RUN: envBool(false),
});

export function parsePartitionsConfig(env: NodeJS.ProcessEnv = process.env): PartitionsConfig {
  const e = parseEnv(partitionsEnv, env);
  return {
    database: e.LOGS_DATABASE,
    bucket: e.LOGS_BUCKET,
    prefix: e.LOGS_PREFIX,
    timeZone: e.LOGS_TIME_ZONE,
    logDrivers: e.LOGS_LOG_DRIVERS,
    extraColumns: e.LOGS_EXTRA_COLUMNS,
    manageForeignTables: e.LOGS_MANAGE_FOREIGN_TABLES,
    projectionTables: e.LOGS_PROJECTION_TABLES.includes('*') ? 'all' : new Set(e.LOGS_PROJECTION_TABLES),
    projectionStartYear: e.LOGS_PROJECTION_START_YEAR,
    backfillMaxDays: e.LOGS_BACKFILL_MAX_DAYS,
    concurrency: e.LOGS_CONCURRENCY,
    partitionRetries: e.LOGS_PARTITION_RETRIES,
    dryRun: e.DRY_RUN,
  };
}

const searchEnv = z.object({
  LOGS_DATABASE: database,
  LOGS_BUCKET: bucket.optional(),
  LOGS_ATHENA_WORKGROUP: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,128}$/, 'expected an Athena workgroup name')
    .optional(),
  LOGS_ATHENA_OUTPUT_LOCATION: z
    .string()
    .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, 'expected s3://bucket/prefix/')
    .optional(),
  LOGS_SEARCH_MAX_DAYS: envInt(31, 1, 92),
  LOGS_SEARCH_MAX_ROWS: envInt(1000, 1, 10_000),
  LOGS_SEARCH_DEFAULT_ROWS: envInt(100, 1, 10_000),
  LOGS_SEARCH_MAX_WAIT_SECONDS: envInt(60, 1, 840),
});

export function parseSearchConfig(env: NodeJS.ProcessEnv = process.env): SearchConfig {
  const e = parseEnv(searchEnv, env);
  if (e.LOGS_SEARCH_DEFAULT_ROWS > e.LOGS_SEARCH_MAX_ROWS) {
    throw new ConfigError(
      `invalid configuration: LOGS_SEARCH_DEFAULT_ROWS=${e.LOGS_SEARCH_DEFAULT_ROWS} is above LOGS_SEARCH_MAX_ROWS=${e.LOGS_SEARCH_MAX_ROWS}`,
    );
  }
  const outputLocation = e.LOGS_ATHENA_OUTPUT_LOCATION ?? (e.LOGS_BUCKET ? `s3://${e.LOGS_BUCKET}/athena-results/` : undefined);
  return {
    database: e.LOGS_DATABASE,
    workgroup: e.LOGS_ATHENA_WORKGROUP ?? 'primary',
    ...(outputLocation ? { outputLocation } : {}),
    maxDays: e.LOGS_SEARCH_MAX_DAYS,
    maxRows: e.LOGS_SEARCH_MAX_ROWS,
    defaultRows: e.LOGS_SEARCH_DEFAULT_ROWS,
    maxWaitMs: e.LOGS_SEARCH_MAX_WAIT_SECONDS * 1000,
  };
}
