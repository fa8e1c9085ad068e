import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeLifecycleHooksCommand,
  SetInstanceProtectionCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTagsCommand, DescribeInstancesCommand, DescribeSpotFleetRequestsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  ClusterNotFoundException,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  ECSClient,
  ListContainerInstancesCommand,
} from '@aws-sdk/client-ecs';
import {
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListTopicsCommand, NotFoundException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { GenerateMacCommand, KMSClient, VerifyMacCommand } from '@aws-sdk/client-kms';
import type { Server } from 'node:http';
import { SimulatedAccount } from '../../sim/account';
import { buildAsgCluster, buildSpotCluster } from '../../sim/builders';
import { createSimServer, listen } from '../../sim/http/server';

const START = Date.parse('2026-12-01T10:00:00Z');

/** One account, seeded the same way every time: a Spot cluster `web`, an ASG cluster `web-od`, a queue, a topic, an alarm. */
function seededAccount() {
  const account = new SimulatedAccount({ start: START });
  const spot = buildSpotCluster(account);
  const asg = buildAsgCluster(account);
  const queueUrl = account.sqs.createQueue('jobs');
  const topicArn = account.sns.createTopic('results');
  account.sns.subscribeQueue(topicArn, queueUrl, { raw: true });
  account.cloudwatch.putAlarm({ name: 'ecs-steady-dev-spotInterruption-errors', namespace: 'AWS/Lambda', metricName: 'Errors' });
  return { account, spot, asg, queueUrl, topicArn };
}

/** Clients of every protocol family, pointed at the endpoint as AWS_ENDPOINT_URL would point them. */
function httpClients(port: number) {
  const config = {
    region: 'eu-west-1',
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: 'sim', secretAccessKey: 'sim' },
    maxAttempts: 1,
  };
  return {
    ec2: new EC2Client(config),
    autoscaling: new AutoScalingClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    sns: new SNSClient(config),
    cloudwatch: new CloudWatchClient(config),
    ecs: new ECSClient(config),
    sqs: new SQSClient(config),
    kms: new KMSClient(config),
  };
}

const withoutMetadata = ({ $metadata: _, ...rest }: { $metadata?: unknown }) => rest;

