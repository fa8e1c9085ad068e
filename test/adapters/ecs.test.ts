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
import { mockClient } from 'aws-sdk-client-mock';
import { EcsAdapter } from '../../shared/aws/ecs-container-instances';

const ecsMock = mockClient(ECSClient);
const client = () => new ECSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
const range = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

beforeEach(() => ecsMock.reset());

describe('EcsAdapter', () => {
  it('searches every configured cluster in parallel with the ec2InstanceId filter and skips a missing cluster', async () => {
    ecsMock.on(ListContainerInstancesCommand, { cluster: 'gone' }).rejects(new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: {} }));
    ecsMock.on(ListContainerInstancesCommand, { cluster: 'a' }).resolves({ containerInstanceArns: [] });
    ecsMock.on(ListContainerInstancesCommand, { cluster: 'b' }).resolves({ containerInstanceArns: ['arn:ci/b1'] });
    ecsMock.on(DescribeContainerInstancesCommand).resolves({
      containerInstances: [{ containerInstanceArn: 'arn:ci/b1', ec2InstanceId: 'i-0123456789abcdef0', status: 'ACTIVE', agentConnected: true, runningTasksCount: 3 }],
    });
    const { found, skipped } = await new EcsAdapter(client()).findContainerInstance('i-0123456789abcdef0', ['gone', 'a', 'b']);
    expect(found).toMatchObject({ cluster: 'b', containerInstanceArn: 'arn:ci/b1', status: 'ACTIVE', runningTasksCount: 3 });
    expect(skipped).toEqual([{ cluster: 'gone', reason: 'ClusterNotFoundException' }]);
    const lists = ecsMock.commandCalls(ListContainerInstancesCommand).map((c) => c.args[0].input);
    expect(lists).toHaveLength(3);
    for (const input of lists) expect(input).toMatchObject({ filter: 'ec2InstanceId == i-0123456789abcdef0', maxResults: 100 });
  });

  it('answers nothing found when the instance is in no cluster', async () => {
    ecsMock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [] });
    const { found } = await new EcsAdapter(client()).findContainerInstance('i-0123456789abcdef0', ['a']);
    expect(found).toBeUndefined();
    expect(ecsMock.commandCalls(DescribeContainerInstancesCommand)).toHaveLength(0);
  });

  it('sets instances DRAINING in chunks of 10 and returns the per-instance failures', async () => {
    ecsMock.on(UpdateContainerInstancesStateCommand).callsFake((input: { containerInstances: string[] }) => ({
      failures: input.containerInstances.includes('ci7') ? [{ arn: 'ci7', reason: 'MISSING' }] : [],
    }));
    const failures = await new EcsAdapter(client()).setDraining('c', range(25, 'ci'));
    const sizes = ecsMock.commandCalls(UpdateContainerInstancesStateCommand).map((c) => c.args[0].input.containerInstances?.length);
    expect(sizes).toEqual([10, 10, 5]);
    expect(ecsMock.commandCalls(UpdateContainerInstancesStateCommand)[0]!.args[0].input.status).toBe('DRAINING');
    expect(failures).toEqual([{ arn: 'ci7', reason: 'MISSING' }]);
  });

  it('lists the running tasks of an instance across pages and describes them in chunks of 100', async () => {
    const arns = range(250, 'task/');
    const pages: Record<string, { taskArns: string[]; nextToken?: string }> = {
      first: { taskArns: arns.slice(0, 100), nextToken: 'p2' },
      p2: { taskArns: arns.slice(100, 200), nextToken: 'p3' },
      p3: { taskArns: arns.slice(200) },
    };
    const tokens: Array<string | undefined> = [];
    // The paginator reuses one input object, so read the token at call time.
    ecsMock.on(ListTasksCommand).callsFake((input: { nextToken?: string }) => {
      tokens.push(input.nextToken);
      return pages[input.nextToken ?? 'first'];
    });
    ecsMock.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: input.tasks.filter((t) => t !== 'task/42').map((taskArn) => ({ taskArn })),
      failures: input.tasks.includes('task/42') ? [{ arn: 'task/42', reason: 'MISSING' }] : [],
    }));
    const { tasks, failures } = await new EcsAdapter(client()).tasksOn('c', 'arn:ci/1');
    const listInputs = ecsMock.commandCalls(ListTasksCommand).map((c) => c.args[0].input);
    expect(tokens).toEqual([undefined, 'p2', 'p3']);
    expect(listInputs[0]).toMatchObject({ cluster: 'c', containerInstance: 'arn:ci/1', desiredStatus: 'RUNNING', maxResults: 100 });
    expect(ecsMock.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks?.length)).toEqual([100, 100, 50]);
    expect(tasks).toHaveLength(249);
    expect(failures).toEqual([{ arn: 'task/42', reason: 'MISSING' }]);
  });

  it('describes services in chunks of 10, each name once', async () => {
    ecsMock.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({ services: input.services.map((serviceName) => ({ serviceName })) }));
    const names = [...range(25, 's'), 's1', 's2'];
    const { services } = await new EcsAdapter(client()).describeServices('c', names);
    expect(ecsMock.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input.services?.length)).toEqual([10, 10, 5]);
    expect(services).toHaveLength(25);
  });

  it('treats stopping a task ECS no longer knows as done, and any other error as a failure', async () => {
    ecsMock.on(StopTaskCommand, { task: 'gone' }).rejects(new InvalidParameterException({ message: 'The referenced task was not found.', $metadata: {} }));
    ecsMock.on(StopTaskCommand, { task: 'denied' }).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    const ecs = new EcsAdapter(client());
    await expect(ecs.stopTask('c', 'gone', 'r')).resolves.toBeUndefined();
    await expect(ecs.stopTask('c', 'denied', 'r')).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
