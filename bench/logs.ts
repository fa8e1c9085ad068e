import { makeHandler as makePartitionsHandler } from '../functions/log-partitions/handler';
import { makeHandler as makeSearchHandler } from '../functions/log-search/handler';
import type { PartitionsReport } from '../shared/logs/partitions-run';
import type { SearchResult } from '../shared/logs/search-run';
import { toTableInput } from '../shared/aws/glue-catalog';
import { tableDefinition } from '../shared/logs/table-input';
import type { Log, MetricSink } from '../shared/lambda/observability';
import { SimulatedAccount } from '../sim/account';
import type { ResultRow } from '../sim/athena';
import { DB, partitionsConfig, registerFamily, scheduledEvent, searchConfig } from '../test/support/logs';
import { callCounts, countersTable, measure, timingTable, type Measurement, type Scenario, type Section } from './harness';

/**
 * logPartitions and logSearch through their real handlers (`makeHandler`) on the simulated
 * account, configured as the scenario tests configure them (test/support/logs.ts). Logging
 * and metrics are silenced: the numbers are the workflow, the adapters and the SDK clients.
 */

export interface LogsOptions {
  runs: number;
  quick: boolean;
  progress: (line: string) => void;
}

/** 22:00 UTC: today and tomorrow are 2026-11-23 and 2026-11-24. */
const START = '2026-11-23T22:00:00Z';
const BACKFILL = { from: '2026-08-24', to: '2026-11-23', tables: 20 } as const; // 92 days, both included
/** Containers per family: two ship logs with fluentd/firelens (a table each), one uses awslogs (no table). */
const CONTAINERS = { app: 'fluentd', 'log-router': 'awsfirelens', 'xray-daemon': 'awslogs' } as const;
const TABLES_PER_FAMILY = 2;

const silentLog = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Log;
const silentMetrics = { addMetric() {} } as unknown as MetricSink;

interface PartitionsWorld {
  account: SimulatedAccount;
  handler: (event: unknown) => Promise<PartitionsReport>;
  /** Index into `account.calls` and clock reading where the measured run starts. */
  callsFrom: number;
  startedAt: number;
}

function partitionsWorld(tables: number, config: Parameters<typeof partitionsConfig>[0] = {}): PartitionsWorld {
  const account = new SimulatedAccount({ start: START });
  for (let f = 0; f < tables / TABLES_PER_FAMILY; f += 1) registerFamily(account, `service-${String(f).padStart(4, '0')}`, CONTAINERS);
  const clients = account.clients();
  // Build the clients now (they are built on first use): their construction is not the run.
  void clients.ecs;
  void clients.glue;
  const cfg = partitionsConfig(config);
  const handler = makePartitionsHandler(() => ({ clients, config: cfg, clock: account.clock, logger: silentLog, metrics: silentMetrics }));
  return { account, handler, callsFrom: 0, startedAt: account.clock.now() };
}

/** Mark where the measured run starts, after any untimed preparation. */
function startHere(w: PartitionsWorld): PartitionsWorld {
  return { ...w, callsFrom: w.account.calls.length, startedAt: w.account.clock.now() };
}

const simSeconds = (account: SimulatedAccount, since: number) => (account.clock.now() - since) / 1000;

function partitionsCounters(w: PartitionsWorld, report: PartitionsReport): Record<string, number> {
  return {
    ...callCounts(w.account, w.callsFrom),
    'tables created': report.tables.created.length,
    'partitions created': report.partitions.created,
    'partitions existing': report.partitions.existing,
    'partitions failed': report.partitions.failed.length,
    'simulated s': simSeconds(w.account, w.startedAt),
  };
}

export function dailyFirstRun(tables: number): Scenario<PartitionsWorld, PartitionsReport> {
  return {
    name: `daily, first run, ${tables} tables`,
    setup: () => startHere(partitionsWorld(tables)),
    run: (w) => w.handler(scheduledEvent()),
    counters: partitionsCounters,
  };
}

export function dailySecondRun(tables: number): Scenario<PartitionsWorld, PartitionsReport> {
  return {
    name: `daily, second run (no-op), ${tables} tables`,
    setup: async () => {
      const w = partitionsWorld(tables);
      await w.handler(scheduledEvent());
      return startHere(w);
    },
    run: (w) => w.handler(scheduledEvent()),
    counters: partitionsCounters,
  };
}

/** 92 days for 20 of 50 existing tables (today's partition exists already: the daily run made it). */
export function backfill(): Scenario<PartitionsWorld & { tables: string[] }, PartitionsReport> {
  return {
    name: `backfill ${BACKFILL.from}..${BACKFILL.to} (92 days), ${BACKFILL.tables} of 50 tables`,
    setup: async () => {
      const w = partitionsWorld(50);
      await w.handler(scheduledEvent());
      return { ...startHere(w), tables: w.account.glue.tableNames(DB).slice(0, BACKFILL.tables) };
    },
    run: (w) => w.handler({ from: BACKFILL.from, to: BACKFILL.to, tables: w.tables }),
    counters: partitionsCounters,
  };
}

interface SearchWorld {
  account: SimulatedAccount;
  handler: (event: unknown) => Promise<SearchResult>;
  callsFrom: number;
  startedAt: number;
}

