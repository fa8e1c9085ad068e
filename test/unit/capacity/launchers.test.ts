import { parseLauncherMessage, LAUNCHERS } from '../../../shared/capacity/launchers/index';
import { parseCapacityMessage, runTaskMessage } from '../../../shared/capacity/writer-messages';
import { EventValidationError } from '../../../shared/lambda/errors';
import { snsNotification } from '../../support/sqs-records';

const SENT = Date.parse('2026-11-23T10:00:00Z');
const hako = (over: Record<string, unknown> = {}) => ({
  group_name: 'ecs-batch',
  cluster: 'batch',
  cpu: 1024,
  memory: 2048,
  hako_task_id: '0b6f3f4e-6a53-4f0e-9f3e-2b1d7c9a8e11',
  ...over,
});

describe('job launcher formats', () => {
  it('reads a hako oneshot message: one task of the size it names, keyed on its hako_task_id, at the time it was sent', () => {
    expect(parseLauncherMessage(hako(), SENT)).toMatchObject({
      launcher: 'hako',
      cluster: 'batch',
      count: 1,
      size: { cpu: 1024, memory: 2048 },
      resultId: 'hako:0b6f3f4e-6a53-4f0e-9f3e-2b1d7c9a8e11',
      at: SENT,
      addCapacity: true,
    });
  });

  it('gives every re-send of one oneshot the same identity, whatever its SNS message id', () => {
    const a = parseLauncherMessage({ ...snsNotification(hako()), MessageId: 'm-1' });
    const b = parseLauncherMessage({ ...snsNotification(hako()), MessageId: 'm-2' });
    expect(a.resultId).toBe(b.resultId);
    expect(parseLauncherMessage(hako({ hako_task_id: 'other' }), SENT).resultId).not.toBe(a.resultId);
  });

  it('takes the cluster name from a cluster ARN and the time from the SNS envelope', () => {
    const envelope = {
      ...snsNotification(hako({ cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/batch' })),
      Timestamp: '2026-11-23T09:59:50.000Z',
    };
    expect(parseLauncherMessage(envelope, SENT)).toMatchObject({
      cluster: 'batch',
      clusterRef: 'arn:aws:ecs:eu-west-1:123456789012:cluster/batch',
      at: Date.parse('2026-11-23T09:59:50.000Z'),
    });
  });

  it.each<[string, unknown, RegExp]>([
    [
      'a hako message with bad fields',
      hako({ cpu: 'lots', cluster: '', hako_task_id: undefined }),
      /hako oneshot.*cluster: .*cpu: .*hako_task_id: /s,
    ],
    ['a hako message with no time to take', hako(), /needs the time it was sent/],
    ['a v1 result with a bad version', { version: 2, at: 'soon' }, /not a RunTask result \(version 1\): version: .*at: /s],
    [
      'a message of no known format',
      { hello: 'world' },
      /nor of another known job launcher: version: .*or hako: hako oneshot \(group_name, cluster, cpu, memory, hako_task_id\)/s,
    ],
  ])('names what is wrong with %s', (_name, message, error) => {
    const sentAt = _name.includes('no time') ? undefined : SENT;
    expect(() => parseLauncherMessage(message, sentAt)).toThrow(EventValidationError);
    expect(() => parseLauncherMessage(message, sentAt)).toThrow(error);
  });

  it('has one claimant at most for each known message', () => {
    const v1 = { version: 1, at: '2026-11-23T10:00:00Z', request: { cluster: 'c', taskDefinition: 'td:1', count: 1 }, response: {} };
    for (const m of [v1, hako()]) expect(LAUNCHERS.filter((l) => l.claims(m))).toHaveLength(1);
  });
});

describe('the capacity writer message with a launcher-given size', () => {
  it('carries cpu and memory to the writer, and names a bad one', () => {
    const m = runTaskMessage('batch', 'hako:x', 'hako:ecs-batch', 1, SENT, undefined, { cpu: 1024, memory: 2048 });
    expect(parseCapacityMessage(JSON.parse(JSON.stringify(m)))).toMatchObject({ cpu: 1024, memory: 2048 });
    expect(() => parseCapacityMessage({ ...m, cpu: -1 })).toThrow(/cpu: expected a whole number/);
  });
});
