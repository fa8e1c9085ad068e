import {
  ClusterNotFoundException,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  InvalidParameterException,
  ListContainerInstancesCommand,
  ListTasksCommand,
  StopTaskCommand,
  UpdateContainerInstancesStateCommand,
} from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { ContainerInstancesAdapter } from '../../shared/aws/ecs-container-instances';
import { ServicesAdapter } from '../../shared/aws/ecs-services';
import { TasksAdapter } from '../../shared/aws/ecs-tasks';
import { drainPorts } from '../../shared/drain/ports';
import { readInto } from '../../shared/drain/snapshot';
import { initialState } from '../../shared/drain/state';

const ecsMock = mockClient(ECSClient);
const cfg = { region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 };
const client = () => new ECSClient(cfg);
const range = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
/** The per-send options of every call of one command (the adapters pass the caller's abort signal there). */
const sendOptionsOf = (command: Parameters<typeof ecsMock.commandCalls>[0]) =>
  ecsMock.commandCalls(command).map((c) => (c.args as unknown[])[1]);

beforeEach(() => ecsMock.reset());

describe('instance lookup (ContainerInstancesAdapter through the drain read)', () => {
  const ports = () => drainPorts({ ecs: client(), elbv2: new ElasticLoadBalancingV2Client(cfg), sns: new SNSClient(cfg) });

  it('searches every configured cluster in parallel with the ec2InstanceId filter and skips a missing cluster', async () => {
    ecsMock
      .on(ListContainerInstancesCommand, { cluster: 'gone' })
      .rejects(new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: {} }));
    ecsMock.on(ListContainerInstancesCommand, { cluster: 'a' }).resolves({ containerInstanceArns: [] });
    ecsMock.on(ListContainerInstancesCommand, { cluster: 'b' }).resolves({ containerInstanceArns: ['arn:ci/b1'] });
    ecsMock.on(DescribeContainerInstancesCommand).resolves({
      containerInstances: [
        {
          containerInstanceArn: 'arn:ci/b1',
          ec2InstanceId: 'i-0123456789abcdef0',
          status: 'ACTIVE',
          agentConnected: true,
          runningTasksCount: 3,
        },
      ],
    });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: ['task/1'] });
    const state = initialState('i-0123456789abcdef0');
    const warnings: string[] = [];
    await readInto(
      state,
      { kind: 'lookup' },
      ports(),
      { clusters: ['gone', 'a', 'b'], keepServing: false, warn: (m) => warnings.push(m) },
      0,
      {},
    );
    expect(state.lookup).toBe('found');
    expect(state.instance).toMatchObject({ cluster: 'b', containerInstanceArn: 'arn:ci/b1', status: 'ACTIVE', runningTasksCount: 3 });
    expect(warnings).toEqual(['cluster gone not searched: ClusterNotFoundException']);
    const lists = ecsMock.commandCalls(ListContainerInstancesCommand).map((c) => c.args[0].input);
    expect(lists).toHaveLength(3);
    for (const input of lists) expect(input).toMatchObject({ filter: 'ec2InstanceId == i-0123456789abcdef0', maxResults: 100 });
    // One instance answered: its tasks were listed in the same round trip.
    expect(ecsMock.commandCalls(ListTasksCommand)[0]!.args[0].input).toMatchObject({
      cluster: 'b',
      containerInstance: 'arn:ci/b1',
      desiredStatus: 'RUNNING',
    });
    expect(state.listedArns).toEqual(['task/1']);
  });

  it('answers nothing found when the instance is in no cluster', async () => {
    ecsMock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [] });
    const state = initialState('i-0123456789abcdef0');
    await readInto(state, { kind: 'lookup' }, ports(), { clusters: ['a'], keepServing: false, warn: () => undefined }, 0, {});
    expect(state.lookup).toBe('not-found');
    expect(state.instance).toBeUndefined();
    expect(ecsMock.commandCalls(DescribeContainerInstancesCommand)).toHaveLength(0);
  });
});