const TABLE = 'web_app';

/** Deterministic log lines of realistic length (~120 bytes a line). */
function resultRows(n: number): ResultRow[] {
  return Array.from({ length: n }, (_, i) => ({
    time: new Date(Date.UTC(2026, 10, 20) + i * 1_000).toISOString(),
    log: `ERROR request ${i.toString(16).padStart(8, '0')} failed: upstream timed out after 3000 ms (GET /api/orders/${i % 997})`,
    container_id: `c0ffee${String(i % 16).padStart(2, '0')}`,
  }));
}

export function searchRows(rows: number): Scenario<SearchWorld, SearchResult> {
  const answer = resultRows(rows);
  return {
    name: `search, ${rows.toLocaleString('en-US')} rows`,
    setup: () => {
      const account = new SimulatedAccount({ start: '2026-11-28T12:00:00Z' });
      account.glue.seedTable(
        DB,
        toTableInput(
          tableDefinition(
            {
              name: TABLE,
              location: 's3://acme-logs/fluentd/web/app/',
              columns: [
                { name: 'time', type: 'string' },
                { name: 'log', type: 'string' },
                { name: 'container_id', type: 'string' },
              ],
              projection: false,
              family: 'web',
              container: 'app',
            },
            { projectionStartYear: 2018 },
          ),
        ),
      );
      // The simulated query ignores the SQL: it answers every line (the handler asks for exactly that many).
      account.athena.answerWith(() => answer);
      const clients = account.clients();
      void clients.glue;
      void clients.athena;
      const cfg = searchConfig({ maxRows: Math.max(rows, 1000) });
      const handler = makeSearchHandler(() => ({ clients, config: cfg, clock: account.clock, logger: silentLog, metrics: silentMetrics }));
      return { account, handler, callsFrom: account.calls.length, startedAt: account.clock.now() };
    },
    run: (w) =>
      w.handler({ table: TABLE, from: '2026-11-20', to: '2026-11-28', contains: 'ERROR', columns: ['container_id'], limit: rows }),
    counters: (w, result) => ({
      ...callCounts(w.account, w.callsFrom),
      'rows returned': result.rowCount ?? 0,
      truncated: result.truncated ? 1 : 0,
      'simulated s': simSeconds(w.account, w.startedAt),
    }),
  };
}

const PARTITION_COLUMNS = [
  'ecs.ListTaskDefinitionFamilies',
  'ecs.DescribeTaskDefinition',
  'glue.GetTables',
  'glue.GetTables:error',
  'glue.GetDatabase',
  'glue.GetDatabase:error',
  'glue.CreateDatabase',
  'glue.CreateTable',
  'glue.UpdateTable',
  'glue.BatchCreatePartition',
  'tables created',
  'partitions created',
  'partitions existing',
  'partitions failed',
  'simulated s',
];
const SEARCH_COLUMNS = [
  'glue.GetTable',
  'athena.StartQueryExecution',
  'athena.GetQueryExecution',
  'athena.GetQueryResults',
  'rows returned',
  'truncated',
  'simulated s',
];

export async function logsBenchmarks(options: LogsOptions): Promise<Section> {
  const sizes = options.quick ? [50, 250] : [50, 250, 1000];
  const rows = options.quick ? 2_000 : 10_000;
  const run = <C, R>(s: Scenario<C, R>) => measure(s, { runs: options.runs, progress: (l) => options.progress(`logs: ${l}`) });

  const partitions: Measurement[] = [];
  for (const n of sizes) partitions.push(await run(dailyFirstRun(n)));
  for (const n of sizes) partitions.push(await run(dailySecondRun(n)));
  partitions.push(await run(backfill()));
  const search = [await run(searchRows(rows))];

  return {
    title: 'Log functions (logPartitions, logSearch)',
    body: [
      'The real handlers (`makeHandler`) on the simulated account, configured as in `test/support/logs.ts` ' +
        '(concurrency 8, partition retries 3, no throttling, no simulated latency); logger and metrics are no-ops. ' +
        `Each table is one \`<family>_<container>\`: families registered as ECS task definitions with ${TABLES_PER_FAMILY} containers ` +
        'logging with fluentd/firelens and one with awslogs (no table), so N tables = N/2 families. ' +
        'A second run starts from the state the first run left; the backfill starts after a daily run over 50 tables. ' +
        'Setup (registering task definitions, the first run) is not timed.',
      '### logPartitions: time and memory',
      timingTable(partitions),
      '### logPartitions: API calls and outcome (exact)',
      '`:error` counts calls answered with an error: on a first run GetTables and GetDatabase answer EntityNotFoundException because the database does not exist yet (it is then created).',
      countersTable(partitions, PARTITION_COLUMNS),
      `### logSearch: one query whose result has ${rows.toLocaleString('en-US')} rows (limit ${rows.toLocaleString('en-US')}, LOGS_SEARCH_MAX_ROWS ${Math.max(rows, 1000).toLocaleString('en-US')})`,
      'The simulated query is QUEUED for 0.3 s and RUNNING for 2 s of simulated time; the handler polls with backoff, then pages through GetQueryResults (at most 1000 rows a page, the first page starts with the header row).',
      timingTable(search),
      countersTable(search, SEARCH_COLUMNS),
    ],
  };
}