describe('the simulated account over HTTP (npm run sim:endpoint)', () => {
  let server: Server;
  let world: ReturnType<typeof seededAccount>;
  let http: ReturnType<typeof httpClients>;
  const served: string[] = [];

  beforeAll(async () => {
    world = seededAccount();
    server = createSimServer(world.account, { log: (line) => served.push(line) });
    http = httpClients(await listen(server));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('EC2 (ec2Query): DescribeInstances lists the instance with its tags and launch time as a Date; CreateTags lands', async () => {
    const [first] = world.spot.instances;
    await http.ec2.send(new CreateTagsCommand({ Resources: [first!.instanceId], Tags: [{ Key: 'team', Value: 'a&b <web>' }] }));
    const out = await http.ec2.send(
      new DescribeInstancesCommand({ InstanceIds: [first!.instanceId], Filters: [{ Name: 'instance-state-name', Values: ['running'] }] }),
    );
    const instance = out.Reservations?.[0]?.Instances?.[0];
    expect(instance?.InstanceId).toBe(first!.instanceId);
    expect(instance?.InstanceLifecycle).toBe('spot');
    expect(instance?.PrivateIpAddress).toBe(first!.privateIp);
    expect(instance?.LaunchTime).toEqual(new Date(START));
    expect(instance?.State).toEqual({ Code: 16, Name: 'running' });
    expect(instance?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'aws:ec2spot:fleet-request-id', Value: world.spot.spotFleetRequestId },
        { Key: 'team', Value: 'a&b <web>' },
      ]),
    );
    expect(world.account.ec2.instance(first!.instanceId)?.tags.team).toBe('a&b <web>');
    // The filters arrive (Filter.N.Name, Filter.N.Value.M): one that excludes the instance finds nothing.
    const stopped = await http.ec2.send(
      new DescribeInstancesCommand({ InstanceIds: [first!.instanceId], Filters: [{ Name: 'instance-state-name', Values: ['stopped'] }] }),
    );
    expect(stopped.Reservations ?? []).toEqual([]);
  });

  it('KMS (awsJson1_1): GenerateMac and VerifyMac carry blobs both ways; a MAC over another message is KMSInvalidMacException', async () => {
    const key = world.account.kms.createKey({ alias: 'alias/http-stamps' });
    const Message = new TextEncoder().encode('vol-1 ecs-steady:seen-attached 2026-12-01T10:00:00.000Z');
    const { Mac, KeyId } = await http.kms.send(
      new GenerateMacCommand({ KeyId: 'alias/http-stamps', Message, MacAlgorithm: 'HMAC_SHA_256' }),
    );
    expect(KeyId).toBe(key);
    expect(Mac).toHaveLength(32);
    const ok = await http.kms.send(new VerifyMacCommand({ KeyId: key, Message, Mac: Mac!, MacAlgorithm: 'HMAC_SHA_256' }));
    expect(ok.MacValid).toBe(true);
    const err = await http.kms
      .send(new VerifyMacCommand({ KeyId: key, Message: new TextEncoder().encode('other'), Mac: Mac!, MacAlgorithm: 'HMAC_SHA_256' }))
      .catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'KMSInvalidMacException' });
  });

  it('EC2 errors come back as AWS words them (code and text)', async () => {
    const err = await http.ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0000000000000dead'] })).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'InvalidInstanceID.NotFound', message: "The instance ID 'i-0000000000000dead' does not exist" });
  });

  it('Auto Scaling (awsQuery): booleans, numbers and timestamps round-trip; a bad token is a ValidationError', async () => {
    const [first] = world.asg.instances;
    await http.autoscaling.send(
      new SetInstanceProtectionCommand({
        AutoScalingGroupName: world.asg.asgName,
        InstanceIds: [first!.instanceId],
        ProtectedFromScaleIn: true,
      }),
    );
    const out = await http.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [world.asg.asgName] }));
    const group = out.AutoScalingGroups?.[0];
    expect(group).toMatchObject({ AutoScalingGroupName: 'ecs-web-ondemand', MinSize: 1, DesiredCapacity: 3, MaxSize: 6 });
    expect(group?.CreatedTime).toEqual(new Date(START));
    expect(group?.Instances?.find((i) => i.InstanceId === first!.instanceId)?.ProtectedFromScaleIn).toBe(true);
    expect(group?.Instances?.filter((i) => i.ProtectedFromScaleIn === false)).toHaveLength(2);

    const err = await http.autoscaling
      .send(
        new CompleteLifecycleActionCommand({
          AutoScalingGroupName: world.asg.asgName,
          LifecycleHookName: world.asg.hookName,
          LifecycleActionToken: '00000000-0000-4000-8000-000000000000',
          LifecycleActionResult: 'CONTINUE',
        }),
      )
      .catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'ValidationError', message: expect.stringContaining('No active Lifecycle Action found') });
  });

  it("ELBv2 (awsQuery): target health and deregistration; a missing group is the SDK's modelled exception", async () => {
    const tg = world.spot.targetGroups.frontend;
    const [first] = world.spot.instances;
    const before = await http.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }));
    const mine = before.TargetHealthDescriptions!.filter((d) => d.Target?.Id === first!.instanceId);
    expect(mine.map((d) => d.TargetHealth?.State)).toEqual(['healthy', 'healthy']);
    await http.elbv2.send(
      new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: mine.map((d) => ({ Id: d.Target!.Id!, Port: d.Target!.Port! })) }),
    );
    expect(world.account.elbv2.currentTargets(tg).filter((t) => t.id === first!.instanceId && t.state === 'draining')).toHaveLength(2);

    const err = await http.elbv2.send(new DescribeTargetGroupsCommand({ Names: ['no-such-group'] })).catch((e: Error) => e);
    expect(err).toBeInstanceOf(TargetGroupNotFoundException);
    expect(err).toMatchObject({ message: 'One or more target groups not found', $metadata: { httpStatusCode: 400 } });
  });

  it('SNS (awsQuery): Publish with message attributes (a map) reaches the subscribed queue; an unknown topic is NotFoundException', async () => {
    const out = await http.sns.send(
      new PublishCommand({
        TopicArn: world.topicArn,
        Message: '{"version":1}',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'run-task-result' } },
      }),
    );
    const published = world.account.sns.published(world.topicArn);
    expect(published.map((p) => p.messageId)).toEqual([out.MessageId]);
    expect(published[0]!.messageAttributes).toEqual({ kind: { DataType: 'String', StringValue: 'run-task-result' } });
    const err = await http.sns.send(new PublishCommand({ TopicArn: `${world.topicArn}-gone`, Message: 'x' })).catch((e: Error) => e);
    expect(err).toBeInstanceOf(NotFoundException);
    expect(err).toMatchObject({ message: 'Topic does not exist' });
  });

  it('SQS (awsJson1_0, query-compatible): messages and attribute maps; a missing queue is QueueDoesNotExist', async () => {
    await http.sqs.send(new SendMessageCommand({ QueueUrl: world.queueUrl, MessageBody: 'hello' }));
    const attrs = await http.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: world.queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(Number(attrs.Attributes?.ApproximateNumberOfMessages)).toBeGreaterThanOrEqual(1);
    const got = await http.sqs.send(new ReceiveMessageCommand({ QueueUrl: world.queueUrl, MaxNumberOfMessages: 10 }));
    expect(got.Messages?.map((m) => m.Body)).toEqual(expect.arrayContaining(['hello']));
    const err = await http.sqs.send(new GetQueueUrlCommand({ QueueName: 'no-such-queue' })).catch((e: Error) => e);
    expect(err).toBeInstanceOf(QueueDoesNotExist);
  });

  it('CloudWatch (as the installed client speaks it): DescribeAlarms and its parameter errors', async () => {
    const out = await http.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'ecs-steady-dev-' }));
    expect(out.MetricAlarms).toEqual([
      expect.objectContaining({
        AlarmName: 'ecs-steady-dev-spotInterruption-errors',
        StateValue: 'INSUFFICIENT_DATA',
        ActionsEnabled: true,
      }),
    ]);
    const err = await http.cloudwatch.send(new DescribeAlarmsCommand({ MaxRecords: 500 })).catch((e: Error) => e);
    // The wire code InvalidParameterValue is the SDK's InvalidParameterValueException, as against AWS.
    expect(err).toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('MaxRecords must be between') });
  });

  it('ECS (awsJson1_1): container instances with Dates; a missing cluster is ClusterNotFoundException', async () => {
    const list = await http.ecs.send(new ListContainerInstancesCommand({ cluster: 'web' }));
    const out = await http.ecs.send(
      new DescribeContainerInstancesCommand({ cluster: 'web', containerInstances: list.containerInstanceArns }),
    );
    expect(out.containerInstances?.map((c) => c.ec2InstanceId).sort()).toEqual(world.spot.instances.map((i) => i.instanceId).sort());
    expect(out.containerInstances?.[0]?.registeredAt).toBeInstanceOf(Date);
    expect(out.containerInstances?.[0]?.agentConnected).toBe(true);
    const err = await http.ecs.send(new ListContainerInstancesCommand({ cluster: 'nope' })).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ClusterNotFoundException);
    expect(served).toEqual(
      expect.arrayContaining(['ecs.ListContainerInstances', 'ec2.DescribeInstances', 'autoscaling.SetInstanceProtection']),
    );
  });
});

