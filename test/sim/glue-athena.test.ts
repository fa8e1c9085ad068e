import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  InvalidRequestException,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import {
  AlreadyExistsException,
  BatchCreatePartitionCommand,
  CreateTableCommand,
  EntityNotFoundException,
  GetPartitionsCommand,
  GetTableCommand,
  paginateGetPartitions,
  paginateGetTables,
} from '@aws-sdk/client-glue';
import { SimulatedAccount } from '../../sim/account';

const keys = [
  { Name: 'year', Type: 'int' },
  { Name: 'month', Type: 'int' },
  { Name: 'day', Type: 'int' },
];
const part = (day: number) => ({ Values: ['2026', '11', String(day)], StorageDescriptor: { Location: `s3://b/t/2026/11/${day}/` } });

function glueWorld() {
  const account = new SimulatedAccount();
  account.glue.seedDatabase('db');
  account.glue.seedTable('db', { Name: 't', PartitionKeys: keys });
  return { account, glue: account.clients().glue };
}

describe('simulated Glue', () => {
  it('pages GetTables 100 at a time and stores names lower-case', async () => {
    const { account, glue } = glueWorld();
    for (let i = 0; i < 249; i += 1) await glue.send(new CreateTableCommand({ DatabaseName: 'db', TableInput: { Name: `T_${i}` } }));
    const names: string[] = [];
    for await (const page of paginateGetTables({ client: glue, pageSize: 100 }, { DatabaseName: 'db' }))
      names.push(...page.TableList!.map((t) => t.Name!));
    expect(names).toHaveLength(250);
    expect(names).toContain('t_7');
    expect(account.countCalls('glue', 'GetTables')).toBe(3);
  });

  it('answers the SDK exception classes for missing and duplicate entities', async () => {
    const { glue } = glueWorld();
    await expect(glue.send(new GetTableCommand({ DatabaseName: 'db', Name: 'nope' }))).rejects.toBeInstanceOf(EntityNotFoundException);
    await expect(glue.send(new GetTableCommand({ DatabaseName: 'nodb', Name: 't' }))).rejects.toThrow('Database nodb not found.');
    await expect(glue.send(new CreateTableCommand({ DatabaseName: 'db', TableInput: { Name: 'T' } }))).rejects.toBeInstanceOf(
      AlreadyExistsException,
    );
  });

  it("refuses more than 100 partitions per call with AWS's validation text", async () => {
    const { glue } = glueWorld();
    const list = Array.from({ length: 101 }, (_, i) => part(i));
    await expect(
      glue.send(new BatchCreatePartitionCommand({ DatabaseName: 'db', TableName: 't', PartitionInputList: list })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining(
        "at 'partitionInputList' failed to satisfy constraint: Member must have length less than or equal to 100",
      ),
    });
  });

  it('answers AlreadyExists and injected failures per entry, creating the rest', async () => {
    const { account, glue } = glueWorld();
    await glue.send(new BatchCreatePartitionCommand({ DatabaseName: 'db', TableName: 't', PartitionInputList: [part(1)] }));
    account.glue.failPartitionsOnce((_t, v) => v[2] === '3', 'InternalServiceException');
    const out = await glue.send(
      new BatchCreatePartitionCommand({ DatabaseName: 'db', TableName: 't', PartitionInputList: [part(1), part(2), part(3)] }),
    );
    expect(out.Errors?.map((e) => [e.PartitionValues?.[2], e.ErrorDetail?.ErrorCode])).toEqual([
      ['1', 'AlreadyExistsException'],
      ['3', 'InternalServiceException'],
    ]);
    expect(account.glue.partitions('db', 't').map((p) => p.Values![2])).toEqual(['1', '2']);
    const again = await glue.send(new BatchCreatePartitionCommand({ DatabaseName: 'db', TableName: 't', PartitionInputList: [part(3)] }));
    expect(again.Errors).toBeUndefined();
  });

  it('filters GetPartitions by a simple expression and pages it', async () => {
    const { glue } = glueWorld();
    await glue.send(
      new BatchCreatePartitionCommand({
        DatabaseName: 'db',
        TableName: 't',
        PartitionInputList: Array.from({ length: 30 }, (_, i) => part(i + 1)),
      }),
    );
    const some = await glue.send(
      new GetPartitionsCommand({ DatabaseName: 'db', TableName: 't', Expression: "year = 2026 AND day in (3, '4')" }),
    );
    expect(some.Partitions?.map((p) => p.Values![2])).toEqual(['3', '4']);
    const seen: string[] = [];
    for await (const page of paginateGetPartitions({ client: glue, pageSize: 7 }, { DatabaseName: 'db', TableName: 't' }))
      seen.push(...page.Partitions!.map((p) => p.Values![2]!));
    expect(seen).toHaveLength(30);
    await expect(glue.send(new GetPartitionsCommand({ DatabaseName: 'db', TableName: 't', Expression: 'day > 3' }))).rejects.toThrow(
      /Unsupported expression/,
    );
  });
});

