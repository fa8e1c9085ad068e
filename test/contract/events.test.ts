import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { parsePlacementFailure, parseRunTaskResult } from '../../shared/capacity/messages';
import { deduplicationIdOf, parseCapacityMessage } from '../../shared/capacity/writer-messages';
import { parseAsgMessage } from '../../shared/drain/messages';
import { lifecycleTerminateEvent, parseSpotSignal, spotInterruptionEvent } from '../../shared/drain/messages';
import { parseAgentHealthEvent } from '../../shared/fleet/agent-health/messages';
import { parseLogVolumesEvent } from '../../shared/fleet/log-volumes/messages';
import { parseSyncRequest } from '../../shared/fleet/nlb-targets/messages';
import { parsePreflightEvent } from '../../shared/fleet/preflight/messages';
import { logPartitionsEvent, logSearchEvent, scheduledEvent } from '../../shared/logs/events';
import { matchesPattern } from '../support/event-pattern';
import { loadServerlessConfig } from '../support/serverless-config';

// deploy/stack.js is CommonJS; its `derive` holds the same functions osls calls.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { derive } = require('../../deploy/stack.js') as { derive: Record<string, (values: Record<string, string>) => unknown> };
const EVENTS_DIR = join(__dirname, '..', '..', 'events');
/** An NLB binding, so that the optional nlbTargetSync is in the config (it is not deployed without one). */
const NLB_TARGETS = 'web=arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-fluentd/0123456789abcdef:24224';
/** A logs bucket, so that the optional logPartitions and logSearch are in the config too. */
const config = loadServerlessConfig(undefined, 'dev', { nlbTargets: NLB_TARGETS, logsBucket: 'acme-logs' });

/** Where each sample event goes: the function it feeds, how it is parsed, and which rule must match it. */
interface Sample {
  fn: string;
  parse: (event: any) => unknown;
  /** The EventBridge pattern that must select this event (function rule or a resource rule). */
  pattern?: () => Record<string, unknown>;
  /** False for a sample the rule must *not* select (another team's lifecycle hook). */
  selected?: boolean;
}

/** The function's first eventBridge rule with a pattern (a schedule has none). */
const functionRule = (fn: string) => () => {
  const rule = config.functions[fn]?.events?.find((e) => e.eventBridge?.pattern)?.eventBridge;
  if (!rule?.pattern) throw new Error(`${fn} has no eventBridge pattern in serverless.yml`);
  return resolveSubs(rule.pattern, { region: 'eu-west-1', account: '123456789012' }) as Record<string, unknown>;
};
/** `Fn::Sub` ARNs (deploy/stack.js builds them with this stack's partition, region and account) as CloudFormation resolves them. */
const resolveSubs = (value: unknown, at: { region: string; account: string }): unknown => {
  if (Array.isArray(value)) return value.map((v) => resolveSubs(v, at));
  if (value && typeof value === 'object') {
    const sub = (value as { 'Fn::Sub'?: string })['Fn::Sub'];
    if (typeof sub === 'string')
      return sub.replace('${AWS::Partition}', 'aws').replace('${AWS::Region}', at.region).replace('${AWS::AccountId}', at.account);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveSubs(v, at)]));
  }
  return value;
};
/** A scheduled sample must come from the function's own schedule rule. */
const fromScheduleRule = (fn: string, parse: (event: unknown) => unknown) => (event: { resources?: string[] }) => {
  const rule = config.functions[fn]?.events?.find((e) => e.eventBridge?.schedule)?.eventBridge;
  if (!rule) throw new Error(`${fn} has no schedule in serverless.yml`);
  if (!event.resources?.some((r) => r.endsWith(`:rule/${rule.name}`))) throw new Error(`sample does not come from the rule ${rule.name}`);
  return parse(event);
};
const resourceRule = (logicalId: string) => () => {
  const pattern = config.resources?.Resources?.[logicalId]?.Properties?.EventPattern;
  if (!pattern) throw new Error(`resource ${logicalId} has no EventPattern`);
  return pattern;
};
const parseWith = (schema: z.ZodType) => (event: unknown) => schema.parse(event);
/** As the handler reads an SQS record: the body is a JSON string (EventBridge and SNS put the message there as text). */
const asSqsBody = (message: unknown) => JSON.parse(JSON.stringify(message)) as unknown;
/** A RunTask result (any launcher's format, raw or in its SNS envelope) that more capacity answers. */
const runTaskShortfall = (message: unknown) => {
  const s = parseRunTaskResult(asSqsBody(message));
  if (!s.addCapacity || s.count < 1) throw new Error(`sample is not a shortfall capacity answers: ${s.reason}`);
  return s;
};

