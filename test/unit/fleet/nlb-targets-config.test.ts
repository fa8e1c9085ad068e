import { parseNlbTargetsConfig } from '../../../shared/fleet/nlb-targets/config';
import { parseSyncRequest } from '../../../shared/fleet/nlb-targets/messages';
import { ConfigError, EventValidationError } from '../../../shared/lambda/errors';

const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-fluentd/0123456789abcdef';
const TG2 = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/batch-fluentd/fedcba9876543210';

describe('NLB_TARGETS config', () => {
  it('reads cluster=targetGroupArn:port items with their defaults', () => {
    expect(parseNlbTargetsConfig({ NLB_TARGETS: `web=${TG}:24224, batch=${TG2}:24225` })).toEqual({
      bindings: [
        { cluster: 'web', targetGroupArn: TG, port: 24224 },
        { cluster: 'batch', targetGroupArn: TG2, port: 24225 },
      ],
      prune: false,
      dryRun: false,
      deadLetterQueueName: undefined,
    });
  });

  it.each([
    ['a missing mapping', {}, /NLB_TARGETS=null: required/],
    ['an empty mapping', { NLB_TARGETS: '  ' }, /NLB_TARGETS=null: required/],
    ['an item without a cluster', { NLB_TARGETS: `${TG}:24224` }, /expected cluster=targetGroupArn:port/],
    [
      'a load balancer ARN instead of a target group',
      { NLB_TARGETS: `web=${TG.replace('targetgroup', 'loadbalancer/net')}:80` },
      /"web=arn:.*": expected an ELBv2 target group ARN/,
    ],
    ['a port out of range', { NLB_TARGETS: `web=${TG}:70000` }, /expected a port from 1 to 65535/],
    ['no port', { NLB_TARGETS: `web=${TG}` }, /expected/],
    ['a cluster listed twice', { NLB_TARGETS: `web=${TG}:1,web=${TG2}:2` }, /cluster web is listed twice/],
    ['a target group bound to two clusters', { NLB_TARGETS: `web=${TG}:1,batch=${TG}:1` }, /target group bound to two clusters/],
    ['a bad prune flag', { NLB_TARGETS: `web=${TG}:1`, NLB_TARGETS_PRUNE: 'maybe' }, /NLB_TARGETS_PRUNE="maybe": expected true or false/],
  ])('refuses %s, naming it', (_name, env, message) => {
    expect(() => parseNlbTargetsConfig(env)).toThrow(ConfigError);
    expect(() => parseNlbTargetsConfig(env)).toThrow(message);
  });

  it('names every bad item at once', () => {
    expect(() => parseNlbTargetsConfig({ NLB_TARGETS: `web=${TG}:0,batch=nope:1` })).toThrow(
      /"web=.*:0": .*; NLB_TARGETS=.*"batch=nope:1"/,
    );
  });
});

describe('nlbTargetSync triggers', () => {
  const envelope = { version: '0', id: 'e-1', account: '123456789012', time: '2026-12-01T10:00:00Z', region: 'eu-west-1' };

  it('reads a container instance state change as that instance of that cluster', () => {
    const event = {
      ...envelope,
      source: 'aws.ecs',
      'detail-type': 'ECS Container Instance State Change',
      resources: ['arn:aws:ecs:eu-west-1:123456789012:container-instance/web/abc'],
      detail: {
        clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/web',
        containerInstanceArn: 'arn:aws:ecs:eu-west-1:123456789012:container-instance/web/abc',
        ec2InstanceId: 'i-0123456789abcdef0',
        status: 'DRAINING',
        agentConnected: true,
      },
    };
    expect(parseSyncRequest(event)).toEqual({
      kind: 'instance',
      eventId: 'e-1',
      cluster: 'web',
      ec2InstanceId: 'i-0123456789abcdef0',
      status: 'DRAINING',
    });
  });

  it('reads a Spot notice and the schedule', () => {
    const spot = {
      ...envelope,
      source: 'aws.ec2',
      'detail-type': 'EC2 Spot Instance Interruption Warning',
      detail: { 'instance-id': 'i-0123456789abcdef0', 'instance-action': 'terminate' },
    };
    expect(parseSyncRequest(spot)).toEqual({ kind: 'spot', eventId: 'e-1', ec2InstanceId: 'i-0123456789abcdef0' });
    expect(parseSyncRequest({ ...envelope, source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} })).toEqual({
      kind: 'reconcile',
      eventId: 'e-1',
    });
  });

  it('refuses anything else, naming the bad fields', () => {
    expect(() => parseSyncRequest({ ...envelope, source: 'aws.ecs', 'detail-type': 'ECS Task State Change' })).toThrow(
      /detail-type: expected/,
    );
    const bad = {
      ...envelope,
      source: 'aws.ecs',
      'detail-type': 'ECS Container Instance State Change',
      detail: { clusterArn: 'web', ec2InstanceId: 'x' },
    };
    expect(() => parseSyncRequest(bad)).toThrow(EventValidationError);
    expect(() => parseSyncRequest(bad)).toThrow(
      /detail.clusterArn: expected an ECS cluster ARN.*detail.containerInstanceArn.*detail.ec2InstanceId/,
    );
  });
});
