import {
  AlreadyExistsException,
  EntityNotFoundException,
  InvalidInputException,
  type Partition,
  type PartitionInput,
  type Table,
  type TableInput,
} from '@aws-sdk/client-glue';
import type { OperationTable, SimService, SimulatedAccount } from './account';
import { simError } from './errors';
import { GLUE_BATCH_CREATE_PARTITION_MAX, GLUE_GET_PARTITIONS_MAX_RESULTS, GLUE_GET_TABLES_MAX_RESULTS, validationText } from './limits';

interface SimTable {
  table: Table;
  partitions: Map<string, Partition>;
}

interface SimDatabase {
  name: string;
  createTime: Date;
  tables: Map<string, SimTable>;
}

interface PartitionFault {
  when: (table: string, values: string[]) => boolean;
  code: string;
  message: string;
  remaining: number;
}

const meta = { httpStatusCode: 400 };
const notFound = (message: string) => new EntityNotFoundException({ message, Message: message, $metadata: meta });
const exists = (message: string) => new AlreadyExistsException({ message, Message: message, $metadata: meta });
const invalid = (message: string) => new InvalidInputException({ message, Message: message, $metadata: meta });
const tooLong = (field: string, max: number, size: number) => simError('ValidationException', validationText.tooLong(field, max, size));
/** MaxResults outside 1..max (both ends are model constraints). */
function checkMaxResults(value: number, max: number): void {
  if (value > max) throw simError('ValidationException', validationText.tooLarge('maxResults', value, max));
  if (value < 1) throw simError('ValidationException', validationText.tooSmall('maxResults', value, 1));
}

const keyOf = (values: readonly string[]) => JSON.stringify(values);

/**
 * Glue Data Catalog: databases, tables, partitions. Names are stored lower-case, as Glue does.
 * Per-entry BatchCreatePartition failures can be injected with `failPartitions`.
 */
export class SimGlue implements SimService {
  readonly databases = new Map<string, SimDatabase>();
  private partitionFaults: PartitionFault[] = [];

  constructor(readonly account: SimulatedAccount) {}

  // ----- seeding and inspection (tests) -----

  seedDatabase(name: string): void {
    if (!this.databases.has(name)) this.databases.set(name, { name, createTime: new Date(this.account.clock.now()), tables: new Map() });
  }

  /** Put a table as someone else made it (e.g. a table ecs-steady did not create). */
  seedTable(database: string, input: TableInput): void {
    this.seedDatabase(database);
    this.db(database).tables.set(input.Name!.toLowerCase(), { table: this.toTable(database, input), partitions: new Map() });
  }

  table(database: string, name: string): Table | undefined {
    const t = this.databases.get(database)?.tables.get(name);
    return t ? structuredClone(t.table) : undefined;
  }

  tableNames(database: string): string[] {
    return [...(this.databases.get(database)?.tables.keys() ?? [])].sort();
  }

  partitions(database: string, table: string): Partition[] {
    return [...(this.databases.get(database)?.tables.get(table)?.partitions.values() ?? [])].map((p) => structuredClone(p));
  }

  partitionCount(database: string): number {
    let n = 0;
    for (const t of this.databases.get(database)?.tables.values() ?? []) n += t.partitions.size;
    return n;
  }

  /** The next `times` BatchCreatePartition entries matching `when` fail with `code` (per entry, not the call). */
  failPartitions(
    when: (table: string, values: string[]) => boolean,
    code: string,
    options: { times?: number; message?: string } = {},
  ): void {
    this.partitionFaults.push({ when, code, message: options.message ?? `${code} (simulated)`, remaining: options.times ?? 1 });
  }

  /** Each matching entry fails once with `code`, then succeeds. */
  failPartitionsOnce(when: (table: string, values: string[]) => boolean, code: string): void {
    const seen = new Set<string>();
    this.partitionFaults.push({
      when: (table, values) => {
        const key = `${table}${keyOf(values)}`;
        if (!when(table, values) || seen.has(key)) return false;
        seen.add(key);
        return true;
      },
      code,
      message: `${code} (simulated)`,
      remaining: Number.POSITIVE_INFINITY,
    });
  }

  // ----- the API -----

  operations(): OperationTable {
    return {
      GetDatabase: (input: { Name: string }) => {
        const d = this.db(input.Name);
        return { Database: { Name: d.name, CreateTime: d.createTime, CatalogId: this.account.accountId } };
      },
      CreateDatabase: (input: { DatabaseInput: { Name: string } }) => {
        const name = input.DatabaseInput.Name.toLowerCase();
        if (this.databases.has(name)) throw exists(`Database already exists.`);
        this.seedDatabase(name);
        return {};
      },
      GetTables: (input: { DatabaseName: string; Expression?: string; NextToken?: string; MaxResults?: number }) => {
        const size = input.MaxResults ?? GLUE_GET_TABLES_MAX_RESULTS;
        checkMaxResults(size, GLUE_GET_TABLES_MAX_RESULTS);
        const filter = input.Expression ? new RegExp(`^(?:${input.Expression})$`) : undefined;
        const all = [...this.db(input.DatabaseName).tables.values()].map((t) => t.table).filter((t) => !filter || filter.test(t.Name!));
        return this.page(all, input.NextToken, size, 'TableList');
      },
      GetTable: (input: { DatabaseName: string; Name: string }) => ({ Table: this.simTable(input.DatabaseName, input.Name).table }),
      CreateTable: (input: { DatabaseName: string; TableInput: TableInput }) => {
        const d = this.db(input.DatabaseName);
        const name = this.nameOf(input.TableInput);
        if (d.tables.has(name)) throw exists(`Table already exists.`);
        d.tables.set(name, { table: this.toTable(d.name, input.TableInput), partitions: new Map() });
        return {};
      },
      UpdateTable: (input: { DatabaseName: string; TableInput: TableInput }) => {
        const t = this.simTable(input.DatabaseName, this.nameOf(input.TableInput));
        t.table = { ...this.toTable(input.DatabaseName.toLowerCase(), input.TableInput), CreateTime: t.table.CreateTime };
        return {};
      },
      BatchCreatePartition: (input: { DatabaseName: string; TableName: string; PartitionInputList?: PartitionInput[] }) =>
        this.batchCreatePartition(input.DatabaseName, input.TableName, input.PartitionInputList ?? []),
      GetPartitions: (input: { DatabaseName: string; TableName: string; Expression?: string; NextToken?: string; MaxResults?: number }) => {
        const size = input.MaxResults ?? GLUE_GET_PARTITIONS_MAX_RESULTS;
        checkMaxResults(size, GLUE_GET_PARTITIONS_MAX_RESULTS);
        const t = this.simTable(input.DatabaseName, input.TableName);
        const keys = (t.table.PartitionKeys ?? []).map((k) => k.Name!.toLowerCase());
        const match = input.Expression ? parseExpression(input.Expression, keys) : () => true;
        const all = [...t.partitions.values()].filter((p) => match(p.Values ?? []));
        return this.page(all, input.NextToken, size, 'Partitions');
      },
    };
  }

