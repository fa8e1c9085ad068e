import { ClientException } from '@aws-sdk/client-ecs';
import { AthenaAdapter } from '../../shared/aws/athena-queries';
import { TaskDefinitionsAdapter } from '../../shared/aws/ecs-task-definitions';
import { GlueAdapter } from '../../shared/aws/glue-catalog';
import { partitionDefinition } from '../../shared/logs/table-input';
import { SimulatedAccount } from '../../sim/account';
import { simError } from '../../sim/errors';
import { registerFamily } from '../support/logs';

const keys = [
  { Name: 'year', Type: 'int' },
  { Name: 'month', Type: 'int' },
  { Name: 'day', Type: 'int' },
];
const part = (i: number) => ({ values: ['2026', String(1 + Math.floor(i / 28)), String(1 + (i % 28))] });

describe('Glue adapter', () => {
  function world() {
    const account = new SimulatedAccount();
    account.glue.seedTable('db', { Name: 't', PartitionKeys: keys });
    return { account, glue: new GlueAdapter(account.clients().glue) };
  }

  it('sends partitions in chunks of 100 for one table and counts what was created and what existed', async () => {
    const { account, glue } = world();
    await glue.createPartitions('db', 't', [part(0)]);
    const r = await glue.createPartitions(
      'db',
      't',
      Array.from({ length: 250 }, (_, i) => part(i)),
    );
    expect(r).toEqual({ created: 249, existing: 1, failed: [], calls: 3 });
    const sent = account.calls.filter((c) => c.operation === 'BatchCreatePartition').slice(1);
    expect(sent.every((c) => (c.input as { DatabaseName: string; TableName: string }).TableName === 't')).toBe(true);
    expect(sent.map((c) => (c.input as { PartitionInputList: unknown[] }).PartitionInputList.length)).toEqual([100, 100, 50]);
  });

  it('turns per-entry errors and failed calls into typed failures', async () => {
    const { account, glue } = world();
    account.glue.failPartitions((_t, v) => v[2] === '2', 'ResourceNumberLimitExceededException', { message: 'too many partitions' });
    account.failNext('glue', 'BatchCreatePartition', simError('InternalServiceException', 'boom', 500), {
      times: 8,
      when: (input) => input.PartitionInputList.length === 50,
    });
    const r = await glue.createPartitions(
      'db',
      't',
      Array.from({ length: 150 }, (_, i) => part(i)),
    );
    expect(r.created).toBe(99);
    expect(r.failed).toHaveLength(51);
    expect(r.failed[0]).toEqual({
      values: ['2026', '1', '2'],
      code: 'ResourceNumberLimitExceededException',
      message: 'too many partitions',
    });
    expect(r.failed[1]).toEqual({ values: part(100).values, code: 'InternalServiceException', message: 'boom' });
  });

  it("copies everything a foreign table's storage holds into its partitions, through our own storage type and back", async () => {
    const { account, glue } = world();
    const storage = {
      Location: 's3://theirs/app/web/',
      Columns: [{ Name: 'Msg', Type: 'string' }],
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      Compressed: true,
      SerdeInfo: { Name: 'json', SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', Parameters: { 'case.insensitive': 'false' } },
      Parameters: { 'skip.header.line.count': '0' },
      BucketColumns: ['Msg'],
      NumberOfBuckets: 4,
      SortColumns: [{ Column: 'Msg', SortOrder: 0 }],
      StoredAsSubDirectories: false,
    };
    account.glue.seedTable('db', { Name: 'theirs', PartitionKeys: keys, StorageDescriptor: storage });
    const table = (await glue.listTables('db')).find((t) => t.name === 'theirs')!;
    expect(table.columns).toEqual([{ name: 'msg', type: 'string' }]);
    await glue.createPartitions('db', 'theirs', [
      partitionDefinition({ location: table.location!, storage: table.storage! }, '2026-12-01'),
    ]);
    expect(account.glue.partitions('db', 'theirs')[0]!.StorageDescriptor).toEqual({
      ...storage,
      Location: 's3://theirs/app/web/2026/12/01/',
    });
  });

  it('creates a missing database once and lists no tables before that', async () => {
    const account = new SimulatedAccount();
    const glue = new GlueAdapter(account.clients().glue);
    expect(await glue.listTables('logs')).toEqual([]);
    expect(await glue.ensureDatabase('logs', 'x')).toBe(true);
    expect(await glue.ensureDatabase('logs', 'x')).toBe(false);
    expect(account.countCalls('glue', 'CreateDatabase')).toBe(1);
  });
});

describe('task definition discovery', () => {
  it('lists ACTIVE families 100 a page and describes each latest revision, through throttling', async () => {
    const account = new SimulatedAccount();
    for (let i = 0; i < 150; i += 1) registerFamily(account, `svc-${String(i).padStart(3, '0')}`, { app: 'fluentd' });
    registerFamily(account, 'svc-000', { app: 'fluentd', extra: 'awsfirelens' }); // revision 2
    registerFamily(account, 'gone', { app: 'fluentd' });
    account.ecs.taskDefinitions.operations().DeregisterTaskDefinition!({ taskDefinition: 'gone:1' });
    account.faults.throttleRate = 0.3;
    account.faults.throttleOperations = ['DescribeTaskDefinition'];

    const result = await new TaskDefinitionsAdapter(account.clients().ecs).discover(8);
    expect(result.taskDefinitions).toHaveLength(150);
    expect(result.failed).toEqual([]);
    expect(result.taskDefinitions[0]).toMatchObject({
      family: 'svc-000',
      revision: 2,
      containers: [
        { name: 'app', logDriver: 'fluentd' },
        { name: 'extra', logDriver: 'awsfirelens' },
      ],
    });
    const lists = account.calls.filter((c) => c.operation === 'ListTaskDefinitionFamilies').map((c) => c.input);
    expect(lists).toEqual([
      { status: 'ACTIVE', maxResults: 100 },
      { status: 'ACTIVE', maxResults: 100, nextToken: expect.any(String) },
    ]);
  });

  it('reports a family that vanished between listing and describing apart from real failures', async () => {
    const account = new SimulatedAccount();
    registerFamily(account, 'a', { app: 'fluentd' });
    registerFamily(account, 'b', { app: 'fluentd' });
    registerFamily(account, 'c', { app: 'fluentd' });
    const gone = new ClientException({ message: 'Unable to describe task definition.', $metadata: {} });
    account.failNext('ecs', 'DescribeTaskDefinition', gone, { when: (i) => i.taskDefinition === 'a' });
    account.failNext('ecs', 'DescribeTaskDefinition', simError('AccessDeniedException', 'no'), { when: (i) => i.taskDefinition === 'b' });
    const result = await new TaskDefinitionsAdapter(account.clients().ecs).discover(2);
    expect(result.taskDefinitions.map((t) => t.family)).toEqual(['c']);
    expect(result.vanished).toEqual(['a']);
    expect(result.failed).toEqual([{ family: 'b', reason: 'AccessDeniedException: no' }]);
  });
});

describe('Athena adapter', () => {
  it('sends the query with execution parameters, database, workgroup and output location', async () => {
    const account = new SimulatedAccount();
    const athena = new AthenaAdapter(account.clients().athena);
    const id = await athena.start({
      sql: 'SELECT "a" FROM "db"."t" WHERE x = ?',
      parameters: ["'v'"],
      database: 'db',
      workgroup: 'primary',
      outputLocation: 's3://r/',
    });
    expect(account.calls.find((c) => c.operation === 'StartQueryExecution')!.input).toEqual({
      QueryString: 'SELECT "a" FROM "db"."t" WHERE x = ?',
      ExecutionParameters: ["'v'"],
      QueryExecutionContext: { Database: 'db', Catalog: 'AwsDataCatalog' },
      WorkGroup: 'primary',
      ResultConfiguration: { OutputLocation: 's3://r/' },
    });
    expect(await athena.status(id)).toMatchObject({ id, state: 'QUEUED' });
  });

  it('stops fetching at the byte budget and says the result was truncated', async () => {
    const account = new SimulatedAccount();
    account.athena.answerWith(() => Array.from({ length: 50 }, (_, i) => ({ log: `${i}`.padEnd(1000, 'x') })));
    const athena = new AthenaAdapter(account.clients().athena);
    const id = await athena.start({
      sql: 'SELECT "log" FROM "t"',
      parameters: [],
      database: 'db',
      workgroup: 'primary',
      outputLocation: 's3://r/',
    });
    account.advance(10_000);
    const r = await athena.results(id, { maxRows: 100, maxBytes: 10_500 });
    expect(r.rows).toHaveLength(10);
    expect(r.truncated).toBe(true);
    expect(r.columns).toEqual(['log']);
  });
});