/** Every file in events/ must have an entry here, so no sample goes unchecked. */
const SAMPLES: Record<string, Sample> = {
  'spot-interruption.json': {
    fn: 'spotInterruption',
    parse: (event) => spotInterruptionEvent.parse(asSqsBody(event)),
    pattern: resourceRule('SpotInterruptionRule'),
  },
  'rebalance-recommendation.json': {
    fn: 'spotInterruption',
    parse: (event) => {
      const s = parseSpotSignal(asSqsBody(event));
      if (s.kind !== 'rebalance') throw new Error(`expected a rebalance recommendation, got ${s.kind}`);
      return s;
    },
    pattern: resourceRule('RebalanceRecommendationRule'),
  },
  'asg-lifecycle-terminate.json': {
    fn: 'asgLifecycleDrain',
    parse: parseWith(lifecycleTerminateEvent),
    pattern: resourceRule('AsgTerminateRule'),
  },
  'asg-lifecycle-terminate-warm-pool.json': {
    fn: 'asgLifecycleDrain',
    parse: parseWith(lifecycleTerminateEvent),
    pattern: resourceRule('AsgTerminateRule'),
  },
  'asg-lifecycle-terminate-foreign-hook.json': {
    fn: 'asgLifecycleDrain',
    parse: (event: unknown) => {
      if (parseAsgMessage(event, ['ecs-steady-drain']).kind !== 'foreign') throw new Error('expected a hook that is not ours');
    },
    pattern: resourceRule('AsgTerminateRule'),
    selected: false,
  },
  'asg-lifecycle-drain-sqs.json': {
    fn: 'asgLifecycleDrain',
    parse: (event: { Records: Array<{ body: string }> }) =>
      event.Records.map((r) => {
        const m = parseAsgMessage(JSON.parse(r.body), ['ecs-steady-drain']);
        if (m.kind === 'foreign') throw new Error('sample names a hook that is not ours');
        return m;
      }),
  },
  // logPartitions runs on a schedule (no pattern to match); backfill is an on-demand invoke.
  'log-partitions-daily.json': { fn: 'logPartitions', parse: parseWith(logPartitionsEvent) },
  'log-partitions-backfill.json': { fn: 'logPartitions', parse: parseWith(logPartitionsEvent) },
  'log-search.json': { fn: 'logSearch', parse: parseWith(logSearchEvent) },
  // scaleTick ignores its event's content: its schema is "the scheduled event of its own rule".
  'scale-tick.json': {
    fn: 'scaleTick',
    parse: (event: unknown) => {
      const e = scheduledEvent.parse(event);
      const rule = config.functions.scaleTick?.events?.find((x) => x.eventBridge)?.eventBridge;
      if (rule?.schedule !== 'rate(1 minute)') throw new Error(`scaleTick's rule is not every minute: ${JSON.stringify(rule)}`);
      if (!e.resources?.some((r) => r.endsWith(`:rule/${rule.name}`))) throw new Error(`sample does not come from the rule ${rule.name}`);
    },
  },
  // The capacity writer's FIFO batch: each record's group is its cluster and its deduplication id the message's own.
  'capacity-writer-sqs.json': {
    fn: 'capacityWriter',
    parse: (event: { Records: Array<{ body: string; eventSourceARN: string; attributes: Record<string, string> }> }) =>
      event.Records.map((r) => {
        const m = parseCapacityMessage(JSON.parse(r.body));
        if (r.attributes.MessageGroupId !== m.cluster)
          throw new Error(`group ${r.attributes.MessageGroupId} is not the cluster ${m.cluster}`);
        if (r.attributes.MessageDeduplicationId !== deduplicationIdOf(m)) throw new Error(`unexpected deduplication id for ${r.body}`);
        if (!r.eventSourceARN.endsWith(':ecs-steady-dev-capacity.fifo')) throw new Error(`not the capacity queue: ${r.eventSourceARN}`);
        return m;
      }),
  },
  // What a job launcher publishes (raw message delivery: the SQS body), and the same path without raw delivery (the SNS envelope).
  'run-task-result.json': { fn: 'runTaskFailure', parse: runTaskShortfall },
  'run-task-result-sns.json': { fn: 'runTaskFailure', parse: runTaskShortfall },
  // What hako oneshot publishes when RunTask starts no task (shared/capacity/launchers/hako.ts), in its SNS envelope.
  'run-task-result-hako.json': { fn: 'runTaskFailure', parse: runTaskShortfall },
  // EventBridge → PlacementFailureRule → the queue: the SQS body is the event.
  'placement-failure.json': {
    fn: 'placementFailure',
    parse: (event: unknown) => {
      const r = parsePlacementFailure(asSqsBody(event));
      if (r.reasons.length === 0) throw new Error("the sample's detail.reason was dropped");
      return r;
    },
    pattern: resourceRule('PlacementFailureRule'),
  },
  // Fleet hygiene (issue 12). agentHealth's rule selects disconnects only; its schedule sends the scheduled event.
  'agent-disconnected.json': {
    fn: 'agentHealth',
    parse: (event: unknown) => {
      const r = parseAgentHealthEvent(event);
      if (r.kind !== 'state-change' || r.agentConnected) throw new Error('expected a disconnect');
      return r;
    },
    pattern: functionRule('agentHealth'),
  },
  // nlbTargetSync's container-instance rule (the bound clusters); it also takes spot-interruption.json and its schedule (checked below).
  'container-instance-draining.json': {
    fn: 'nlbTargetSync',
    parse: (event: unknown) => {
      const r = parseSyncRequest(event);
      if (r.kind !== 'instance' || r.status !== 'DRAINING') throw new Error('expected a DRAINING instance');
      return r;
    },
    pattern: functionRule('nlbTargetSync'),
  },
  'log-volumes-scheduled.json': { fn: 'logVolumes', parse: fromScheduleRule('logVolumes', parseLogVolumesEvent) },
  // preflight is invoked on demand only.
  'preflight-request.json': { fn: 'preflight', parse: parsePreflightEvent },
};

