import { QueryFailedError, isFinished, type AthenaAdapter, type QueryState, type QueryStatus } from '../aws/athena-queries';
import type { Clock } from '../lambda/clock';
import { EventValidationError } from '../lambda/errors';
import type { GlueAdapter } from '../aws/glue-catalog';
import type { Log } from '../lambda/observability';
import type { SearchConfig } from './config';
import { daysInRange, type IsoDate } from './dates';
import type { ResumeRequest, SearchRequest } from './events';
import { tableNameFor } from './naming';
import { buildSearchQuery } from './query';

export interface SearchAdapters {
  glue: Pick<GlueAdapter, 'getTable'>;
  athena: Pick<AthenaAdapter, 'start' | 'status' | 'results'>;
}

export interface SearchDeps {
  adapters: SearchAdapters;
  clock: Clock;
  log: Log;
}

export interface SearchResult {
  status: Extract<QueryState, 'SUCCEEDED' | 'QUEUED' | 'RUNNING'>;
  queryExecutionId: string;
  table?: string;
  dates?: { from: IsoDate; to: IsoDate };
  columns?: string[];
  rows?: Array<Record<string, string | null>>;
  rowCount?: number;
  /** More rows matched than were returned (limit or response size); all of them are in outputLocation. */
  truncated?: boolean;
  dataScannedBytes: number;
  runTimeMs: number;
  outputLocation?: string;
  query?: { sql: string; parameters: string[] };
  message?: string;
}

/** Lambda: "Invocation payload (request and response) 6 MB (synchronous)". Rows stop short of it. */
export const RESPONSE_ROWS_MAX_BYTES = 5_000_000;
const POLL_FIRST_MS = 250;
const POLL_MAX_MS = 2_000;

/** Resolve the table, check the request against config and the catalogue, run the query, wait, fetch. */
export async function runLogSearch(deps: SearchDeps, config: SearchConfig, req: SearchRequest): Promise<SearchResult> {
  const table = resolveTable(req);
  const from = (req.date ?? req.from)!;
  const to = (req.date ?? req.to)!;
  const days = daysInRange(from, to);
  if (days > config.maxDays) {
    throw new EventValidationError('date range too large', [
      `${from}..${to} is ${days} days; at most ${config.maxDays} (LOGS_SEARCH_MAX_DAYS)`,
    ]);
  }
  const limit = checkLimit(req.limit, config);
  const shape = await deps.adapters.glue.getTable(config.database, table);
  if (!shape) {
    throw new EventValidationError('unknown table', [
      `no table ${table} in Glue database ${config.database} (tables are <family>_<container>, made by logPartitions for containers logging with fluentd/firelens)`,
    ]);
  }
  const query = buildSearchQuery(
    {
      database: config.database,
      table,
      columns: req.columns ?? [],
      from,
      to,
      ...(req.contains !== undefined ? { contains: req.contains } : {}),
      ...(req.ignoreCase !== undefined ? { ignoreCase: req.ignoreCase } : {}),
      ...(req.regex !== undefined ? { regex: req.regex } : {}),
      limit,
      order: req.order ?? 'asc',
    },
    { columns: shape.columns.map((c) => c.name), partitionKeys: shape.partitionKeys },
  );
  const id = await deps.adapters.athena.start({
    sql: query.sql,
    parameters: query.parameters,
    database: config.database,
    workgroup: config.workgroup,
    ...(config.outputLocation ? { outputLocation: config.outputLocation } : {}),
  });
  deps.log.info('query started', { queryExecutionId: id, table, from, to, workgroup: config.workgroup });
  const result = await finish(deps, id, limit, waitMsFor(req.waitSeconds, config));
  return { ...result, table, dates: { from, to }, query: { sql: query.sql, parameters: query.parameters } };
}

/**
 * A search that was still running: wait again (bounded) and fetch its rows. Only queries of
 * logSearch's own workgroup are read: any other query id is refused, whoever ran it.
 */
export async function resumeLogSearch(deps: SearchDeps, config: SearchConfig, req: ResumeRequest): Promise<SearchResult> {
  const limit = checkLimit(req.limit, config);
  const first = await deps.adapters.athena.status(req.queryExecutionId);
  if (first.workGroup !== config.workgroup) {
    throw new EventValidationError('not a logSearch query', [
      `queryExecutionId ${req.queryExecutionId} ran in Athena workgroup ${first.workGroup ?? '(none given)'}; logSearch reads only queries of its own workgroup ${config.workgroup}`,
    ]);
  }
  return finish(deps, req.queryExecutionId, limit, waitMsFor(req.waitSeconds, config), first);
}

function resolveTable(req: SearchRequest): string {
  if (req.table) return req.table;
  const name = tableNameFor(req.family!, req.container!);
  if (!name.ok) throw new EventValidationError('bad family or container', [name.reason]);
  return name.name;
}

function checkLimit(limit: number | undefined, config: SearchConfig): number {
  if (limit === undefined) return config.defaultRows;
  if (limit > config.maxRows)
    throw new EventValidationError('limit too large', [`limit: at most ${config.maxRows} (LOGS_SEARCH_MAX_ROWS)`]);
  return limit;
}

function waitMsFor(waitSeconds: number | undefined, config: SearchConfig): number {
  return waitSeconds === undefined ? config.maxWaitMs : Math.min(waitSeconds * 1000, config.maxWaitMs);
}

/** Poll with backoff until the query finishes or `maxWaitMs` has passed; never sleeps past it. */
export async function waitForQuery(
  deps: Pick<SearchDeps, 'adapters' | 'clock'>,
  id: string,
  maxWaitMs: number,
  known?: QueryStatus,
): Promise<QueryStatus> {
  const deadline = deps.clock.now() + maxWaitMs;
  let delay = POLL_FIRST_MS;
  let seen = known;
  for (;;) {
    const status = seen ?? (await deps.adapters.athena.status(id));
    seen = undefined;
    const left = deadline - deps.clock.now();
    if (isFinished(status.state) || left <= 0) return status;
    await deps.clock.sleep(Math.min(delay, left));
    delay = Math.min(delay * 2, POLL_MAX_MS);
  }
}

async function finish(deps: SearchDeps, id: string, limit: number, maxWaitMs: number, known?: QueryStatus): Promise<SearchResult> {
  const status = await waitForQuery(deps, id, maxWaitMs, known);
  const stats = {
    dataScannedBytes: status.dataScannedBytes,
    runTimeMs: status.runTimeMs,
    ...(status.outputLocation ? { outputLocation: status.outputLocation } : {}),
  };
  if (status.state === 'FAILED' || status.state === 'CANCELLED')
    throw new QueryFailedError(id, status.state, status.reason ?? 'no reason given');
  if (status.state !== 'SUCCEEDED') {
    deps.log.info('query still running', { queryExecutionId: id, state: status.state, waitedMs: maxWaitMs });
    return {
      status: status.state,
      queryExecutionId: id,
      ...stats,
      message: `still ${status.state} after ${Math.round(maxWaitMs / 1000)} s; fetch the rows later with {"queryExecutionId": "${id}"}`,
    };
  }
  const rows = await deps.adapters.athena.results(id, { maxRows: limit, maxBytes: RESPONSE_ROWS_MAX_BYTES });
  deps.log.info('query done', { queryExecutionId: id, rows: rows.rows.length, truncated: rows.truncated, ...stats });
  return {
    status: 'SUCCEEDED',
    queryExecutionId: id,
    columns: rows.columns,
    rows: rows.rows,
    rowCount: rows.rows.length,
    truncated: rows.truncated,
    ...stats,
  };
}