describe('simulated Athena', () => {
  function athenaWorld() {
    const account = new SimulatedAccount();
    return { account, athena: account.clients().athena };
  }
  const start = (sql: string, params?: string[], output: string | null = 's3://r/') =>
    new StartQueryExecutionCommand({
      QueryString: sql,
      ExecutionParameters: params,
      WorkGroup: 'primary',
      ...(output ? { ResultConfiguration: { OutputLocation: output } } : {}),
    });

  it('moves QUEUED → RUNNING → SUCCEEDED over simulated time and reports statistics', async () => {
    const { account, athena } = athenaWorld();
    account.athena.answerWith(() => ({ rows: [{ a: '1' }], dataScannedBytes: 1234 }));
    const { QueryExecutionId: id } = await athena.send(start('SELECT "a" FROM "t" WHERE x = ?', ["'it''s'"]));
    const state = async () => (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution!;
    expect((await state()).Status?.State).toBe('QUEUED');
    await expect(athena.send(new GetQueryResultsCommand({ QueryExecutionId: id }))).rejects.toThrow(
      'Query has not yet finished. Current state: QUEUED',
    );
    account.advance(300);
    expect((await state()).Status?.State).toBe('RUNNING');
    account.advance(2000);
    const done = await state();
    expect(done.Status?.State).toBe('SUCCEEDED');
    expect(done.Statistics).toMatchObject({ DataScannedInBytes: 1234, TotalExecutionTimeInMillis: 2300 });
    const results = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
    expect(results.ResultSet?.Rows?.map((r) => r.Data?.map((d) => d.VarCharValue))).toEqual([['a'], ['1']]);
  });

  it('passes decoded execution parameters to the answer, and fails a query whose parameter is not a literal', async () => {
    const { account, athena } = athenaWorld();
    const seen: unknown[] = [];
    account.athena.answerWith((_sql, params) => {
      seen.push(params);
      return [];
    });
    await athena.send(start("SELECT 1 FROM t WHERE a = ? AND b = ? AND c = '?'", ["'it''s'", '42']));
    const { QueryExecutionId: raw } = await athena.send(start('SELECT 1 FROM t WHERE a = ?', ["it's"]));
    account.advance(5000);
    expect(seen).toEqual([["it's", 42]]);
    const failed = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: raw }));
    expect(failed.QueryExecution?.Status).toMatchObject({ State: 'FAILED', StateChangeReason: expect.stringContaining('not a literal') });
  });

  it.each([
    [
      'a parameter count that does not match the placeholders',
      start('SELECT 1 FROM t WHERE a = ?', []),
      /number of execution parameters \(0\) does not match .* \(1\)/,
    ],
    ['no output location anywhere', start('SELECT 1', undefined, null), /No output location provided/],
  ])('refuses %s', async (_what, command, message) => {
    const { athena } = athenaWorld();
    const error = await athena.send(command).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestException);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses MaxResults above 1000 and can fail or hang a query', async () => {
    const { account, athena } = athenaWorld();
    account.athena.failNextQuery('HIVE_BAD_DATA: x');
    account.athena.hangNextQuery();
    const { QueryExecutionId: a } = await athena.send(start('SELECT 1'));
    const { QueryExecutionId: b } = await athena.send(start('SELECT 1'));
    account.advance(3_600_000);
    const stateOf = async (id?: string) =>
      (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution?.Status?.State;
    expect([await stateOf(a), await stateOf(b)]).toEqual(['FAILED', 'RUNNING']);
    await expect(athena.send(new GetQueryResultsCommand({ QueryExecutionId: a, MaxResults: 1001 }))).rejects.toThrow(
      /less than or equal to 1000/,
    );
  });
});