describe('the endpoint answers what the in-process simulator answers', () => {
  it('the same reads give the same outputs over HTTP as through the middleware (every protocol family)', async () => {
    const a = seededAccount();
    const b = seededAccount();
    const server = createSimServer(a.account);
    try {
      const http = httpClients(await listen(server));
      const local = b.account.clients({ maxAttempts: 1 });
      const reads = [
        (c: typeof http | typeof local) => c.ec2.send(new DescribeInstancesCommand({})),
        (c: typeof http | typeof local) => c.autoscaling.send(new DescribeAutoScalingGroupsCommand({})),
        (c: typeof http | typeof local) => c.elbv2.send(new DescribeTargetGroupsCommand({})),
        (c: typeof http | typeof local) => c.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: a.spot.targetGroups.api })),
        (c: typeof http | typeof local) => c.cloudwatch.send(new DescribeAlarmsCommand({})),
        (c: typeof http | typeof local) => c.ecs.send(new ListContainerInstancesCommand({ cluster: 'web-od' })),
        (c: typeof http | typeof local) => c.ecs.send(new DescribeServicesCommand({ cluster: 'web', services: ['api', 'worker'] })),
        (c: typeof http | typeof local) => c.autoscaling.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: a.asg.asgName })),
        (c: typeof http | typeof local) => c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: a.queueUrl, AttributeNames: ['All'] })),
        (c: typeof http | typeof local) => c.sns.send(new ListTopicsCommand({})),
        (c: typeof http | typeof local) => c.ec2.send(new DescribeSpotFleetRequestsCommand({})),
      ];
      for (const read of reads) {
        const [overHttp, inProcess] = [await read(http), await read(local)];
        expect(withoutMetadata(overHttp)).toEqual(withoutMetadata(inProcess));
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
