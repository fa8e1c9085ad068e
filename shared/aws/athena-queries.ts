import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type AthenaClient,
  type Row,
} from '@aws-sdk/client-athena';
import { GET_QUERY_RESULTS_MAX } from './limits';

/** A query that Athena ran and that ended FAILED or CANCELLED; the message is Athena's reason. */
export class QueryFailedError extends Error {
  override readonly name = 'QueryFailedError';
  constructor(
    readonly queryExecutionId: string,
    readonly state: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Athena query ${queryExecutionId} ${state}: ${reason}`, options);
  }
}

export type QueryState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface QueryStatus {
  id: string;
  state: QueryState;
  /** The workgroup the query ran in. */
  workGroup?: string;
  reason?: string;
  dataScannedBytes: number;
  runTimeMs: number;
  /** Where Athena wrote the full result (CSV), for results too big to return. */
  outputLocation?: string;
}

export interface StartQuery {
  sql: string;
  parameters: string[];
  database: string;
  workgroup: string;
  outputLocation?: string;
}

export interface QueryRows {
  columns: string[];
  rows: Array<Record<string, string | null>>;
  /** True when rows were left out (row limit or byte budget). */
  truncated: boolean;
}

export const isFinished = (state: QueryState) => state === 'SUCCEEDED' || state === 'FAILED' || state === 'CANCELLED';

/** Athena the way logSearch speaks of it. */
export class AthenaAdapter {
  constructor(private readonly athena: AthenaClient) {}

  async start(q: StartQuery): Promise<string> {
    const out = await this.athena.send(
      new StartQueryExecutionCommand({
        QueryString: q.sql,
        ...(q.parameters.length > 0 ? { ExecutionParameters: q.parameters } : {}),
        QueryExecutionContext: { Database: q.database, Catalog: 'AwsDataCatalog' },
        WorkGroup: q.workgroup,
        ...(q.outputLocation ? { ResultConfiguration: { OutputLocation: q.outputLocation } } : {}),
      }),
    );
    if (!out.QueryExecutionId) throw new Error('StartQueryExecution returned no QueryExecutionId');
    return out.QueryExecutionId;
  }

  async status(id: string): Promise<QueryStatus> {
    const out = await this.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    const q = out.QueryExecution;
    return {
      id,
      state: (q?.Status?.State ?? 'QUEUED') as QueryState,
      ...(q?.WorkGroup ? { workGroup: q.WorkGroup } : {}),
      ...(q?.Status?.StateChangeReason ? { reason: q.Status.StateChangeReason } : {}),
      dataScannedBytes: q?.Statistics?.DataScannedInBytes ?? 0,
      runTimeMs: q?.Statistics?.TotalExecutionTimeInMillis ?? 0,
      ...(q?.ResultConfiguration?.OutputLocation ? { outputLocation: q.ResultConfiguration.OutputLocation } : {}),
    };
  }

  /**
   * Page through GetQueryResults (≤1000 rows a call; page 1 starts with the header row) until
   * `maxRows` rows or `maxBytes` of row data, whichever comes first.
   */
  async results(id: string, limits: { maxRows: number; maxBytes: number }): Promise<QueryRows> {
    let columns: string[] | undefined;
    const rows: QueryRows['rows'] = [];
    let bytes = 0;
    let token: string | undefined;
    let first = true;
    do {
      const want = Math.min(GET_QUERY_RESULTS_MAX, limits.maxRows - rows.length + (first ? 1 : 0));
      const out = await this.athena.send(
        new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: want, ...(token ? { NextToken: token } : {}) }),
      );
      columns ??= (out.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name ?? '');
      const page = out.ResultSet?.Rows ?? [];
      for (const [i, raw] of page.entries()) {
        if (first && i === 0) continue; // header row
        const row = toRecord(columns, raw);
        bytes += Buffer.byteLength(JSON.stringify(row));
        if (rows.length >= limits.maxRows || bytes > limits.maxBytes) return { columns, rows, truncated: true };
        rows.push(row);
      }
      first = false;
      token = out.NextToken;
    } while (token && rows.length < limits.maxRows);
    return { columns: columns ?? [], rows, truncated: token !== undefined };
  }
}

function toRecord(columns: string[], row: Row): Record<string, string | null> {
  const data = row.Data ?? [];
  return Object.fromEntries(columns.map((c, i) => [c, data[i]?.VarCharValue ?? null]));
}
