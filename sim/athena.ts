import { InvalidRequestException, type QueryExecutionState } from '@aws-sdk/client-athena';
import type { OperationTable, SimService, SimulatedAccount } from './account';
import { simError } from './errors';
import { ATHENA_GET_QUERY_RESULTS_MAX, validationText } from './limits';

export type ResultRow = Record<string, string | null>;
/** What a query answers: rows (and optionally their columns and the bytes it "scanned"). */
export interface QueryAnswer {
  rows: ResultRow[];
  columns?: string[];
  dataScannedBytes?: number;
}
/** Execution parameters as Athena reads them: a quoted string literal becomes its text, a number a number. */
export type DecodedParameter = string | number;
export type Answerer = (queryString: string, parameters: DecodedParameter[]) => QueryAnswer | ResultRow[];

export interface SimQueryExecution {
  id: string;
  queryString: string;
  executionParameters?: string[];
  workGroup: string;
  outputLocation?: string;
  database?: string;
  state: QueryExecutionState;
  reason?: string;
  submittedAt: number;
  completedAt?: number;
  columns: string[];
  rows: ResultRow[];
  dataScannedBytes: number;
}

interface StartInput {
  QueryString?: string;
  ExecutionParameters?: string[];
  WorkGroup?: string;
  ResultConfiguration?: { OutputLocation?: string };
  QueryExecutionContext?: { Database?: string };
}

type Outcome = { kind: 'fail'; reason: string } | { kind: 'hang' };

const meta = { httpStatusCode: 400 };
const badRequest = (message: string) => new InvalidRequestException({ message, Message: message, $metadata: meta });

/**
 * Athena query executions: QUEUED → RUNNING → SUCCEEDED over simulated time, answered by
 * `answerWith`. Execution parameters are checked the way Athena reads them (one per `?`,
 * each a literal), so a query that would splice text into SQL cannot pass unnoticed.
 */
export class SimAthena implements SimService {
  readonly executions = new Map<string, SimQueryExecution>();
  /** Workgroups and their enforced result location (`primary` has none, as in a new account). */
  readonly workGroups = new Map<string, { outputLocation?: string }>([['primary', {}]]);
  timing = { queuedMs: 300, runningMs: 2_000 };
  private answerer: Answerer = () => [];
  private outcomes: Outcome[] = [];

  constructor(readonly account: SimulatedAccount) {}

  answerWith(answerer: Answerer): void {
    this.answerer = answerer;
  }

  /** The next query ends FAILED with this reason. */
  failNextQuery(reason = 'HIVE_CURSOR_ERROR: simulated failure'): void {
    this.outcomes.push({ kind: 'fail', reason });
  }

  /** The next query starts RUNNING and never finishes. */
  hangNextQuery(): void {
    this.outcomes.push({ kind: 'hang' });
  }

  lastExecution(): SimQueryExecution | undefined {
    return [...this.executions.values()].pop();
  }

  operations(): OperationTable {
    return {
      StartQueryExecution: (input: StartInput) => this.start(input),
      GetQueryExecution: (input: { QueryExecutionId: string }) => ({
        QueryExecution: this.describe(this.execution(input.QueryExecutionId)),
      }),
      GetQueryResults: (input: { QueryExecutionId: string; NextToken?: string; MaxResults?: number }) => this.results(input),
    };
  }

