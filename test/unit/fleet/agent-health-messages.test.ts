import { parseAgentHealthConfig } from '../../../shared/fleet/agent-health/config';
import { parseAgentHealthEvent } from '../../../shared/fleet/agent-health/messages';
import { ConfigError, EventValidationError } from '../../../shared/lambda/errors';

/** The documented example's shape (ecs_container_instance_events.html), trimmed of fields we ignore. */
const STATE_CHANGE = {
  version: '0',
  id: '8952ba83-7be2-4ab5-9c32-6687532d15a2',
  'detail-type': 'ECS Container Instance State Change',
  source: 'aws.ecs',
  account: '111122223333',
  time: '2016-12-06T16:41:06Z',
  region: 'us-east-1',
  resources: ['arn:aws:ecs:us-east-1:111122223333:container-instance/b54a2a04-046f-4331-9d74-3f6d7f6ca315'],
  detail: {
    agentConnected: false,
    attributes: [{ name: 'com.amazonaws.ecs.capability.logging-driver.syslog' }],
    clusterArn: 'arn:aws:ecs:us-east-1:111122223333:cluster/default',
    containerInstanceArn: 'arn:aws:ecs:us-east-1:111122223333:container-instance/b54a2a04-046f-4331-9d74-3f6d7f6ca315',
    ec2InstanceId: 'i-f3a8506b',
    registeredResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 2048 }],
    remainingResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 1988 }],
    status: 'ACTIVE',
    version: 14801,
    versionInfo: { agentHash: 'aebcbca', agentVersion: '1.13.0', dockerVersion: 'DockerVersion: 1.11.2' },
    updatedAt: '2016-12-06T16:41:06.991Z',
  },
};

describe('parseAgentHealthEvent', () => {
  it('reads a container-instance state change: its cluster, instance, agent state and when ECS saw it', () => {
    expect(parseAgentHealthEvent(STATE_CHANGE)).toEqual({
      kind: 'state-change',
      eventId: STATE_CHANGE.id,
      cluster: 'default',
      ec2InstanceId: 'i-f3a8506b',
      agentConnected: false,
      status: 'ACTIVE',
      at: Date.parse('2016-12-06T16:41:06.991Z'),
    });
  });

  it('takes a scheduled event or an empty manual invoke as a run over every cluster', () => {
    const scheduled = { ...STATE_CHANGE, 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };
    expect(parseAgentHealthEvent(scheduled)).toEqual({ kind: 'schedule', eventId: STATE_CHANGE.id });
    expect(parseAgentHealthEvent({})).toEqual({ kind: 'schedule' });
  });

  it('names every bad field of a malformed state change', () => {
    const bad = {
      ...STATE_CHANGE,
      detail: { ...STATE_CHANGE.detail, agentConnected: 'false', ec2InstanceId: 'web-1', updatedAt: 'yesterday' },
    };
    expect(() => parseAgentHealthEvent(bad)).toThrow(EventValidationError);
    expect(() => parseAgentHealthEvent(bad)).toThrow(/detail\.agentConnected.*detail\.ec2InstanceId.*detail\.updatedAt/s);
  });

  it('refuses any other event, naming what it got', () => {
    expect(() => parseAgentHealthEvent({ 'detail-type': 'ECS Task State Change' })).toThrow(/ECS Task State Change/);
    expect(() => parseAgentHealthEvent(null)).toThrow(EventValidationError);
  });
});

describe('parseAgentHealthConfig', () => {
  it('defaults: 10 minutes disconnected, breaker above 30 %, one replacement per cluster per run, acting', () => {
    expect(parseAgentHealthConfig({})).toMatchObject({
      clusters: [],
      reportOnly: false,
      disconnectedMs: 600_000,
      breakerPercent: 30,
      maxReplacePerRun: 1,
      drainMaxMs: 600_000,
      concurrency: 4,
    });
  });

  it('DRY_RUN is report-only: its drains are dry runs too; the old REPORT_ONLY switch is gone', () => {
    expect(parseAgentHealthConfig({ DRY_RUN: 'yes' })).toMatchObject({ reportOnly: true, drain: { dryRun: true } });
    expect(parseAgentHealthConfig({}).reportOnly).toBe(false);
    expect(parseAgentHealthConfig({ REPORT_ONLY: 'true' })).toMatchObject({ reportOnly: false, drain: { dryRun: false } });
  });

  it('names every bad variable and its value', () => {
    const bad = () => parseAgentHealthConfig({ AGENT_DISCONNECTED_SECONDS: '30', AGENT_BREAKER_PERCENT: '0' });
    expect(bad).toThrow(ConfigError);
    for (const named of ['AGENT_DISCONNECTED_SECONDS="30"', 'AGENT_BREAKER_PERCENT="0"']) expect(bad).toThrow(named);
    expect(() => parseAgentHealthConfig({ DRY_RUN: 'maybe' })).toThrow('DRY_RUN="maybe"');
    expect(() => parseAgentHealthConfig({ CAPACITY_BACKENDS: 'web=k8s:x' })).toThrow(/CAPACITY_BACKENDS/);
  });
});
