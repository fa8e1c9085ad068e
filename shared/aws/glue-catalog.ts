import {
  BatchCreatePartitionCommand,
  CreateDatabaseCommand,
  CreateTableCommand,
  GetDatabaseCommand,
  GetTableCommand,
  paginateGetTables,
  UpdateTableCommand,
  type GlueClient,
  type PartitionInput,
  type StorageDescriptor,
  type Table,
  type TableInput,
} from '@aws-sdk/client-glue';
import type { ExistingTable, PartitionDefinition, TableDefinition, TableStorage } from '../logs/catalog';
import { awsErrorName, isAlreadyExists, isNotFound } from './errors';
import { BATCH_CREATE_PARTITION_MAX, chunk, GET_TABLES_MAX } from './limits';

export type { ExistingTable };

/** One partition Glue did not create, with its error code (never AlreadyExists: that is success). */
export interface PartitionFailure {
  values: string[];
  code: string;
  message: string;
}

export interface PartitionBatchResult {
  created: number;
  existing: number;
  failed: PartitionFailure[];
  calls: number;
}

/** The Glue Data Catalog as the log catalogue speaks of it. */
export class GlueAdapter {
  constructor(private readonly glue: GlueClient) {}

  /** Create the database when it is missing; true when it was created. */
  async ensureDatabase(name: string, description: string): Promise<boolean> {
    try {
      await this.glue.send(new GetDatabaseCommand({ Name: name }));
      return false;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    try {
      await this.glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: name, Description: description } }));
      return true;
    } catch (err) {
      if (isAlreadyExists(err)) return false; // created meanwhile by someone else
      throw err;
    }
  }

  /** Every table of the database; none when the database does not exist (yet). */
  async listTables(database: string): Promise<ExistingTable[]> {
    const tables: ExistingTable[] = [];
    try {
      for await (const page of paginateGetTables({ client: this.glue, pageSize: GET_TABLES_MAX }, { DatabaseName: database })) {
        tables.push(...(page.TableList ?? []).map(toExisting));
      }
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    return tables;
  }

  /** Undefined when the table (or the database) does not exist. */
  async getTable(database: string, name: string): Promise<ExistingTable | undefined> {
    try {
      const out = await this.glue.send(new GetTableCommand({ DatabaseName: database, Name: name }));
      return out.Table ? toExisting(out.Table) : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** 'exists' when a table of that name appeared meanwhile (a concurrent run): not an error. */
  async createTable(database: string, table: TableDefinition): Promise<'created' | 'exists'> {
    try {
      await this.glue.send(new CreateTableCommand({ DatabaseName: database, TableInput: toTableInput(table) }));
      return 'created';
    } catch (err) {
      if (isAlreadyExists(err)) return 'exists';
      throw err;
    }
  }

  async updateTable(database: string, table: TableDefinition): Promise<void> {
    await this.glue.send(new UpdateTableCommand({ DatabaseName: database, TableInput: toTableInput(table) }));
  }

  /**
   * Create partitions of one table, at most 100 per call (BatchCreatePartition takes one
   * table per call). Per-entry AlreadyExists counts as existing; every other per-entry error,
   * and every entry of a call that failed as a whole (after the SDK's own retries), comes
   * back in `failed` — nothing is dropped and nothing throws.
   */
  async createPartitions(database: string, table: string, partitions: readonly PartitionDefinition[]): Promise<PartitionBatchResult> {
    const result: PartitionBatchResult = { created: 0, existing: 0, failed: [], calls: 0 };
    for (const batch of chunk(partitions, BATCH_CREATE_PARTITION_MAX)) {
      result.calls += 1;
      try {
        const out = await this.glue.send(
          new BatchCreatePartitionCommand({ DatabaseName: database, TableName: table, PartitionInputList: batch.map(toPartitionInput) }),
        );
        let notCreated = 0;
        for (const e of out.Errors ?? []) {
          notCreated += 1;
          const code = e.ErrorDetail?.ErrorCode ?? 'UnknownError';
          if (isAlreadyExists({ name: code })) result.existing += 1;
          else result.failed.push({ values: e.PartitionValues ?? [], code, message: e.ErrorDetail?.ErrorMessage ?? '' });
        }
        result.created += batch.length - notCreated;
      } catch (err) {
        const code = awsErrorName(err) ?? 'Error';
        const message = err instanceof Error ? err.message : String(err);
        result.failed.push(...batch.map((p) => ({ values: p.values, code, message })));
      }
    }
    return result;
  }
}

function toExisting(t: Table): ExistingTable {
  return {
    name: t.Name ?? '',
    ...(t.StorageDescriptor?.Location ? { location: t.StorageDescriptor.Location } : {}),
    parameters: t.Parameters ?? {},
    partitionKeys: (t.PartitionKeys ?? []).map((k) => (k.Name ?? '').toLowerCase()),
    columns: (t.StorageDescriptor?.Columns ?? []).map((c) => ({ name: (c.Name ?? '').toLowerCase(), type: c.Type ?? '' })),
    ...(t.StorageDescriptor ? { storage: fromStorageDescriptor(t.StorageDescriptor) } : {}),
  };
}

/** Our table as Glue's TableInput. */
export function toTableInput(t: TableDefinition): TableInput {
  return {
    Name: t.name,
    Description: t.description,
    TableType: t.tableType,
    Parameters: t.parameters,
    PartitionKeys: t.partitionKeys.map((k) => ({ Name: k.name, Type: k.type })),
    StorageDescriptor: toStorageDescriptor(t.storage),
  };
}

export function toPartitionInput(p: PartitionDefinition): PartitionInput {
  return { Values: p.values, ...(p.storage ? { StorageDescriptor: toStorageDescriptor(p.storage) } : {}) };
}

const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export function toStorageDescriptor(s: TableStorage): StorageDescriptor {
  return defined({
    Columns: s.columns.map((c) => ({ Name: c.name, Type: c.type })),
    Location: s.location,
    InputFormat: s.inputFormat,
    OutputFormat: s.outputFormat,
    Compressed: s.compressed,
    SerdeInfo: s.serde ? defined({ Name: s.serde.name, SerializationLibrary: s.serde.library, Parameters: s.serde.parameters }) : undefined,
    Parameters: s.parameters,
    BucketColumns: s.bucketColumns,
    NumberOfBuckets: s.numberOfBuckets,
    SortColumns: s.sortColumns?.map((c) => ({ Column: c.column, SortOrder: c.order })),
    StoredAsSubDirectories: s.storedAsSubDirectories,
  });
}

/** Glue's storage in our words; SkewedInfo and a schema-registry reference are not carried (no log table of ours has them). */
export function fromStorageDescriptor(d: StorageDescriptor): TableStorage {
  return defined({
    location: d.Location ?? '',
    columns: (d.Columns ?? []).map((c) => ({ name: c.Name ?? '', type: c.Type ?? '' })),
    inputFormat: d.InputFormat,
    outputFormat: d.OutputFormat,
    compressed: d.Compressed,
    serde: d.SerdeInfo
      ? defined({ name: d.SerdeInfo.Name, library: d.SerdeInfo.SerializationLibrary, parameters: d.SerdeInfo.Parameters })
      : undefined,
    parameters: d.Parameters,
    bucketColumns: d.BucketColumns,
    numberOfBuckets: d.NumberOfBuckets,
    sortColumns: d.SortColumns?.map((c) => ({ column: c.Column ?? '', order: c.SortOrder ?? 1 })),
    storedAsSubDirectories: d.StoredAsSubDirectories,
  });
}
