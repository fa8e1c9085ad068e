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
  .refine(isAthenaName, 'expected lower-case letters, digits and underscores')
  .describe('Glue database of the log tables; created when missing.');

const bucket = z
  .string({ message: 'required: the S3 bucket fluentd writes container logs to (param logsBucket)' })
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name')
  .describe('S3 bucket fluentd writes container logs to.');

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
  })
  .describe('JSON fields besides `time` and `log`, as `name[:type]` (string, int, bigint, double, boolean, timestamp).');

/** Exported (with searchEnv) so docs/configuration.md is generated from them (scripts/config-reference.ts). */
export const partitionsEnv = z.object({
  LOGS_DATABASE: database,
  LOGS_BUCKET: bucket,
  LOGS_PREFIX: z
    .string()
    .optional()
    .transform((v) => (v ?? 'logs').replace(/^\/+|\/+$/g, ''))
    .describe('Key prefix before `<family>/`; `/` = the bucket root (an empty value counts as unset).'),
  LOGS_TIME_ZONE: z
    .string()
    .optional()
    .transform((v) => v ?? 'UTC')
    .refine(isValidTimeZone, 'expected an IANA time zone such as Europe/Berlin')
    .describe('IANA time zone that decides which date is "today".'),
  LOGS_LOG_DRIVERS: envList()
    .transform((v) => (v.length > 0 ? v : ['fluentd', 'awsfirelens']))
    .describe('Containers logging with these drivers get a table.'),
  LOGS_EXTRA_COLUMNS: extraColumns,
  LOGS_MANAGE_FOREIGN_TABLES: envBool(false).describe('Also add partitions to year/month/day tables ecs-steady did not create.'),
  LOGS_PROJECTION_TABLES: envList().describe(
    'Tables (or `*`) in partition-projection mode: no partitions are created, and only Athena sees the partitions.',
  ),
  LOGS_PROJECTION_START_YEAR: envInt(2018, 1970, 2100).describe('First year a partition projection covers.'),
  LOGS_BACKFILL_MAX_DAYS: envInt(92, 1, 731).describe('Longest backfill range of one invocation (days).'),
  LOGS_CONCURRENCY: envInt(8, 1, 32).describe('ECS and Glue calls in flight.'),
  LOGS_PARTITION_RETRIES: envInt(3, 0, 10).describe('Further rounds for the partitions that failed (only the failed entries are re-sent).'),
  DRY_RUN: envBool(false).describe('Plan and report only: no database, table or partition is written.'),
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

export const searchEnv = z.object({
  LOGS_DATABASE: database,
  LOGS_BUCKET: bucket.optional(),
  LOGS_ATHENA_WORKGROUP: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,128}$/, 'expected an Athena workgroup name')
    .optional()
    .describe('Athena workgroup the queries run in (the stack creates its own); unset = primary.'),
  LOGS_ATHENA_OUTPUT_LOCATION: z
    .string()
    .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, 'expected s3://bucket/prefix/')
    .optional()
    .describe('Where query results are written; unset = `s3://<LOGS_BUCKET>/athena-results/`.'),
  LOGS_SEARCH_MAX_DAYS: envInt(31, 1, 92).describe('Longest date range of one search (days).'),
  LOGS_SEARCH_MAX_ROWS: envInt(1000, 1, 10_000).describe('Largest `limit` a search may ask for.'),
  LOGS_SEARCH_DEFAULT_ROWS: envInt(100, 1, 10_000).describe('`limit` when a search gives none; at most LOGS_SEARCH_MAX_ROWS.'),
  LOGS_SEARCH_MAX_WAIT_SECONDS: envInt(60, 1, 840).describe(
    'Longest wait for a query inside one invocation (keep it at most the function timeout minus 15 s); a query still running returns its id.',
  ),
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
