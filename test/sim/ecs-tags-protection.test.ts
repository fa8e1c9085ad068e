import {
  DescribeContainerInstancesCommand,
  GetTaskProtectionCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateTaskProtectionCommand,
} from '@aws-sdk/client-ecs';
import { SimulatedAccount } from '../../sim/account';
import { buildCapacityCluster } from '../../sim/builders-capacity';

function world() {
  const account = new SimulatedAccount();
  const built = buildCapacityCluster(account, { backend: 'asg', instances: 2, tasksPerInstance: 2 });
  return { account, built, ecs: account.clients().ecs };
}

describe('simulated ECS: container instance tags', () => {
  it('shows tags only when DescribeContainerInstances asks for TAGS, and untags', async () => {
    const { built, ecs } = world();
    const arn = built.instances[0]!.containerInstanceArn;
    await ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'ecs-steady:do-not-disrupt', value: 'true' }] }));
    const plain = await ecs.send(new DescribeContainerInstancesCommand({ cluster: built.cluster, containerInstances: [arn] }));
    expect(plain.containerInstances![0]!.tags).toBeUndefined();
    const tagged = await ecs.send(
      new DescribeContainerInstancesCommand({ cluster: built.cluster, containerInstances: [arn], include: ['TAGS'] }),
    );
    expect(tagged.containerInstances![0]!.tags).toEqual([{ key: 'ecs-steady:do-not-disrupt', value: 'true' }]);
    await ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['ecs-steady:do-not-disrupt'] }));
    const after = await ecs.send(
      new DescribeContainerInstancesCommand({ cluster: built.cluster, containerInstances: [arn], include: ['TAGS'] }),
    );
    expect(after.containerInstances![0]!.tags).toEqual([]);
  });

  it('answers ResourceNotFoundException for a container instance that does not exist', async () => {
    const { account, ecs } = world();
    const arn = account.arn('ecs', 'container-instance/cap-asg/0123456789abcdef0123456789abcdef');
    await expect(ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'k', value: 'v' }] }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});

describe('simulated ECS: task scale-in protection', () => {
  it('protects service tasks for 2 hours by default, then lets protection lapse', async () => {
    const { account, built, ecs } = world();
    const task = built.tasks[0]!;
    const set = await ecs.send(new UpdateTaskProtectionCommand({ cluster: built.cluster, tasks: [task], protectionEnabled: true }));
    expect(set.protectedTasks![0]!.protectionEnabled).toBe(true);
    const got = await ecs.send(new GetTaskProtectionCommand({ cluster: built.cluster, tasks: [task, built.tasks[1]!] }));
    expect(got.protectedTasks!.map((t) => t.protectionEnabled)).toEqual([true, false]);
    account.clock.advance(120 * 60_000 + 1);
    const later = await ecs.send(new GetTaskProtectionCommand({ cluster: built.cluster, tasks: [task] }));
    expect(later.protectedTasks![0]!.protectionEnabled).toBe(false);
  });

  it('refuses more than 10 tasks in one call and reports a standalone task as TASK_NOT_VALID', async () => {
    const { account, built, ecs } = world();
    const eleven = Array.from({ length: 11 }, () => built.tasks[0]!);
    await expect(ecs.send(new GetTaskProtectionCommand({ cluster: built.cluster, tasks: eleven }))).rejects.toThrow(
      'tasks can have at most 10 items.',
    );
    const batch = account.ecs.startTask({
      cluster: built.cluster,
      containerInstanceArn: built.instances[1]!.containerInstanceArn,
      taskDefinition: built.taskDefinitionArn,
      group: 'family:job',
    });
    const got = await ecs.send(new GetTaskProtectionCommand({ cluster: built.cluster, tasks: [batch] }));
    expect(got.failures).toEqual([{ arn: batch, reason: 'TASK_NOT_VALID' }]);
  });
});