  private start(input: StartInput) {
    const queryString = input.QueryString ?? '';
    if (queryString.trim() === '') throw badRequest('QueryString is required.');
    const workGroup = input.WorkGroup ?? 'primary';
    const wg = this.workGroups.get(workGroup);
    if (!wg) throw badRequest(`WorkGroup ${workGroup} is not found.`);
    const outputLocation = wg.outputLocation ?? input.ResultConfiguration?.OutputLocation;
    if (!outputLocation) {
      throw badRequest(
        'No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.',
      );
    }
    const params = input.ExecutionParameters;
    const placeholders = countPlaceholders(queryString);
    if ((params?.length ?? 0) !== placeholders) {
      throw badRequest(
        `The number of execution parameters (${params?.length ?? 0}) does not match the number of parameters in the query (${placeholders}).`,
      );
    }
    const n = parseInt(this.account.nextId(), 16);
    const id = `5e1a0000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
    const now = this.account.clock.now();
    const exec: SimQueryExecution = {
      id,
      queryString,
      ...(params ? { executionParameters: params } : {}),
      workGroup,
      outputLocation,
      ...(input.QueryExecutionContext?.Database ? { database: input.QueryExecutionContext.Database } : {}),
      state: 'QUEUED',
      submittedAt: now,
      columns: [],
      rows: [],
      dataScannedBytes: 0,
    };
    this.executions.set(id, exec);
    const outcome = this.outcomes.shift();
    this.account.at(now + this.timing.queuedMs, () => (exec.state = 'RUNNING'));
    const doneAt = now + this.timing.queuedMs + this.timing.runningMs;
    if (outcome?.kind !== 'hang') this.account.at(doneAt, () => this.finish(exec, outcome, doneAt));
    return { QueryExecutionId: id };
  }

  /** Applied on the first call after `at` (the account runs due events lazily), dated `at`. */
  private finish(exec: SimQueryExecution, outcome: Outcome | undefined, at: number): void {
    exec.completedAt = at;
    if (outcome?.kind === 'fail') {
      exec.state = 'FAILED';
      exec.reason = outcome.reason;
      return;
    }
    const decoded = (exec.executionParameters ?? []).map(decodeLiteral);
    const bad = decoded.findIndex((d) => d === undefined);
    if (bad >= 0) {
      exec.state = 'FAILED';
      exec.reason = `INVALID_EXECUTION_PARAMETER: parameter ${bad + 1} is not a literal: ${exec.executionParameters![bad]}`;
      return;
    }
    const answer = this.answerer(exec.queryString, decoded as DecodedParameter[]);
    const { rows, columns, dataScannedBytes } = Array.isArray(answer)
      ? { rows: answer, columns: undefined, dataScannedBytes: undefined }
      : answer;
    exec.rows = rows;
    exec.columns = columns ?? selectList(exec.queryString) ?? Object.keys(rows[0] ?? {});
    exec.dataScannedBytes = dataScannedBytes ?? Buffer.byteLength(JSON.stringify(rows)) * 10;
    exec.state = 'SUCCEEDED';
  }

  private describe(exec: SimQueryExecution) {
    const end = exec.completedAt ?? this.account.clock.now();
    return {
      QueryExecutionId: exec.id,
      Query: exec.queryString,
      StatementType: 'DML',
      WorkGroup: exec.workGroup,
      ...(exec.executionParameters ? { ExecutionParameters: exec.executionParameters } : {}),
      ResultConfiguration: { OutputLocation: `${exec.outputLocation}${exec.id}.csv` },
      QueryExecutionContext: exec.database ? { Database: exec.database } : {},
      Status: {
        State: exec.state,
        ...(exec.reason ? { StateChangeReason: exec.reason } : {}),
        SubmissionDateTime: new Date(exec.submittedAt),
        ...(exec.completedAt ? { CompletionDateTime: new Date(exec.completedAt) } : {}),
      },
      Statistics: {
        DataScannedInBytes: exec.dataScannedBytes,
        TotalExecutionTimeInMillis: end - exec.submittedAt,
        QueryQueueTimeInMillis: Math.min(this.timing.queuedMs, end - exec.submittedAt),
        EngineExecutionTimeInMillis: Math.max(0, end - exec.submittedAt - this.timing.queuedMs),
      },
    };
  }

  private results(input: { QueryExecutionId: string; NextToken?: string; MaxResults?: number }) {
    const size = input.MaxResults ?? ATHENA_GET_QUERY_RESULTS_MAX;
    if (size > ATHENA_GET_QUERY_RESULTS_MAX)
      throw simError('InvalidRequestException', validationText.tooLarge('maxResults', size, ATHENA_GET_QUERY_RESULTS_MAX));
    if (size < 1) throw simError('InvalidRequestException', validationText.tooSmall('maxResults', size, 1));
    const exec = this.execution(input.QueryExecutionId);
    if (exec.state === 'FAILED' || exec.state === 'CANCELLED') throw badRequest(exec.reason ?? `Query ${exec.state}`);
    if (exec.state !== 'SUCCEEDED') throw badRequest(`Query has not yet finished. Current state: ${exec.state}`);
    const header = { Data: exec.columns.map((c) => ({ VarCharValue: c })) };
    const all = [
      header,
      ...exec.rows.map((r) => ({ Data: exec.columns.map((c) => (r[c] === null || r[c] === undefined ? {} : { VarCharValue: r[c] })) })),
    ];
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
    if (!Number.isInteger(start) || start < 0 || start > all.length) throw badRequest('Invalid NextToken.');
    const next = start + size < all.length ? String(start + size) : undefined;
    return {
      ResultSet: {
        Rows: all.slice(start, start + size),
        ResultSetMetadata: {
          ColumnInfo: exec.columns.map((c) => ({ Name: c, Label: c, Type: 'varchar', CatalogName: 'hive', Nullable: 'UNKNOWN' })),
        },
      },
      ...(next ? { NextToken: next } : {}),
    };
  }

  private execution(id: string): SimQueryExecution {
    const exec = this.executions.get(id);
    if (!exec) throw badRequest(`QueryExecution ${id} was not found`);
    return exec;
  }
}

/** `?` placeholders outside string literals and quoted identifiers. */
export function countPlaceholders(sql: string): number {
  let n = 0;
  let quote: string | undefined;
  for (const c of sql) {
    if (quote) {
      if (c === quote) quote = undefined; // a doubled quote closes and reopens: same count
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '?') n += 1;
  }
  return n;
}

/** An execution parameter read as a SQL literal; undefined when it is not one (e.g. raw text). */
export function decodeLiteral(param: string): DecodedParameter | undefined {
  if (/^-?\d+(\.\d+)?$/.test(param)) return Number(param);
  const m = /^'((?:[^']|'')*)'$/s.exec(param);
  return m ? m[1]!.replace(/''/g, "'") : undefined;
}

/** Column names of `SELECT "a", "b" FROM …`, when the select list is that simple. */
function selectList(sql: string): string[] | undefined {
  const m = /^\s*SELECT\s+([\s\S]+?)\s+FROM\s/i.exec(sql);
  if (!m) return undefined;
  const names = m[1]!.split(',').map((s) => s.trim().replace(/^"(.*)"$/, '$1'));
  return names.every((n) => /^\w+$/.test(n)) ? names : undefined;
}
