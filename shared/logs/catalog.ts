import type { Column } from './config';

/**
 * The log catalogue's own words for what Glue stores. Planners and the run speak these; the Glue
 * adapter (aws/glue-catalog.ts) maps them to and from the SDK's TableInput, PartitionInput and
 * StorageDescriptor, so no SDK shape crosses the port.
 */

/**
 * How a table's (or one partition's) files are stored. A foreign table's storage is copied into
 * each of its partitions, so everything Glue keeps there that a partition can carry is kept here.
 */
export interface TableStorage {
  location: string;
  /** As Glue has them (names not lower-cased: a copy must not rename a column). */
  columns: Column[];
  inputFormat?: string;
  outputFormat?: string;
  compressed?: boolean;
  serde?: { name?: string; library?: string; parameters?: Record<string, string> };
  parameters?: Record<string, string>;
  bucketColumns?: string[];
  numberOfBuckets?: number;
  sortColumns?: Array<{ column: string; order: number }>;
  storedAsSubDirectories?: boolean;
}

/** A table to create, or the whole of one to update. */
export interface TableDefinition {
  name: string;
  description: string;
  tableType: string;
  parameters: Record<string, string>;
  partitionKeys: Column[];
  storage: TableStorage;
}

/** One partition: its key values (year, month, day) and, usually, its storage. */
export interface PartitionDefinition {
  values: string[];
  storage?: TableStorage;
}

/** A table as the catalogue has it (names lower-cased, as Athena sees them). */
export interface ExistingTable {
  name: string;
  location?: string;
  parameters: Record<string, string>;
  partitionKeys: string[];
  columns: Array<{ name: string; type: string }>;
  storage?: TableStorage;
}
