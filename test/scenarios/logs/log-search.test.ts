import { StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { QueryFailedError } from '../../../shared/aws/athena-queries';
import { EventValidationError } from '../../../shared/lambda/errors';
import { toTableInput } from '../../../shared/aws/glue-catalog';
import { tableDefinition } from '../../../shared/logs/table-input';
import { SimulatedAccount } from '../../../sim/account';
import type { DecodedParameter, ResultRow } from '../../../sim/athena';
import { DB, searchWorld } from '../../support/logs';

interface Line {
  date: string;
  time: string;
  log: string;
  container_id?: string;
}

/**
 * A small stand-in for Athena over one table: it reads only the decoded execution parameters
 * (as Athena would), so the search behaves as the SQL says — or the test fails.
 */
function answerFrom(lines: Line[]) {
  return (sql: string, params: DecodedParameter[]): ResultRow[] => {
    const segments = (sql.match(/day BETWEEN/g) ?? []).length;
    const days = Array.from({ length: segments }, (_, i) => params.slice(i * 4, i * 4 + 4) as number[]);
    let next = segments * 4;
    const like = sql.includes('LIKE ?') ? String(params[next++]) : undefined;
    const regex = sql.includes('regexp_like') ? new RegExp(String(params[next])) : undefined;
    const ignoreCase = sql.includes('lower("log")');
    const likeRe = like === undefined ? undefined : likeToRegExp(like);
    const limit = Number(/LIMIT (\d+)$/.exec(sql)![1]);
    return lines
      .filter((l) => {
        const [y, m, d] = l.date.split('-').map(Number);
        return days.some(([yy, mm, from, to]) => y === yy && m === mm && d! >= from! && d! <= to!);
      })
      .filter((l) => !likeRe || likeRe.test(ignoreCase ? l.log.toLowerCase() : l.log))
      .filter((l) => !regex || regex.test(l.log))
      .sort((a, b) => a.time.localeCompare(b.time))
      .slice(0, limit)
      .map((l) => ({ time: l.time, log: l.log, container_id: l.container_id ?? null }));
  };
}

/** LIKE with ESCAPE '\': `%` any, `_` one, `\x` a literal x. */
function likeToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i]!;
    if (c === '\\') re += escapeRe(pattern[++i] ?? '');
    else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, 'u');
}
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function world(lines: Line[] = [], config = {}) {
  const account = new SimulatedAccount({ start: '2026-11-28T12:00:00Z' });
  account.glue.seedTable(
    DB,
    toTableInput(
      tableDefinition(
        {
          name: 'my_awesome_app_app',
          location: 's3://acme-logs/fluentd/my-awesome-app/app/',
          columns: [
            { name: 'time', type: 'string' },
            { name: 'log', type: 'string' },
            { name: 'container_id', type: 'string' },
          ],
          projection: false,
          family: 'my-awesome-app',
          container: 'app',
        },
        { projectionStartYear: 2018 },
      ),
    ),
  );
  account.athena.answerWith(answerFrom(lines));
  return searchWorld(config, account);
}

const LINES: Line[] = [
  { date: '2018-11-28', time: '2018-11-28T10:00:01Z', log: 'INFO started' },
  { date: '2018-11-28', time: '2018-11-28T10:00:02Z', log: 'ERROR disk full', container_id: 'c1' },
  { date: '2018-11-28', time: '2018-11-28T10:00:03Z', log: 'ERROR quota 100% used' },
  { date: '2018-11-28', time: '2018-11-28T10:00:04Z', log: 'WARN quota 1000 used' },
  { date: '2018-11-28', time: '2018-11-28T10:00:05Z', log: "ERROR user 'bob'; DROP TABLE x; --" },
  { date: '2018-11-28', time: '2018-11-28T10:00:06Z', log: 'ERROR Zürich 東京 🔥 down' },
  { date: '2018-11-29', time: '2018-11-29T00:00:01Z', log: 'ERROR next day' },
];

