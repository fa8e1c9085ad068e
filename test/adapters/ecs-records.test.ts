import {
  ClusterNotFoundException,
  DeleteAttributesCommand,
  ECSClient,
  ListContainerInstancesCommand,
  PutAttributesCommand,
  ServerException,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { EcsAttributesAdapter } from '../../shared/aws/ecs-attributes';
import { isContainerInstanceOf } from '../../shared/aws/ecs-membership';

const ecsMock = mockClient(ECSClient);
const client = () => new ECSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
const ARN = 'arn:aws:ecs:eu-west-1:123456789012:container-instance/web/0123456789abcdef0123456789abcdef';

beforeEach(() => ecsMock.reset());

describe('EcsAttributesAdapter (agentHealth records)', () => {
  it('puts attributes on the container instance by its full ARN (no targetType needed) in the named cluster', async () => {
    ecsMock.on(PutAttributesCommand).resolves({});
    await new EcsAttributesAdapter(client()).put('web', ARN, { 'ecs-steady.agent-replace': '2026-12-05T10:00:00.000Z' });
    expect(ecsMock.commandCalls(PutAttributesCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: 'web', attributes: [{ name: 'ecs-steady.agent-replace', value: '2026-12-05T10:00:00.000Z', targetId: ARN }] },
    ]);
  });

  it('deletes attributes by name and target, without a value ("don\'t specify the value")', async () => {
    ecsMock.on(DeleteAttributesCommand).resolves({});
    await new EcsAttributesAdapter(client()).remove('web', ARN, ['ecs-steady.disconnected-since']);
    expect(ecsMock.commandCalls(DeleteAttributesCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: 'web', attributes: [{ name: 'ecs-steady.disconnected-since', targetId: ARN }] },
    ]);
  });
});

describe('isContainerInstanceOf (logVolumes ownership)', () => {
  it('asks ECS with the ec2InstanceId filter in the named cluster and answers whether it listed one', async () => {
    ecsMock
      .on(ListContainerInstancesCommand)
      .resolvesOnce({ containerInstanceArns: [ARN] })
      .resolvesOnce({ containerInstanceArns: [] });
    expect(await isContainerInstanceOf(client(), 'web', 'i-0abc')).toBe(true);
    expect(await isContainerInstanceOf(client(), 'web', 'i-0def')).toBe(false);
    expect(ecsMock.commandCalls(ListContainerInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: 'web', maxResults: 100, filter: 'ec2InstanceId == i-0abc' },
      { cluster: 'web', maxResults: 100, filter: 'ec2InstanceId == i-0def' },
    ]);
  });

  it('answers false for a cluster ECS does not know, and throws any other failure', async () => {
    ecsMock
      .on(ListContainerInstancesCommand, { cluster: 'gone' })
      .rejects(new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: {} }));
    ecsMock.on(ListContainerInstancesCommand, { cluster: 'web' }).rejects(new ServerException({ message: 'boom', $metadata: {} }));
    expect(await isContainerInstanceOf(client(), 'gone', 'i-0abc')).toBe(false);
    await expect(isContainerInstanceOf(client(), 'web', 'i-0abc')).rejects.toThrow('boom');
  });
});