describe('ContainerInstancesAdapter', () => {
  it('lists container instance ARNs across pages with the filter on every page, passing the abort signal', async () => {
    const tokens: Array<string | undefined> = [];
    ecsMock.on(ListContainerInstancesCommand).callsFake((input: { nextToken?: string }) => {
      tokens.push(input.nextToken);
      return input.nextToken === undefined
        ? { containerInstanceArns: ['arn:ci/1'], nextToken: 'p2' }
        : { containerInstanceArns: ['arn:ci/2'] };
    });
    const signal = new AbortController().signal;
    const arns = await new ContainerInstancesAdapter(client()).listArns('c', 'ec2InstanceId == i-0123456789abcdef0', { signal });
    expect(arns).toEqual(['arn:ci/1', 'arn:ci/2']);
    expect(tokens).toEqual([undefined, 'p2']);
    for (const c of ecsMock.commandCalls(ListContainerInstancesCommand))
      expect(c.args[0].input).toMatchObject({ cluster: 'c', filter: 'ec2InstanceId == i-0123456789abcdef0', maxResults: 100 });
    expect(sendOptionsOf(ListContainerInstancesCommand)).toEqual([{ abortSignal: signal }, { abortSignal: signal }]);
  });

  it('describes container instances in chunks of 100 and returns the per-instance failures', async () => {
    ecsMock.on(DescribeContainerInstancesCommand).callsFake((input: { containerInstances: string[] }) => ({
      containerInstances: input.containerInstances
        .filter((a) => a !== 'ci7')
        .map((containerInstanceArn) => ({ containerInstanceArn, ec2InstanceId: 'i-1', status: 'DRAINING' })),
      failures: input.containerInstances.includes('ci7') ? [{ arn: 'ci7', reason: 'MISSING' }] : [],
    }));
    const { instances, failures } = await new ContainerInstancesAdapter(client()).describe('c', range(150, 'ci'));
    expect(ecsMock.commandCalls(DescribeContainerInstancesCommand).map((c) => c.args[0].input.containerInstances?.length)).toEqual([
      100, 50,
    ]);
    expect(instances).toHaveLength(149);
    expect(instances[0]).toEqual({
      cluster: 'c',
      containerInstanceArn: 'ci0',
      ec2InstanceId: 'i-1',
      status: 'DRAINING',
      agentConnected: false,
      runningTasksCount: 0,
      pendingTasksCount: 0,
    });
    expect(failures).toEqual([{ arn: 'ci7', reason: 'MISSING' }]);
  });

  it('sets instances DRAINING in chunks of 10 and returns the per-instance failures', async () => {
    ecsMock.on(UpdateContainerInstancesStateCommand).callsFake((input: { containerInstances: string[] }) => ({
      failures: input.containerInstances.includes('ci7') ? [{ arn: 'ci7', reason: 'MISSING' }] : [],
    }));
    const failures = await new ContainerInstancesAdapter(client()).setDraining('c', range(25, 'ci'));
    const sizes = ecsMock.commandCalls(UpdateContainerInstancesStateCommand).map((c) => c.args[0].input.containerInstances?.length);
    expect(sizes).toEqual([10, 10, 5]);
    expect(ecsMock.commandCalls(UpdateContainerInstancesStateCommand)[0]!.args[0].input.status).toBe('DRAINING');
    expect(failures).toEqual([{ arn: 'ci7', reason: 'MISSING' }]);
  });
});