  private batchCreatePartition(database: string, tableName: string, entries: PartitionInput[]) {
    if (entries.length > GLUE_BATCH_CREATE_PARTITION_MAX)
      throw tooLong('partitionInputList', GLUE_BATCH_CREATE_PARTITION_MAX, entries.length);
    const t = this.simTable(database, tableName);
    const keyCount = t.table.PartitionKeys?.length ?? 0;
    const errors: Array<{ PartitionValues: string[]; ErrorDetail: { ErrorCode: string; ErrorMessage: string } }> = [];
    const fail = (values: string[], code: string, message: string) =>
      errors.push({ PartitionValues: values, ErrorDetail: { ErrorCode: code, ErrorMessage: message } });
    for (const entry of entries) {
      const values = entry.Values ?? [];
      const fault = this.takePartitionFault(t.table.Name!, values);
      if (fault) fail(values, fault.code, fault.message);
      else if (values.length !== keyCount)
        fail(
          values,
          'InvalidInputException',
          `The number of partition values (${values.length}) does not match the number of partition keys (${keyCount}).`,
        );
      else if (t.partitions.has(keyOf(values))) fail(values, 'AlreadyExistsException', 'Partition already exists.');
      else {
        const now = new Date(this.account.clock.now());
        t.partitions.set(keyOf(values), {
          ...structuredClone(entry),
          DatabaseName: database,
          TableName: t.table.Name,
          CreationTime: now,
          CatalogId: this.account.accountId,
        });
      }
    }
    return errors.length > 0 ? { Errors: errors } : {};
  }

  private takePartitionFault(table: string, values: string[]): PartitionFault | undefined {
    const fault = this.partitionFaults.find((f) => f.remaining > 0 && f.when(table, values));
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.partitionFaults.splice(this.partitionFaults.indexOf(fault), 1);
    return fault;
  }

  private page<T, K extends string>(all: T[], token: string | undefined, size: number, key: K) {
    const start = token === undefined ? 0 : Number(token);
    if (!Number.isInteger(start) || start < 0) throw invalid('Invalid NextToken.');
    const items = all.slice(start, start + size);
    const next = start + size < all.length ? String(start + size) : undefined;
    return { [key]: items, ...(next ? { NextToken: next } : {}) } as Record<K, T[]> & { NextToken?: string };
  }

  private db(name: string): SimDatabase {
    const d = this.databases.get(name.toLowerCase());
    if (!d) throw notFound(`Database ${name} not found.`);
    return d;
  }

  private simTable(database: string, name: string): SimTable {
    const t = this.db(database).tables.get(name.toLowerCase());
    if (!t) throw notFound(`Table ${name} not found.`);
    return t;
  }

  private nameOf(input: TableInput): string {
    if (!input?.Name) throw invalid('TableInput.Name is required.');
    return input.Name.toLowerCase();
  }

  private toTable(database: string, input: TableInput): Table {
    const now = new Date(this.account.clock.now());
    return {
      ...structuredClone(input),
      Name: input.Name!.toLowerCase(),
      DatabaseName: database,
      CreateTime: now,
      UpdateTime: now,
      CatalogId: this.account.accountId,
    } as Table;
  }
}

/**
 * The subset of Glue's partition expressions the simulator understands: `key = value`
 * conjunctions and `key in (v1, v2)` (values quoted or not). Anything else is refused
 * loudly rather than answered wrongly.
 */
function parseExpression(expression: string, keys: string[]): (values: string[]) => boolean {
  const terms = expression.split(/\s+and\s+/i).map((term) => {
    const eq = /^\s*(\w+)\s*=\s*'?([^']*?)'?\s*$/.exec(term);
    const inList = /^\s*(\w+)\s+in\s*\(([^)]*)\)\s*$/i.exec(term);
    const key = (eq?.[1] ?? inList?.[1])?.toLowerCase();
    const index = key === undefined ? -1 : keys.indexOf(key);
    if (index < 0) throw invalid(`Unsupported expression (simulator): ${expression}`);
    const allowed = eq ? [eq[2]!] : inList![2]!.split(',').map((v) => v.trim().replace(/^'|'$/g, ''));
    return (values: string[]) => allowed.includes(values[index] ?? '');
  });
  return (values) => terms.every((t) => t(values));
}
