import { parseAsgDrainConfig, parseDrainConfig } from '../../../shared/drain/config';
import { ConfigError } from '../../../shared/lambda/errors';

describe('drain configuration', () => {
  it('has working defaults: every cluster, 15 s margin, 5 s polls, 90 s drain wait, keep serving on, no tolerance for expired notices, no agent families, 30 s stop timeout', () => {
    expect(parseDrainConfig({})).toEqual({
      clusters: [],
      dryRun: false,
      safetyMarginMs: 15_000,
      pollMs: 5_000,
      maxWaitMs: 90_000,
      keepServing: true,
      expiredToleranceMs: 0,
      interruptedTasksTopicArn: undefined,
      agentFamilies: [],
      stopTimeoutMs: 30_000,
      deadLetterQueueName: undefined,
    });
  });

  it('reads agent families and the stop timeout, and names a bad stop timeout', () => {
    const c = parseDrainConfig({ AGENT_FAMILIES: 'dd-agent, fluent-bit', DRAIN_STOP_TIMEOUT_SECONDS: '10' });
    expect(c.agentFamilies).toEqual(['dd-agent', 'fluent-bit']);
    expect(c.stopTimeoutMs).toBe(10_000);
    expect(() => parseDrainConfig({ DRAIN_STOP_TIMEOUT_SECONDS: '500' })).toThrow(/DRAIN_STOP_TIMEOUT_SECONDS/);
  });

  it('reads lists, booleans and seconds', () => {
    const c = parseDrainConfig({ CLUSTERS: 'web, batch  arn:aws:ecs:eu-west-1:1:cluster/x', DRY_RUN: 'true', DRAIN_POLL_SECONDS: '2' });
    expect(c.clusters).toEqual(['web', 'batch', 'arn:aws:ecs:eu-west-1:1:cluster/x']);
    expect(c.dryRun).toBe(true);
    expect(c.pollMs).toBe(2_000);
  });

  it('treats an empty or blank value as unset (a blank stage param must not become a cluster called "")', () => {
    expect(parseDrainConfig({ CLUSTERS: '', DRAIN_POLL_SECONDS: '  ', INTERRUPTED_TASKS_TOPIC_ARN: '' })).toMatchObject({
      clusters: [],
      pollMs: 5_000,
      interruptedTasksTopicArn: undefined,
    });
  });

  it.each([
    [{ DRAIN_POLL_SECONDS: '0' }, /DRAIN_POLL_SECONDS="0": expected a whole number from 1 to 60/],
    [{ DRAIN_SAFETY_MARGIN_SECONDS: 'ten' }, /DRAIN_SAFETY_MARGIN_SECONDS="ten"/],
    [{ DRY_RUN: 'maybe' }, /DRY_RUN="maybe": expected true or false/],
    [{ INTERRUPTED_TASKS_TOPIC_ARN: 'my-topic' }, /INTERRUPTED_TASKS_TOPIC_ARN="my-topic": expected an sns ARN/],
  ])('refuses %j with an error naming the variable and the value', (env, message) => {
    expect(() => parseDrainConfig(env)).toThrow(ConfigError);
    expect(() => parseDrainConfig(env)).toThrow(message);
  });

  it('requires the drain queue name for the ASG drain (it hands long drains on through it)', () => {
    expect(() => parseAsgDrainConfig({})).toThrow(/DRAIN_QUEUE_NAME=null: required/);
    expect(parseAsgDrainConfig({ DRAIN_QUEUE_NAME: 'q', ASG_STEP_SECONDS: '60' })).toMatchObject({
      drainQueueName: 'q',
      stepMs: 60_000,
      defaultHeartbeatSeconds: 300,
    });
  });

  it('owns only the configured lifecycle hooks (default ecs-steady-drain) and drains an ASG instance up to an hour by default', () => {
    expect(parseAsgDrainConfig({ DRAIN_QUEUE_NAME: 'q' })).toMatchObject({
      hookNames: ['ecs-steady-drain'],
      drainMaxMs: 3_600_000,
      maxWaitMs: 3_600_000,
      deadlineResult: 'CONTINUE',
    });
    expect(
      parseAsgDrainConfig({
        DRAIN_QUEUE_NAME: 'q',
        LIFECYCLE_HOOK_NAMES: 'a, b',
        ASG_OWNERSHIP_TAG: 'ecs-steady',
        ASG_DEADLINE_RESULT: 'ABANDON',
      }),
    ).toMatchObject({
      hookNames: ['a', 'b'],
      ownershipTag: 'ecs-steady',
      deadlineResult: 'ABANDON',
    });
    expect(() => parseAsgDrainConfig({ DRAIN_QUEUE_NAME: 'q', ASG_DEADLINE_RESULT: 'STOP' })).toThrow(
      /ASG_DEADLINE_RESULT="STOP": expected CONTINUE or ABANDON/,
    );
  });
});