describe('TasksAdapter and ServicesAdapter', () => {
  it('lists the running tasks of an instance across pages and describes them in chunks of 100', async () => {
    const arns = range(250, 'task/');
    const pages: Record<string, { taskArns: string[]; nextToken?: string }> = {
      first: { taskArns: arns.slice(0, 100), nextToken: 'p2' },
      p2: { taskArns: arns.slice(100, 200), nextToken: 'p3' },
      p3: { taskArns: arns.slice(200) },
    };
    const tokens: Array<string | undefined> = [];
    ecsMock.on(ListTasksCommand).callsFake((input: { nextToken?: string }) => {
      tokens.push(input.nextToken);
      return pages[input.nextToken ?? 'first'];
    });
    ecsMock.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: input.tasks.filter((t) => t !== 'task/42').map((taskArn) => ({ taskArn })),
      failures: input.tasks.includes('task/42') ? [{ arn: 'task/42', reason: 'MISSING' }] : [],
    }));
    const signal = new AbortController().signal;
    const adapter = new TasksAdapter(client());
    const listed = await adapter.listRunningOn('c', 'arn:ci/1', { signal });
    const { tasks, failures } = await adapter.describe('c', listed, { signal });
    const listInputs = ecsMock.commandCalls(ListTasksCommand).map((c) => c.args[0].input);
    expect(tokens).toEqual([undefined, 'p2', 'p3']);
    expect(listed).toEqual(arns);
    for (const input of listInputs)
      expect(input).toMatchObject({ cluster: 'c', containerInstance: 'arn:ci/1', desiredStatus: 'RUNNING', maxResults: 100 });
    expect(sendOptionsOf(ListTasksCommand)).toEqual(Array(3).fill({ abortSignal: signal }));
    expect(ecsMock.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks?.length)).toEqual([100, 100, 50]);
    expect(sendOptionsOf(DescribeTasksCommand)).toEqual(Array(3).fill({ abortSignal: signal }));
    expect(tasks).toHaveLength(249);
    expect(failures).toEqual([{ arn: 'task/42', reason: 'MISSING' }]);
  });

  it('lists the whole cluster asking for each next page only once the caller’s pace resolves (none after the last)', async () => {
    const pages: Record<string, { taskArns: string[]; nextToken?: string }> = {
      first: { taskArns: ['t/1'], nextToken: 'p2' },
      p2: { taskArns: ['t/2'], nextToken: 'p3' },
      p3: { taskArns: ['t/3'] },
    };
    const log: string[] = [];
    ecsMock.on(ListTasksCommand).callsFake((input: { nextToken?: string }) => {
      log.push(`page ${input.nextToken ?? 'first'}`);
      return pages[input.nextToken ?? 'first'];
    });
    const listed = await new TasksAdapter(client()).listRunning('c', {}, async () => {
      log.push('pace');
      await new Promise((r) => setTimeout(r, 5));
      log.push('paced');
    });
    expect(listed).toEqual(['t/1', 't/2', 't/3']);
    expect(log).toEqual(['page first', 'pace', 'paced', 'page p2', 'pace', 'paced', 'page p3']);
    expect(ecsMock.commandCalls(ListTasksCommand)[0]!.args[0].input).toMatchObject({
      cluster: 'c',
      desiredStatus: 'RUNNING',
      maxResults: 100,
    });
  });

  it('describes services in chunks of 10, each name once', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .callsFake((input: { services: string[] }) => ({ services: input.services.map((serviceName) => ({ serviceName })) }));
    const names = [...range(25, 's'), 's1', 's2'];
    const { services } = await new ServicesAdapter(client()).describe('c', names);
    expect(ecsMock.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input.services?.length)).toEqual([10, 10, 5]);
    expect(services).toHaveLength(25);
  });

  it('treats stopping a task ECS no longer knows as done, and any other error as a failure', async () => {
    ecsMock
      .on(StopTaskCommand, { task: 'gone' })
      .rejects(new InvalidParameterException({ message: 'The referenced task was not found.', $metadata: {} }));
    ecsMock.on(StopTaskCommand, { task: 'denied' }).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    const tasks = new TasksAdapter(client());
    await expect(tasks.stop('c', 'gone', 'r')).resolves.toEqual({ gone: true });
    await expect(tasks.stop('c', 'denied', 'r')).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('answers the reason ECS keeps for a stop (the first one), sending at most 255 characters of ours', async () => {
    ecsMock.on(StopTaskCommand).resolves({ task: { taskArn: 't', stoppedReason: 'someone else stopped it first' } });
    const r = await new TasksAdapter(client()).stop('c', 't', 'x'.repeat(300));
    expect(r).toEqual({ gone: false, stoppedReason: 'someone else stopped it first' });
    expect(ecsMock.commandCalls(StopTaskCommand)[0]!.args[0].input).toEqual({ cluster: 'c', task: 't', reason: 'x'.repeat(255) });
  });
});