describe('sample events', () => {
  const files = readdirSync(EVENTS_DIR).filter((f) => f.endsWith('.json'));

  it('has a sample for every function in serverless.yml', () => {
    const covered = new Set(files.map((f) => SAMPLES[f]?.fn));
    expect(Object.keys(config.functions).filter((fn) => !covered.has(fn))).toEqual([]);
  });

  it.each(files)('%s is known, parses with its function schema and matches its rule', (file) => {
    const sample = SAMPLES[file];
    if (!sample) throw new Error(`events/${file} has no entry in the contract test's SAMPLES table`);
    expect(config.functions[sample.fn]).toBeDefined();
    const event = JSON.parse(readFileSync(join(EVENTS_DIR, file), 'utf8'));
    expect(() => sample.parse(event)).not.toThrow();
    if (sample.pattern) expect(matchesPattern(sample.pattern(), event)).toBe(sample.selected ?? true);
  });

  it('the Spot rule does not select other EC2 events', () => {
    const other = { source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: {} };
    expect(matchesPattern(resourceRule('SpotInterruptionRule')(), other)).toBe(false);
  });

  it('the placement-failure rule selects SERVICE_TASK_PLACEMENT_FAILURE only, and with `clusters` set only in those clusters', () => {
    const sample = JSON.parse(readFileSync(join(EVENTS_DIR, 'placement-failure.json'), 'utf8'));
    const rule = resourceRule('PlacementFailureRule')();
    const steady = { ...sample, detail: { ...sample.detail, eventType: 'INFO', eventName: 'SERVICE_STEADY_STATE' } };
    expect(matchesPattern(rule, steady)).toBe(false);
    // The cluster ARNs are built with this stack's partition, region and account (as CloudFormation's Fn::Sub resolves them).
    const detail = derive.placementFailureDetail!({ clusters: 'web,arn:aws:ecs:eu-west-1:123456789012:cluster/batch' }) as {
      clusterArn: Array<{ 'Fn::Sub': string }>;
    };
    const arns = detail.clusterArn.map((a) =>
      a['Fn::Sub']
        .replace('${AWS::Partition}', 'aws')
        .replace('${AWS::Region}', sample.region)
        .replace('${AWS::AccountId}', sample.account),
    );
    expect(arns).toEqual([sample.detail.clusterArn, 'arn:aws:ecs:eu-west-1:123456789012:cluster/batch']);
    const managed = { ...rule, detail: { ...detail, clusterArn: arns } };
    expect(matchesPattern(managed, sample)).toBe(true);
    const elsewhere = { ...sample, detail: { ...sample.detail, clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/other' } };
    expect(matchesPattern(managed, elsewhere)).toBe(false);
  });

  it("agentHealth's rule selects disconnects only, and with `clusters` set only in those clusters", () => {
    const sample = JSON.parse(readFileSync(join(EVENTS_DIR, 'agent-disconnected.json'), 'utf8'));
    const rule = functionRule('agentHealth')();
    expect(matchesPattern(rule, { ...sample, detail: { ...sample.detail, agentConnected: true } })).toBe(false);
    const detail = resolveSubs(
      derive.agentDisconnectedDetail!({ clusters: 'web,arn:aws:ecs:eu-west-1:123456789012:cluster/batch' }),
      sample,
    );
    const managed = { ...rule, detail };
    expect(matchesPattern(managed, sample)).toBe(true);
    const elsewhere = { ...sample, detail: { ...sample.detail, clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/other' } };
    expect(matchesPattern(managed, elsewhere)).toBe(false);
  });

  it("nlbTargetSync's rules: the bound clusters' container instances, every Spot notice, and a reconcile schedule it parses", () => {
    const sample = JSON.parse(readFileSync(join(EVENTS_DIR, 'container-instance-draining.json'), 'utf8'));
    const elsewhere = { ...sample, detail: { ...sample.detail, clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/batch' } };
    expect(matchesPattern(functionRule('nlbTargetSync')(), elsewhere)).toBe(false);
    const rules = config.functions.nlbTargetSync!.events!.map((e) => e.eventBridge);
    const spot = JSON.parse(readFileSync(join(EVENTS_DIR, 'spot-interruption.json'), 'utf8'));
    expect(rules.filter((r) => r.pattern && matchesPattern(r.pattern, spot)).length).toBe(1);
    expect(parseSyncRequest(spot)).toMatchObject({ kind: 'spot' });
    const schedule = rules.find((r) => r.schedule);
    const tick = { ...JSON.parse(readFileSync(join(EVENTS_DIR, 'log-volumes-scheduled.json'), 'utf8')) };
    expect(schedule?.schedule).toMatch(/^rate\(/);
    expect(parseSyncRequest(tick)).toMatchObject({ kind: 'reconcile' });
  });

  it('leaves nlbTargetSync out of the config when nlbTargets is empty (the default)', () => {
    expect(loadServerlessConfig().functions.nlbTargetSync).toBeUndefined();
    expect(derive.preflightFunctions!({ nlbTargets: '' })).not.toContain('nlbTargetSync');
    expect(derive.preflightFunctions!({ nlbTargets: NLB_TARGETS })).toContain('nlbTargetSync');
  });

  it('delivers each SQS-carried sample to its function: the topic to the runTaskFailure queue with raw delivery, the rule to the placementFailure queue', () => {
    const resources = config.resources?.Resources ?? {};
    // serverless.yml's `!GetAtt Queue.Arn` (short form), as the function's sqs event names its queue.
    const queueOf = (fn: string) => config.functions[fn]?.events?.find((e) => e.sqs)?.sqs.arn as unknown;
    const subscription = Object.values(resources).find((r) => r.Type === 'AWS::SNS::Subscription')!.Properties;
    expect(subscription).toMatchObject({ Protocol: 'sqs', RawMessageDelivery: true });
    expect(subscription.Endpoint).toEqual(queueOf('runTaskFailure'));
    expect(resources.PlacementFailureRule!.Properties.Targets.map((t: { Arn: unknown }) => t.Arn)).toEqual([queueOf('placementFailure')]);
    expect(queueOf('runTaskFailure')).toEqual({ 'Fn::GetAtt': 'RunTaskFailureQueue.Arn' });
    expect(queueOf('placementFailure')).toEqual({ 'Fn::GetAtt': 'PlacementFailureQueue.Arn' });
    for (const fn of ['runTaskFailure', 'placementFailure'])
      expect([fn, config.functions[fn]!.events![0]!.sqs.functionResponseType]).toEqual([fn, 'ReportBatchItemFailures']);
  });

  it('keeps function environments free of CloudFormation references (sls invoke local works offline)', () => {
    const envs = [config.provider.environment ?? {}, ...Object.values(config.functions).map((f) => f.environment ?? {})];
    for (const env of envs) for (const [key, value] of Object.entries(env)) expect([key, typeof value]).toEqual([key, 'string']);
  });
});
