import { snsNotification } from '../../support/sqs-records';
import { reservedBy } from '../../../shared/aws/ecs-capacity';
import { parsePlacementFailure, parseRunTaskResult, refusalOf } from '../../../shared/capacity/messages';
import { EventValidationError } from '../../../shared/lambda/errors';

const AT = '2026-12-01T03:00:00Z';
const result = (over: Record<string, unknown> = {}) => ({
  version: 1,
  at: AT,
  request: { cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/batch', taskDefinition: 'report:7', count: 4 },
  response: {
    tasks: [{ taskArn: 't1' }],
    failures: [
      { arn: 'ci-1', reason: 'RESOURCE:MEMORY' },
      { arn: 'ci-2', reason: 'RESOURCE:CPU' },
    ],
  },
  ...over,
});

describe('parseRunTaskResult', () => {
  it('counts the tasks that did not start and says capacity answers RESOURCE reasons', () => {
    expect(parseRunTaskResult(result())).toMatchObject({
      cluster: 'batch',
      taskDefinition: 'report:7',
      count: 3,
      addCapacity: true,
      reason: 'no room: RESOURCE:MEMORY, RESOURCE:CPU',
      at: Date.parse(AT),
    });
  });

  it.each([
    [{ failures: [{ reason: 'ATTRIBUTE' }] }, /not a capacity shortage: ATTRIBUTE/],
    [{ failures: [{ reason: 'AGENT' }, { reason: 'MISSING' }] }, /not a capacity shortage: AGENT, MISSING/],
    [{ failures: [{ reason: 'RESOURCE:GPU' }] }, /not a capacity shortage: RESOURCE:GPU/],
  ])('does not add capacity for %j', (response, reason) => {
    const r = parseRunTaskResult(result({ response: { tasks: [], ...response } }));
    expect(r.addCapacity).toBe(false);
    expect(r.reason).toMatch(reason);
  });

  it('reads an SNS notification envelope and RunTask’s own error for an empty cluster', () => {
    const body = result({
      response: undefined,
      error: { name: 'InvalidParameterException', message: 'No Container Instances were found in your cluster.' },
    });
    const r = parseRunTaskResult(snsNotification(body));
    expect(r).toMatchObject({ count: 4, addCapacity: true, reason: 'the cluster has no container instance' });
  });

  it('names what an SNS notification lacks', () => {
    expect(() => parseRunTaskResult({ Type: 'Notification', Message: '{}' })).toThrow(
      /malformed SNS notification: .*MessageId.*TopicArn.*Timestamp/s,
    );
  });

  it('names every bad field', () => {
    try {
      parseRunTaskResult({ version: 2, at: 'soon', request: { cluster: '', count: 11 } });
      throw new Error('expected a validation error');
    } catch (err) {
      expect(err).toBeInstanceOf(EventValidationError);
      const text = (err as Error).message;
      for (const field of ['version', 'at', 'request.cluster', 'request.taskDefinition', 'request.count'])
        expect(text).toContain(`${field}:`);
    }
  });
});

describe('refusalOf (a RunTask result that must not scale the local cluster)', () => {
  const here = { region: 'eu-west-1', account: '123456789012' };
  const now = Date.parse(AT) + 60_000;
  const at = (cluster: string) => parseRunTaskResult(result({ request: { cluster, taskDefinition: 'report:7', count: 4 } }));
  it.each([
    ['a cluster name', 'batch', undefined],
    ['an ARN of this region and account', 'arn:aws:ecs:eu-west-1:123456789012:cluster/batch', undefined],
    [
      'an ARN of another region',
      'arn:aws:ecs:us-east-1:123456789012:cluster/batch',
      /region us-east-1, account 123456789012, not this one/,
    ],
    ['an ARN of another account', 'arn:aws:ecs:eu-west-1:999999999999:cluster/batch', /account 999999999999, not this one/],
    ['an ARN of another service', 'arn:aws:ec2:eu-west-1:123456789012:instance/i-1', /is not an ECS cluster ARN/],
  ])('%s', (_name, cluster, want) => {
    const why = refusalOf(at(cluster), here, now, 15 * 60_000);
    if (want) expect(why).toMatch(want);
    else expect(why).toBeUndefined();
  });

  it('refuses a result older than the bound, and takes one just inside it', () => {
    const s = at('batch');
    expect(refusalOf(s, here, s.at + 15 * 60_000, 15 * 60_000)).toBeUndefined();
    expect(refusalOf(s, here, s.at + 15 * 60_000 + 1, 15 * 60_000)).toMatch(/over the 15-minute bound/);
  });
});

describe('reservedBy (what a task reserves, RunTask overrides applied)', () => {
  const def = {
    containers: [
      { name: 'app', cpu: 256, memory: 1024, memoryReservation: 512 },
      { name: 'sidecar', cpu: 128, memory: 256 },
    ],
  };
  it('sums containers, reserving the soft memory limit when there is one', () => {
    expect(reservedBy(def, undefined)).toEqual({ cpu: 384, memory: 768 });
  });
  it('applies container overrides by name, and task-level overrides over everything', () => {
    expect(reservedBy(def, { containerOverrides: [{ name: 'app', cpu: 1024, memoryReservation: 2048 }] })).toEqual({
      cpu: 1152,
      memory: 2304,
    });
    expect(reservedBy({ ...def, cpu: 512, memory: 1024 }, { memory: '4096' })).toEqual({ cpu: 512, memory: 4096 });
  });
});

describe('parsePlacementFailure', () => {
  it('takes the cluster, the service and its reason from the event as AWS documents it', () => {
    const e = parsePlacementFailure({
      version: '0',
      id: 'e-1',
      'detail-type': 'ECS Service Action',
      source: 'aws.ecs',
      time: AT,
      resources: ['arn:aws:ecs:eu-west-1:123456789012:service/web/api'],
      detail: {
        eventName: 'SERVICE_TASK_PLACEMENT_FAILURE',
        clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/web',
        reason: 'RESOURCE:CPU',
      },
    });
    expect(e).toEqual({ eventId: 'e-1', cluster: 'web', service: 'api', reasons: ['RESOURCE:CPU'], at: Date.parse(AT) });
  });
  it('refuses another ECS service action', () => {
    expect(() =>
      parsePlacementFailure({
        id: 'e-2',
        'detail-type': 'ECS Service Action',
        source: 'aws.ecs',
        time: AT,
        detail: { eventName: 'SERVICE_STEADY_STATE', clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/web' },
      }),
    ).toThrow(/detail\.eventName/);
  });
});