describe('logSearch against the simulated account', () => {
  it('runs the issue example with execution parameters and returns rows, query id, bytes scanned and run time', async () => {
    const { account, handler } = world(LINES);
    const result = await handler({ family: 'my-awesome-app', container: 'app', date: '2018-11-28', contains: 'ERROR' });

    expect(result).toMatchObject({ status: 'SUCCEEDED', table: 'my_awesome_app_app', rowCount: 4, truncated: false, runTimeMs: 2300 });
    expect(result.rows!.map((r) => r.log)).toEqual([
      'ERROR disk full',
      'ERROR quota 100% used',
      "ERROR user 'bob'; DROP TABLE x; --",
      'ERROR Zürich 東京 🔥 down',
    ]);
    expect(result.rows![0]).toEqual({ time: '2018-11-28T10:00:02Z', log: 'ERROR disk full' });
    expect(result.dataScannedBytes).toBeGreaterThan(0);
    const exec = account.athena.executions.get(result.queryExecutionId)!;
    expect(exec).toMatchObject({ workGroup: 'primary', outputLocation: 's3://acme-logs/athena-results/', database: DB });
    expect(exec.executionParameters).toEqual(['2018', '11', '28', '28', "'%ERROR%'"]);
    expect(exec.queryString).not.toContain('ERROR');
  });

  it.each([
    ["'; DROP TABLE x; --", ["ERROR user 'bob'; DROP TABLE x; --"]],
    ['100%', ['ERROR quota 100% used']],
    ['quota 1_00', []],
    ['東京 🔥', ['ERROR Zürich 東京 🔥 down']],
    ['--', ["ERROR user 'bob'; DROP TABLE x; --"]],
  ])('matches hostile text %j literally', async (contains, expected) => {
    const { account, handler } = world(LINES);
    const result = await handler({ table: 'my_awesome_app_app', date: '2018-11-28', contains });
    expect(result.rows!.map((r) => r.log)).toEqual(expected);
    expect(account.athena.lastExecution()!.queryString).not.toContain(contains);
  });

  it('searches by regular expression, ignores case on request, and adds extra columns', async () => {
    const { handler } = world(LINES);
    const byRegex = await handler({
      table: 'my_awesome_app_app',
      from: '2018-11-28',
      to: '2018-11-29',
      regex: '^ERROR (disk|next)',
      columns: ['container_id'],
    });
    expect(byRegex.rows).toEqual([
      { time: '2018-11-28T10:00:02Z', log: 'ERROR disk full', container_id: 'c1' },
      { time: '2018-11-29T00:00:01Z', log: 'ERROR next day', container_id: null },
    ]);
    const caseless = await handler({ table: 'my_awesome_app_app', date: '2018-11-28', contains: 'error DISK', ignoreCase: true });
    expect(caseless.rows!.map((r) => r.log)).toEqual(['ERROR disk full']);
  });

  it('pages through GetQueryResults (1000 rows a call, header skipped)', async () => {
    const many = Array.from({ length: 2500 }, (_, i) => ({
      date: '2018-11-28',
      time: `2018-11-28T10:${String(i).padStart(5, '0')}`,
      log: `line ${i}`,
    }));
    const { account, handler } = world(many, { maxRows: 5000 });
    const result = await handler({ table: 'my_awesome_app_app', date: '2018-11-28', limit: 2500 });
    expect(result.rowCount).toBe(2500);
    expect(result.rows![0]!.log).toBe('line 0');
    expect(result.rows![2499]!.log).toBe('line 2499');
    const pages = account.calls
      .filter((c) => c.operation === 'GetQueryResults')
      .map((c) => c.input as { MaxResults: number; NextToken?: string });
    expect(pages.map((p) => p.MaxResults)).toEqual([1000, 1000, 501]); // 2500 rows + the header row
    expect(pages.map((p) => p.NextToken)).toEqual([undefined, '1000', '2000']);
  });

  it('returns the query id when the query outlasts the wait, and fetches it later', async () => {
    const { account, handler } = world(LINES, { maxWaitMs: 10_000 });
    account.athena.timing.runningMs = 30_000;
    const started = account.clock.now();
    const pending = await handler({ table: 'my_awesome_app_app', date: '2018-11-28', contains: 'ERROR' });
    expect(pending.status).toBe('RUNNING');
    expect(pending.rows).toBeUndefined();
    expect(pending.message).toContain(`{"queryExecutionId": "${pending.queryExecutionId}"}`);
    expect(account.clock.now() - started).toBeLessThanOrEqual(10_000);

    account.advance(30_000); // the caller comes back later
    const done = await handler({ queryExecutionId: pending.queryExecutionId });
    expect(done).toMatchObject({ status: 'SUCCEEDED', queryExecutionId: pending.queryExecutionId, rowCount: 4 });
  });

  it("reads only its own workgroup's queries: another user's query id is refused, naming both workgroups", async () => {
    const OWN = 'ecs-steady-test-log-search';
    const { account, handler } = world(LINES, { workgroup: OWN });
    account.athena.workGroups.set(OWN, { outputLocation: 's3://acme-logs/athena-results/' });
    const theirs = await account.clients().athena.send(
      new StartQueryExecutionCommand({
        QueryString: 'select time, log from payroll LIMIT 10',
        WorkGroup: 'primary',
        ResultConfiguration: { OutputLocation: 's3://hr-results/' },
      }),
    );
    account.advance(5_000); // their query has finished

    const error = await handler({ queryExecutionId: theirs.QueryExecutionId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `not a logSearch query: queryExecutionId ${theirs.QueryExecutionId} ran in Athena workgroup primary; logSearch reads only queries of its own workgroup ${OWN}`,
      ),
    );
    expect(account.countCalls('athena', 'GetQueryResults')).toBe(0);

    // Its own searches run in its workgroup and resume as before.
    const pending = await handler({ table: 'my_awesome_app_app', date: '2018-11-28', contains: 'ERROR', waitSeconds: 0 });
    expect(account.athena.executions.get(pending.queryExecutionId)!.workGroup).toBe(OWN);
    account.advance(5_000);
    expect(await handler({ queryExecutionId: pending.queryExecutionId })).toMatchObject({ status: 'SUCCEEDED', rowCount: 4 });
  });

  it('never waits past the Lambda deadline', async () => {
    const { account, handler } = world(LINES);
    account.athena.hangNextQuery();
    const started = account.clock.now();
    const result = await handler({ table: 'my_awesome_app_app', date: '2018-11-28' }, { getRemainingTimeInMillis: () => 25_000 });
    expect(result.status).toBe('RUNNING');
    expect(account.clock.now() - started).toBeLessThanOrEqual(10_000);
  });

  it('answers at once with the id for waitSeconds 0', async () => {
    const { account, handler } = world(LINES);
    const result = await handler({ table: 'my_awesome_app_app', date: '2018-11-28', waitSeconds: 0 });
    expect(result.status).toBe('QUEUED');
    expect(account.countCalls('athena', 'GetQueryResults')).toBe(0);
  });

  it("fails with Athena's reason when the query fails", async () => {
    const { account, handler } = world(LINES);
    account.athena.failNextQuery('HIVE_BAD_DATA: Error parsing field value');
    const error = await handler({ table: 'my_awesome_app_app', date: '2018-11-28' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryFailedError);
    expect((error as Error).message).toMatch(/FAILED: HIVE_BAD_DATA: Error parsing field value/);
  });

  it.each([
    [{ family: 'nope', container: 'app', date: '2018-11-28' }, /unknown table: no table nope_app in Glue database container_logs/],
    [
      { table: 'my_awesome_app_app', date: '2018-11-28', columns: ['secret'] },
      /"secret" is not a column of the table \(columns: time, log, container_id, year, month, day\)/,
    ],
    [
      { table: 'my_awesome_app_app', from: '2018-10-01', to: '2018-11-28' },
      /date range too large: 2018-10-01..2018-11-28 is 59 days; at most 31/,
    ],
    [{ table: 'my_awesome_app_app', date: '2018-11-28', limit: 5000 }, /limit: at most 1000/],
    [{ table: 'my_awesome_app_app' }, /from: give date, or from and to/],
    [{ family: 'my-awesome-app', date: '2018-11-28' }, /container: give table, or family and container/],
    [{ table: 'x"; drop', date: '2018-11-28' }, /table: expected a table name/],
    [{ family: "app'--", container: 'web', date: '2018-11-28' }, /family: expected an ECS name/],
    [{ table: 'my_awesome_app_app', date: '2018-02-30' }, /date: expected a calendar date/],
    [{ table: 'my_awesome_app_app', date: '2018-11-28', contains: 'a\u0000b' }, /contains: must not contain NUL/],
    [{ table: 'my_awesome_app_app', date: '2018-11-28', sql: 'select 1' }, /Unrecognized key/],
  ])('refuses %j before any query runs', async (event, message) => {
    const { account, handler } = world(LINES);
    const error = await handler(event).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as Error).message).toMatch(message);
    expect(account.countCalls('athena', 'StartQueryExecution')).toBe(0);
  });
});
