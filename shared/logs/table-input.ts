import type { PartitionInput, StorageDescriptor, TableInput } from '@aws-sdk/client-glue';
import type { CatalogSettings, Column } from './config';
import { datePath, partitionValues, type IsoDate } from './dates';

/**
 * The Glue shapes of our tables and partitions. Pure: the planner decides *which* tables and
 * partitions, these functions say what each one looks like.
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
export function storageDescriptor(columns: Column[], location: string): StorageDescriptor {
  return {
    Columns: columns.map((c) => ({ Name: c.name, Type: c.type })),
    Location: location,
    InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
    OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
    SerdeInfo: {
      SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
      // A line fluentd could not encode must not fail the whole query.
      Parameters: { 'ignore.malformed.json': 'true', 'serialization.format': '1' },
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

export function tableInput(spec: TableSpec, settings: Pick<CatalogSettings, 'projectionStartYear'>): TableInput {
  const origin = spec.family && spec.container ? `${spec.family}/${spec.container}` : spec.name;
  return {
    Name: spec.name,
    Description: `Container logs of ${origin} (fluentd JSON on S3), managed by ecs-steady`,
    TableType: 'EXTERNAL_TABLE',
    Parameters: {
      EXTERNAL: 'TRUE',
      classification: 'json',
      [MANAGED_MARKER]: 'true',
      ...(spec.family ? { [FAMILY_PARAM]: spec.family } : {}),
      ...(spec.container ? { [CONTAINER_PARAM]: spec.container } : {}),
      ...(spec.projection ? projectionParameters(spec.location, settings.projectionStartYear) : {}),
    },
    PartitionKeys: PARTITION_KEYS.map((k) => ({ Name: k, Type: 'int' })),
    StorageDescriptor: storageDescriptor(spec.columns, spec.location),
  };
}

/** One day's partition: the table's storage with the day's location, values as plain integers. */
export function partitionInput(table: { location: string; storage: StorageDescriptor }, date: IsoDate): PartitionInput {
  return {
    Values: partitionValues(date),
    StorageDescriptor: { ...table.storage, Location: `${table.location}${datePath(date)}` },
  };
}
