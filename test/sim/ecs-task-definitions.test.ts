import {
  ClientException,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  InvalidParameterException,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  paginateListTaskDefinitionFamilies,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { SimulatedAccount } from '../../sim/account';

const container = (name: string, extra: object = {}) => ({ name, image: `${name}:1`, memory: 256, ...extra });

function setup() {
  const account = new SimulatedAccount();
  return { account, ecs: account.clients().ecs };
}

describe('simulated ECS task definitions', () => {
  it('increments revisions per family and describes by family (latest ACTIVE), family:revision and ARN', async () => {
    const { ecs } = setup();
    const first = await ecs.send(new RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: [container('nginx')] }));
    const second = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        containerDefinitions: [
          container('nginx', {
            portMappings: [{ containerPort: 80 }],
            logConfiguration: { logDriver: 'awsfirelens', options: { Name: 'cloudwatch' } },
          }),
        ],
      }),
    );
    expect(first.taskDefinition?.revision).toBe(1);
    expect(second.taskDefinition?.taskDefinitionArn).toBe('arn:aws:ecs:eu-west-1:123456789012:task-definition/web:2');
    expect(second.taskDefinition?.registeredAt).toEqual(new Date('2026-11-23T10:00:00Z'));

    const latest = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' }));
    expect(latest.taskDefinition?.revision).toBe(2);
    expect(latest.taskDefinition?.networkMode).toBe('bridge');
    // Bridge mode without a host port means a dynamic one: ECS reports hostPort 0.
    expect(latest.taskDefinition?.containerDefinitions?.[0]?.portMappings).toEqual([{ containerPort: 80, hostPort: 0, protocol: 'tcp' }]);
    expect(latest.taskDefinition?.containerDefinitions?.[0]?.logConfiguration?.logDriver).toBe('awsfirelens');
    expect((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web:1' }))).taskDefinition?.revision).toBe(1);
    const byArn = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: first.taskDefinition!.taskDefinitionArn! }));
    expect(byArn.taskDefinition?.revision).toBe(1);
  });

  it('deregisters a revision: INACTIVE, gone from the ACTIVE lists, revision numbers never reused', async () => {
    const { account, ecs } = setup();
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'job', containerDefinitions: [container('run')] }));
    account.advance(60_000);
    const out = await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'job:1' }));
    expect(out.taskDefinition?.status).toBe('INACTIVE');
    expect(out.taskDefinition?.deregisteredAt).toEqual(new Date('2026-11-23T10:01:00Z'));
    await expect(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'job' }))).rejects.toBeInstanceOf(ClientException);
    expect((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'job:1' }))).taskDefinition?.status).toBe('INACTIVE');
    expect((await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'job' }))).taskDefinitionArns).toEqual([]);
    expect((await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'job', status: 'INACTIVE' }))).taskDefinitionArns).toHaveLength(
      1,
    );
    const again = await ecs.send(new RegisterTaskDefinitionCommand({ family: 'job', containerDefinitions: [container('run')] }));
    expect(again.taskDefinition?.revision).toBe(2);
  });

  it('lists families ACTIVE/INACTIVE/all (all by default, as AWS documents) with a prefix, across pages', async () => {
    const { account, ecs } = setup();
    for (let i = 0; i < 130; i++)
      account.ecs.registerTaskDefinition({ family: `svc-${String(i).padStart(3, '0')}`, containerDefinitions: [container('app')] });
    account.ecs.registerTaskDefinition({ family: 'old', containerDefinitions: [container('app')] });
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'old:1' }));

    const seen: string[] = [];
    for await (const p of paginateListTaskDefinitionFamilies({ client: ecs, pageSize: 50 }, { familyPrefix: 'svc-', status: 'ACTIVE' })) {
      expect(p.families!.length).toBeLessThanOrEqual(50);
      seen.push(...p.families!);
    }
    expect(seen).toHaveLength(130);
    expect(seen[0]).toBe('svc-000');
    expect((await ecs.send(new ListTaskDefinitionFamiliesCommand({ status: 'INACTIVE' }))).families).toEqual(['old']);
    const all = await ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: 'o' }));
    expect(all.families).toEqual(['old']);
  });

  it('sorts ListTaskDefinitions by family and revision, DESC reversing it', async () => {
    const { account, ecs } = setup();
    for (const f of ['b', 'a', 'b']) account.ecs.registerTaskDefinition({ family: f, containerDefinitions: [container('x')] });
    const asc = await ecs.send(new ListTaskDefinitionsCommand({}));
    expect(asc.taskDefinitionArns!.map((a) => a.split('/')[1])).toEqual(['a:1', 'b:1', 'b:2']);
    const desc = await ecs.send(new ListTaskDefinitionsCommand({ sort: 'DESC' }));
    expect(desc.taskDefinitionArns!.map((a) => a.split('/')[1])).toEqual(['b:2', 'b:1', 'a:1']);
  });

  it('rejects what ECS rejects: no memory, awsvpc port mismatch, maxResults above 100', async () => {
    const { ecs } = setup();
    await expect(
      ecs.send(new RegisterTaskDefinitionCommand({ family: 'x', containerDefinitions: [{ name: 'a', image: 'a' }] })),
    ).rejects.toThrow("Invalid setting for container 'a'. At least one of 'memory' or 'memoryReservation' must be specified.");
    await expect(
      ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'x',
          networkMode: 'awsvpc',
          containerDefinitions: [container('a', { portMappings: [{ containerPort: 80, hostPort: 8080 }] })],
        }),
      ),
    ).rejects.toBeInstanceOf(ClientException);
    await expect(ecs.send(new ListTaskDefinitionFamiliesCommand({ maxResults: 101 }))).rejects.toBeInstanceOf(InvalidParameterException);
  });
});
