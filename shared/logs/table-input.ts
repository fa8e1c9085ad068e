import type { PartitionDefinition, TableDefinition, TableStorage } from './catalog';
import type { CatalogSettings, Column } from './config';
import { datePath, partitionValues, type IsoDate } from './dates';

/**
 * What our tables and partitions look like (in the catalogue's words: catalog.ts). Pure: the
 * planner decides *which* tables and partitions, these functions say what each one looks like.
 */

/** Table parameter that marks a table as ours; tables without it are never changed unless configured. */
export const MANAGED_MARKER = 'ecs_steady_managed';
export const FAMILY_PARAM = 'ecs_steady_family';
export const CONTAINER_PARAM = 'ecs_steady_container';

export const PARTITION_KEYS = ['year', 'month', 'day'] as const;

/** fluentd's JSON lines: `time` and `log` plus the configured extra fields. */
export function columnsFor(settings: Pick<CatalogSettings, 'extraColumns'>): Column[] {
  return [{ name: 'time', type: 'string' }, { name: 'log', type: 'string' }, ...settings.extraColumns];
}

/** `s3://bucket/prefix/family/container/` — ECS names as written, since fluentd writes them so. */
export function locationFor(settings: Pick<CatalogSettings, 'bucket' | 'prefix'>, family: string, container: string): string {
  const prefix = settings.prefix ? `${settings.prefix}/` : '';
  return `s3://${settings.bucket}/${prefix}${family}/${container}/`;
}

export function isManaged(parameters: Record<string, string> | undefined): boolean {
  return parameters?.[MANAGED_MARKER] === 'true';
}

export function isProjected(parameters: Record<string, string> | undefined): boolean {
  return parameters?.['projection.enabled'] === 'true';
}

export function wantsProjection(settings: Pick<CatalogSettings, 'projectionTables'>, table: string): boolean {
  return settings.projectionTables === 'all' || settings.projectionTables.has(table);
}

/**
 * Partition projection: Athena computes partitions from these properties and the location
 * template, so no Glue partitions are needed — but only Athena sees them (Glue jobs, Spark,
 * Redshift Spectrum do not). https://docs.aws.amazon.com/athena/latest/ug/partition-projection.html
 */
export function projectionParameters(location: string, startYear: number): Record<string, string> {
  return {
    'projection.enabled': 'true',
    'projection.year.type': 'integer',
    'projection.year.range': `${startYear},2100`,
    'projection.month.type': 'integer',
    'projection.month.range': '1,12',
    'projection.month.digits': '2',
    'projection.day.type': 'integer',
    'projection.day.range': '1,31',
    'projection.day.digits': '2',
    'storage.location.template': `${location}\${year}/\${month}/\${day}/`,
  };
}

/** The storage of one table (and of each of its partitions, with their own location). */
export function tableStorage(columns: Column[], location: string): TableStorage {
  return {
    columns: columns.map((c) => ({ name: c.name, type: c.type })),
    location,
    inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
    outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
    serde: {
      library: 'org.openx.data.jsonserde.JsonSerDe',
      // A line fluentd could not encode must not fail the whole query.
      parameters: { 'ignore.malformed.json': 'true', 'serialization.format': '1' },
    },
  };
}

export interface TableSpec {
  name: string;
  location: string;
  columns: Column[];
  projection: boolean;
  family?: string;
  container?: string;
}

export function tableDefinition(spec: TableSpec, settings: Pick<CatalogSettings, 'projectionStartYear'>): TableDefinition {
  const origin = spec.family && spec.container ? `${spec.family}/${spec.container}` : spec.name;
  return {
    name: spec.name,
    description: `Container logs of ${origin} (fluentd JSON on S3), managed by ecs-steady`,
    tableType: 'EXTERNAL_TABLE',
    parameters: {
      EXTERNAL: 'TRUE',
      classification: 'json',
      [MANAGED_MARKER]: 'true',
      ...(spec.family ? { [FAMILY_PARAM]: spec.family } : {}),
      ...(spec.container ? { [CONTAINER_PARAM]: spec.container } : {}),
      ...(spec.projection ? projectionParameters(spec.location, settings.projectionStartYear) : {}),
    },
    partitionKeys: PARTITION_KEYS.map((k) => ({ name: k, type: 'int' })),
    storage: tableStorage(spec.columns, spec.location),
  };
}

/** One day's partition: the table's storage with the day's location, values as plain integers. */
export function partitionDefinition(table: { location: string; storage: TableStorage }, date: IsoDate): PartitionDefinition {
  return { values: partitionValues(date), storage: { ...table.storage, location: `${table.location}${datePath(date)}` } };
}
