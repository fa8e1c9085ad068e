import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callsInBundle, type SentCall } from './bundle-commands';
import { packageStack, zipEntries, type PackagedStack, type Template } from './package-stack';

/**
 * The packaged CloudFormation template, read as an operator would: `sls package` offline for
 * the defaults (dev) and for an operator's prod config, then every function's role is checked
 * against the calls its own bundle can send (derived from the code, not listed here), and the
 * delivery, alarm and bundle promises of README "Security" and "Operating" are checked.
 */

const OPERATOR = {
  clusters: 'web,arn:aws:ecs:eu-west-1:123456789012:cluster/batch',
  targetGroupNames: 'web-*,api-*',
  asgOwnershipTag: 'ecs-steady:drain',
  interruptedTasksTopicArn: 'arn:aws:sns:eu-west-1:123456789012:interrupted-tasks',
  alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall',
  lifecycleHookNames: 'ecs-steady-drain, batch-drain',
  asgLifecycleDrainTimeoutSeconds: '600',
  logsBucket: 'acme-logs',
};

/**
 * Actions allowed on `Resource: "*"`: the Service Authorization Reference lists no resource
 * type for them ("If there is no value for this column, you must specify all resources").
 */
const NO_RESOURCE_LEVEL: Record<string, string> = {
  'ecs:ListClusters': 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html',
  'ecs:ListTaskDefinitionFamilies':
    'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html',
  'ecs:DescribeTaskDefinition':
    'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html',
  'elasticloadbalancing:DescribeTargetHealth':
    'https://docs.aws.amazon.com/service-authorization/latest/reference/list_elasticloadbalancingv2.html',
  'elasticloadbalancing:DescribeTargetGroupAttributes':
    'https://docs.aws.amazon.com/service-authorization/latest/reference/list_elasticloadbalancingv2.html',
  'elasticloadbalancing:DescribeTargetGroups':
    'https://docs.aws.amazon.com/service-authorization/latest/reference/list_elasticloadbalancingv2.html',
  'autoscaling:DescribeLifecycleHooks': 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html',
  'autoscaling:DescribeAutoScalingGroups':
    'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html',
};

/**
 * What AWS does with the caller's permissions when the code sends an action: Athena reads the
 * catalogue and the data, and writes the results, as the caller (Athena User Guide, "Access to
 * Amazon S3" and "Fine-grained access to databases and tables in the AWS Glue Data Catalog").
 */
const IMPLIED_BY: Record<string, string[]> = {
  'athena:StartQueryExecution': [
    'glue:GetDatabase',
    'glue:GetTable',
    'glue:GetPartition',
    'glue:GetPartitions',
    'glue:BatchGetPartition',
    's3:GetBucketLocation',
    's3:ListBucket',
    's3:GetObject',
    's3:PutObject',
    's3:AbortMultipartUpload',
  ],
  'athena:GetQueryResults': ['s3:GetObject'],
};

/** Actions granted only when the param naming their resource is set. */
const NEEDS_PARAM: Record<string, string> = { 'sns:Publish': 'interruptedTasksTopicArn' };

let defaults: PackagedStack;
let operator: PackagedStack;

beforeAll(async () => {
  [defaults, operator] = await Promise.all([packageStack({ stage: 'dev' }), packageStack({ stage: 'prod', params: OPERATOR })]);
}, 240_000);
afterAll(() => {
  defaults?.dispose();
  operator?.dispose();
});

// ---- template reading -------------------------------------------------------------------

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  NotAction?: unknown;
  NotResource?: unknown;
};

const ofType = (t: Template, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Evaluate the template's conditions (all static after packaging) and drop `AWS::NoValue`. */
function resolveIf(t: Template, value: unknown): unknown {
  const truth = (c: unknown): boolean => {
    const x = c as Record<string, any>;
    if (typeof c === 'object' && c && 'Condition' in x) return truth(t.Conditions?.[x.Condition as string]);
    if (x['Fn::Not']) return !truth(x['Fn::Not'][0]);
    if (x['Fn::Equals']) return JSON.stringify(x['Fn::Equals'][0]) === JSON.stringify(x['Fn::Equals'][1]);
    if (x['Fn::And']) return x['Fn::And'].every(truth);
    if (x['Fn::Or']) return x['Fn::Or'].some(truth);
    throw new Error(`condition not evaluable offline: ${JSON.stringify(c)}`);
  };
  if (Array.isArray(value)) return value.map((v) => resolveIf(t, v)).filter((v) => !isNoValue(v));
  if (value && typeof value === 'object') {
    const o = value as Record<string, any>;
    if (o['Fn::If']) {
      const [cond, yes, no] = o['Fn::If'];
      return resolveIf(t, truth(t.Conditions?.[cond]) ? yes : no);
    }
    return Object.fromEntries(
      Object.entries(o)
        .map(([k, v]) => [k, resolveIf(t, v)])
        .filter(([, v]) => !isNoValue(v)),
    );
  }
  return value;
}
const isNoValue = (v: unknown) => !!v && typeof v === 'object' && (v as { Ref?: string }).Ref === 'AWS::NoValue';

interface Fn {
  key: string;
  logicalId: string;
  name: string;
  props: any;
  roleId: string;
  statements: Statement[];
}

/** Every Lambda function with its role's statements, keyed by its serverless.yml name. */
function functionsOf(stack: PackagedStack): Fn[] {
  const t = stack.template;
  return ofType(t, 'AWS::Lambda::Function').map(([logicalId, r]) => {
    const name = r.Properties.FunctionName as string;
    const key = Object.keys(stack.entries).find((k) => name.endsWith(`-${k}`));
    if (!key) throw new Error(`function ${name} is not in serverless.yml's functions`);
    const roleRef = r.Properties.Role;
    const roleId = roleRef?.['Fn::GetAtt']?.[0] as string | undefined;
    if (!roleId || t.Resources[roleId]?.Type !== 'AWS::IAM::Role')
      throw new Error(`${key}: its Role is not a role of this stack (${JSON.stringify(roleRef)})`);
    const role = resolveIf(t, t.Resources[roleId]!.Properties) as {
      Policies?: Array<{ PolicyDocument: { Statement: Statement[] } }>;
      ManagedPolicyArns?: unknown;
    };
    return {
      key,
      logicalId,
      name,
      props: r.Properties,
      roleId,
      statements: (role.Policies ?? []).flatMap((p) => p.PolicyDocument.Statement),
    };
  });
}

const actionsOf = (statements: Statement[]) => new Set(statements.flatMap((s) => asList(s.Action)));
const refersTo = (value: unknown, logicalId: string) => JSON.stringify(value).includes(`"${logicalId}"`);

/** What runs the function needs, from the template: logs; the SQS poller; the failure destination. */
function platformActions(t: Template, fn: Fn): string[] {
  // Lambda writes the function's logs with its execution role (AWS Lambda Developer Guide, "Lambda execution role", AWSLambdaBasicExecutionRole).
  const actions = ['logs:CreateLogStream', 'logs:PutLogEvents'];
  for (const [, m] of ofType(t, 'AWS::Lambda::EventSourceMapping')) {
    // "Lambda needs the following permissions to manage messages in your Amazon SQS queue" (AWS Lambda Developer Guide, "Using Lambda with Amazon SQS").
    if (refersTo(m.Properties.FunctionName, fn.logicalId) && JSON.stringify(m.Properties.EventSourceArn).includes('Queue'))
      actions.push('sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes');
  }
  for (const [, c] of ofType(t, 'AWS::Lambda::EventInvokeConfig')) {
    // A destination is sent to with the function's execution role (AWS Lambda Developer Guide, "Capturing records of asynchronous invocations").
    if (refersTo(c.Properties.FunctionName, fn.logicalId) && c.Properties.DestinationConfig?.OnFailure) actions.push('sqs:SendMessage');
  }
  return actions;
}

const bundleCalls = new Map<string, SentCall[]>();
function callsOf(stack: PackagedStack, fn: Fn): SentCall[] {
  const cacheKey = `${stack.dir} ${fn.key}`;
  if (!bundleCalls.has(cacheKey)) {
    const metafile = join(stack.buildDir, `${stack.entries[fn.key]}-meta.json`);
    bundleCalls.set(cacheKey, callsInBundle(metafile, stack.dir));
  }
  return bundleCalls.get(cacheKey)!;
}

function expectedActions(stack: PackagedStack, fn: Fn, params: Record<string, string>): Set<string> {
  const sent = callsOf(stack, fn).map((c) => c.action);
  const all = new Set([...sent, ...sent.flatMap((a) => IMPLIED_BY[a] ?? []), ...platformActions(stack.template, fn)]);
  for (const [action, param] of Object.entries(NEEDS_PARAM)) if (!params[param]) all.delete(action);
  return all;
}

const sorted = (s: Iterable<string>) => [...s].sort();

// ---- IAM ----------------------------------------------------------------------------------

describe('IAM: one role per function, exactly the calls its bundle sends', () => {
  it('gives every function its own role and creates no shared role', () => {
    for (const stack of [defaults, operator]) {
      const fns = functionsOf(stack);
      expect(fns.length).toBe(Object.keys(stack.entries).length);
      expect(new Set(fns.map((f) => f.roleId)).size).toBe(fns.length);
      const roles = ofType(stack.template, 'AWS::IAM::Role').map(([id]) => id);
      expect(sorted(roles)).toEqual(sorted(fns.map((f) => f.roleId)));
      expect(ofType(stack.template, 'AWS::IAM::Policy').concat(ofType(stack.template, 'AWS::IAM::ManagedPolicy'))).toEqual([]);
      for (const id of roles) {
        const role = stack.template.Resources[id]!.Properties;
        expect(role.ManagedPolicyArns).toBeUndefined();
        expect(role.AssumeRolePolicyDocument.Statement).toEqual([
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ]);
      }
    }
  });

  it.each([
    ['defaults (dev)', () => defaults, {} as Record<string, string>],
    ['an operator config (prod)', () => operator, OPERATOR],
  ])(
    'with %s, each role grants exactly what its bundle sends, what the platform needs for it, and what AWS does on its behalf',
    (_, stack, params) => {
      const s = stack();
      const diff: Record<string, { missing: string[]; extra: string[] }> = {};
      for (const fn of functionsOf(s)) {
        const granted = actionsOf(fn.statements);
        const expected = expectedActions(s, fn, params);
        const sentBy = Object.fromEntries(callsOf(s, fn).map((c) => [c.action, c.from]));
        diff[fn.key] = {
          // Each missing action names where the code sends it.
          missing: sorted([...expected].filter((a) => !granted.has(a))).map((a) => `${a} (${sentBy[a] ?? 'platform/implied'})`),
          extra: sorted([...granted].filter((a) => !expected.has(a))),
        };
      }
      expect(diff).toEqual(Object.fromEntries(Object.keys(diff).map((k) => [k, { missing: [], extra: [] }])));
    },
  );

  it('lets each function write only its own log group', () => {
    for (const fn of functionsOf(defaults)) {
      const logs = fn.statements.filter((st) => asList(st.Action).some((a) => a.startsWith('logs:')));
      expect([fn.key, logs.map((st) => st.Resource)]).toEqual([
        fn.key,
        [{ 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${fn.name}:*` }],
      ]);
    }
  });

  it('uses no wildcard action, no NotAction/NotResource, and "*" only for actions without resource-level permissions', () => {
    for (const stack of [defaults, operator]) {
      for (const fn of functionsOf(stack)) {
        for (const st of fn.statements) {
          expect([fn.key, st.Sid, st.Effect, st.NotAction, st.NotResource]).toEqual([fn.key, st.Sid, 'Allow', undefined, undefined]);
          for (const action of asList(st.Action))
            expect([fn.key, action]).toEqual([fn.key, expect.stringMatching(/^[a-z0-9-]+:[A-Za-z0-9]+$/)]);
          const star = asList(st.Resource).some((r) => r === '*' || (typeof r === 'string' && /^arn:[^:]*:[^:]*:[^:]*:[^:]*:\*$/.test(r)));
          if (star) expect([fn.key, st.Sid, asList(st.Action).filter((a) => !NO_RESOURCE_LEVEL[a])]).toEqual([fn.key, st.Sid, []]);
          expect([fn.key, st.Sid, asList(st.Resource).length > 0]).toEqual([fn.key, st.Sid, true]);
        }
      }
    }
  });

  it('names no partition: every ARN is built with ${AWS::Partition}', () => {
    expect(JSON.stringify(defaults.template).match(/arn:aws[a-z-]*:[a-z0-9-]+:[^"]*/g) ?? []).toEqual([]);
    // In the operator's template the only literal ARNs are those the operator gave (the cluster ARN
    // only in the functions' CLUSTERS variable: its IAM resources are rebuilt with ${AWS::Partition}).
    const literal = new Set(JSON.stringify(operator.template).match(/arn:aws[a-z-]*:[a-z0-9-]+:[^",]*/g) ?? []);
    expect(sorted(literal)).toEqual(sorted([OPERATOR.interruptedTasksTopicArn, OPERATOR.alarmTopicArn, OPERATOR.clusters.split(',')[1]!]));
    const inRoles = new Set(
      JSON.stringify(functionsOf(operator).map((f) => f.statements)).match(/arn:aws[a-z-]*:[a-z0-9-]+:[^",]*/g) ?? [],
    );
    expect(sorted(inRoles)).toEqual([OPERATOR.interruptedTasksTopicArn]);
  });

  describe('with clusters, target groups, an ownership tag and a topic configured, what changes things is scoped to them', () => {
    const statementsFor = (action: string) =>
      functionsOf(operator).flatMap((fn) => fn.statements.filter((s) => asList(s.Action).includes(action)).map((s) => ({ fn: fn.key, s })));
    const subs = (v: unknown) => asList(v as any).map((r: any) => r?.['Fn::Sub'] ?? r);
    const PREFIX = 'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:';

    it('ECS actions reach only the configured clusters, and DRAINING and StopTask also carry the ecs:cluster condition', () => {
      const ecsActions = new Set(
        functionsOf(operator).flatMap((fn) => [...actionsOf(fn.statements)].filter((a) => a.startsWith('ecs:') && !NO_RESOURCE_LEVEL[a])),
      );
      expect(ecsActions.size).toBeGreaterThan(0);
      for (const action of ecsActions) {
        for (const { s } of statementsFor(action)) {
          for (const r of subs(s.Resource))
            expect(r).toMatch(new RegExp(`^${escape(PREFIX)}(cluster|container-instance|task|service)/(web|batch)(/\\*)?$`));
        }
      }
      for (const action of ['ecs:UpdateContainerInstancesState', 'ecs:StopTask']) {
        const found = statementsFor(action);
        expect(found.length).toBeGreaterThan(0);
        for (const { s } of found)
          expect(subs(s.Condition?.ArnLike?.['ecs:cluster'])).toEqual([`${PREFIX}cluster/web`, `${PREFIX}cluster/batch`]);
      }
    });

    it('DeregisterTargets reaches only the configured target groups', () => {
      for (const { s } of statementsFor('elasticloadbalancing:DeregisterTargets')) {
        expect(subs(s.Resource)).toEqual(
          ['web-*', 'api-*'].map(
            (n) => `arn:\${AWS::Partition}:elasticloadbalancing:\${AWS::Region}:\${AWS::AccountId}:targetgroup/${n}/*`,
          ),
        );
      }
    });

    it('lifecycle actions need the ASG ownership tag', () => {
      for (const action of ['autoscaling:CompleteLifecycleAction', 'autoscaling:RecordLifecycleActionHeartbeat']) {
        const found = statementsFor(action);
        expect(found.length).toBeGreaterThan(0);
        for (const { s } of found) expect(s.Condition).toEqual({ StringLike: { 'autoscaling:ResourceTag/ecs-steady:drain': '*' } });
      }
    });

    it('SNS publish reaches only the interrupted-tasks topic, and not at all without one', () => {
      for (const { s } of statementsFor('sns:Publish')) expect(s.Resource).toBe(OPERATOR.interruptedTasksTopicArn);
      for (const fn of functionsOf(defaults)) expect(actionsOf(fn.statements).has('sns:Publish')).toBe(false);
    });

    it("Athena reaches only logSearch's own workgroup", () => {
      const found = statementsFor('athena:GetQueryExecution');
      expect(found.map((f) => f.fn)).toEqual(['logSearch']);
      for (const { s } of found)
        expect(s.Resource).toEqual({
          'Fn::Sub': 'arn:${AWS::Partition}:athena:${AWS::Region}:${AWS::AccountId}:workgroup/${LogSearchWorkGroup}',
        });
    });
  });
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const readdirRecursive = (root: string, dirs: string[]): string[] =>
  dirs.flatMap((d) =>
    readdirSync(join(root, d), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? readdirRecursive(join(root, d), [e.name]) : e.name.endsWith('.ts') ? [join(root, d, e.name)] : [],
    ),
  );

// ---- delivery -----------------------------------------------------------------------------

describe('delivery: every asynchronous path ends in a dead-letter queue', () => {
  const queueOf = (t: Template, arn: unknown) => {
    const id = (arn as { 'Fn::GetAtt'?: [string, string] })?.['Fn::GetAtt']?.[0];
    return id && t.Resources[id]?.Type === 'AWS::SQS::Queue' ? id : undefined;
  };

  it('every EventBridge target has a retry policy and a dead-letter queue that lets the rule send to it', () => {
    for (const stack of [defaults, operator]) {
      const t = stack.template;
      const rules = ofType(t, 'AWS::Events::Rule');
      expect(rules.length).toBeGreaterThanOrEqual(3);
      for (const [id, rule] of rules) {
        for (const target of rule.Properties.Targets) {
          expect([id, target.RetryPolicy?.MaximumRetryAttempts >= 0, target.RetryPolicy?.MaximumEventAgeInSeconds >= 60]).toEqual([
            id,
            true,
            true,
          ]);
          const dlq = queueOf(t, target.DeadLetterConfig?.Arn);
          expect([id, dlq]).toEqual([id, expect.any(String)]);
          // The queue policy must let this rule send (EventBridge User Guide, "Granting permissions to the dead-letter queue").
          const policies = ofType(t, 'AWS::SQS::QueuePolicy').filter(([, p]) => refersTo(p.Properties.Queues, dlq!));
          const sources = policies.flatMap(([, p]) =>
            p.Properties.PolicyDocument.Statement.flatMap((s: Statement) => asList(s.Condition?.ArnEquals?.['aws:SourceArn'])),
          );
          const ruleArn = JSON.stringify(sources);
          expect([id, ruleArn.includes(`"${id}"`) || ruleArn.includes(`:rule/${rule.Properties.Name}"`)]).toEqual([id, true]);
        }
      }
    }
  });

  it('every function invoked asynchronously has a failure destination queue; every queue a function reads has a redrive policy', () => {
    const t = defaults.template;
    const fns = functionsOf(defaults);
    const targets = ofType(t, 'AWS::Events::Rule').flatMap(([, r]) => r.Properties.Targets.map((x: { Arn: unknown }) => x.Arn));
    for (const fn of fns) {
      const eventTarget = targets.some((a) => refersTo(a, fn.logicalId));
      const config = ofType(t, 'AWS::Lambda::EventInvokeConfig').find(([, c]) => refersTo(c.Properties.FunctionName, fn.logicalId))?.[1];
      if (eventTarget || config)
        expect([fn.key, queueOf(t, config?.Properties.DestinationConfig?.OnFailure?.Destination)]).toEqual([fn.key, expect.any(String)]);
    }
    for (const [, m] of ofType(t, 'AWS::Lambda::EventSourceMapping')) {
      const queue = queueOf(t, m.Properties.EventSourceArn)!;
      expect(t.Resources[queue]!.Properties.RedrivePolicy?.maxReceiveCount).toBeGreaterThanOrEqual(5);
      expect(queueOf(t, t.Resources[queue]!.Properties.RedrivePolicy?.deadLetterTargetArn)).toEqual(expect.any(String));
    }
  });

  it('derives each SQS source\'s visibility timeout from its function\'s timeout (≥ 6 ×, AWS Lambda Developer Guide, "Using Lambda with Amazon SQS")', () => {
    for (const stack of [defaults, operator]) {
      const t = stack.template;
      const mappings = ofType(t, 'AWS::Lambda::EventSourceMapping');
      expect(mappings.length).toBeGreaterThan(0);
      for (const [, m] of mappings) {
        const fnId = m.Properties.FunctionName['Fn::GetAtt'][0] as string;
        const timeout = t.Resources[fnId]!.Properties.Timeout as number;
        const queue = t.Resources[queueOf(t, m.Properties.EventSourceArn)!]!.Properties;
        expect([fnId, Number(queue.VisibilityTimeout)]).toEqual([fnId, 6 * timeout]);
      }
    }
    const asg = functionsOf(operator).find((f) => f.key === 'asgLifecycleDrain')!;
    expect(asg.props.Timeout).toBe(Number(OPERATOR.asgLifecycleDrainTimeoutSeconds));
  });

  it('keeps dead letters longer than their source queue and no larger than the envelope limit in shared/lambda/dead-letter.ts', () => {
    const t = defaults.template;
    expect(t.Resources.DeadLetterQueue!.Properties.MaximumMessageSize).toBe(262_144);
    for (const [, q] of ofType(t, 'AWS::SQS::Queue')) {
      const dlq = queueOf(t, q.Properties.RedrivePolicy?.deadLetterTargetArn);
      if (dlq) expect(t.Resources[dlq]!.Properties.MessageRetentionPeriod).toBeGreaterThan(q.Properties.MessageRetentionPeriod ?? 345_600);
    }
  });

  it('selects the configured lifecycle hooks only', () => {
    expect(defaults.template.Resources.AsgTerminateRule!.Properties.EventPattern.detail).toEqual({
      LifecycleHookName: ['ecs-steady-drain'],
    });
    expect(operator.template.Resources.AsgTerminateRule!.Properties.EventPattern.detail).toEqual({
      LifecycleHookName: ['ecs-steady-drain', 'batch-drain'],
    });
  });

  it('gives both drain functions the drain params, and asgLifecycleDrain the ASG ones', () => {
    const env = (stack: PackagedStack, key: string) => functionsOf(stack).find((f) => f.key === key)!.props.Environment.Variables;
    for (const key of ['spotInterruption', 'asgLifecycleDrain']) {
      expect(env(defaults, key)).toMatchObject({ DRAIN_EXPIRED_TOLERANCE_SECONDS: '0', DRAIN_KEEP_SERVING: 'true' });
    }
    expect(env(defaults, 'asgLifecycleDrain')).toMatchObject({
      LIFECYCLE_HOOK_NAMES: 'ecs-steady-drain',
      ASG_OWNERSHIP_TAG: '',
      ASG_DRAIN_MAX_SECONDS: '3600',
      ASG_DEADLINE_RESULT: 'CONTINUE',
    });
    expect(env(operator, 'asgLifecycleDrain')).toMatchObject({
      LIFECYCLE_HOOK_NAMES: OPERATOR.lifecycleHookNames,
      ASG_OWNERSHIP_TAG: OPERATOR.asgOwnershipTag,
    });
  });

  it('gives logSearch its own workgroup with the result location and a per-query scan limit enforced', () => {
    const t = operator.template;
    const [id, wg] = ofType(t, 'AWS::Athena::WorkGroup')[0]!;
    const search = functionsOf(operator).find((f) => f.key === 'logSearch')!;
    expect(search.props.Environment.Variables.LOGS_ATHENA_WORKGROUP).toBe(wg.Properties.Name);
    expect(wg.Properties.WorkGroupConfiguration).toMatchObject({
      EnforceWorkGroupConfiguration: true,
      ResultConfiguration: { OutputLocation: 's3://acme-logs/athena-results/' },
    });
    // Athena API Reference, WorkGroupConfiguration.BytesScannedCutoffPerQuery: minimum 10,000,000.
    expect(Number(wg.Properties.WorkGroupConfiguration.BytesScannedCutoffPerQuery)).toBeGreaterThanOrEqual(10_000_000);
    expect(refersTo(search.statements, id) || JSON.stringify(search.statements).includes(`\${${id}}`)).toBe(true);
  });
});

// ---- alarms and dashboard -------------------------------------------------------------------

describe('alarms and a dashboard per stage', () => {
  const alarms = (t: Template) => ofType(t, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
  const dims = (a: any) => Object.fromEntries((a.Dimensions ?? []).map((d: { Name: string; Value: unknown }) => [d.Name, d.Value]));
  const hasAlarm = (t: Template, namespace: string, metric: string, match: (d: Record<string, unknown>) => boolean) =>
    alarms(t).some(
      (a) =>
        a.Namespace === namespace &&
        a.MetricName === metric &&
        a.Threshold === 0 &&
        a.ComparisonOperator === 'GreaterThanThreshold' &&
        match(dims(a)),
    );

  it('alarms on Errors and Throttles of every function', () => {
    for (const fn of functionsOf(defaults)) {
      for (const metric of ['Errors', 'Throttles'])
        expect([fn.key, metric, hasAlarm(defaults.template, 'AWS/Lambda', metric, (d) => refersTo(d.FunctionName, fn.logicalId))]).toEqual([
          fn.key,
          metric,
          true,
        ]);
    }
  });

  it('alarms on failed deliveries of every EventBridge rule and on anything in a dead-letter queue', () => {
    const t = defaults.template;
    for (const [id, rule] of ofType(t, 'AWS::Events::Rule'))
      expect([id, hasAlarm(t, 'AWS/Events', 'FailedInvocations', (d) => d.RuleName === rule.Properties.Name)]).toEqual([id, true]);
    const dlqs = new Set<string>();
    for (const [, r] of Object.entries(t.Resources)) {
      const found =
        JSON.stringify([
          r.Properties?.RedrivePolicy?.deadLetterTargetArn,
          r.Properties?.DestinationConfig,
          r.Properties?.Targets?.map((x: any) => x.DeadLetterConfig),
        ]).match(/"Fn::GetAtt":\["([A-Za-z0-9]+)","Arn"\]/g) ?? [];
      for (const f of found) dlqs.add(/\["([A-Za-z0-9]+)"/.exec(f)![1]!);
    }
    expect(dlqs.size).toBeGreaterThanOrEqual(2);
    for (const q of dlqs)
      expect([q, hasAlarm(t, 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', (d) => refersTo(d.QueueName, q))]).toEqual([q, true]);
  });

  it('alarms on drains cut by the deadline, tasks left running and failed log partitions, with the dimension Powertools sets', () => {
    const t = defaults.template;
    for (const svc of ['spotInterruption', 'asgLifecycleDrain']) {
      for (const metric of ['drainsCutByDeadline', 'tasksLeftRunning'])
        expect([svc, metric, hasAlarm(t, 'EcsSteady', metric, (d) => d.service === svc)]).toEqual([svc, metric, true]);
    }
    expect(hasAlarm(t, 'EcsSteady', 'partitionsFailed', (d) => d.service === 'logPartitions')).toBe(true);
    // Powertools' `service` dimension is the name each handler gives lambdaRuntime: the function's key.
    for (const [key, entry] of Object.entries(defaults.entries)) {
      expect([key, new RegExp(`lambdaRuntime\\(\\s*'${key}'`).test(readFileSync(join(defaults.dir, `${entry}.ts`), 'utf8'))]).toEqual([
        key,
        true,
      ]);
    }
  });

  it('alarms on and draws only EMF metrics the code emits (a renamed metric fails here, not silently in CloudWatch)', () => {
    const t = defaults.template;
    const alarmed = alarms(t)
      .filter((a) => a.Namespace === 'EcsSteady')
      .map((a) => a.MetricName as string);
    const [, board] = ofType(t, 'AWS::CloudWatch::Dashboard')[0]!;
    const drawn = (
      JSON.parse(board.Properties.DashboardBody['Fn::Sub'][0]).widgets as Array<{ properties: { metrics: string[][] } }>
    ).flatMap((w) => w.properties.metrics.filter((m) => m[0] === 'EcsSteady').map((m) => m[1]!));
    const code = readdirRecursive(defaults.dir, ['functions', 'shared'])
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const missing = [...new Set([...alarmed, ...drawn])].filter((m) => !code.includes(`'${m}'`));
    expect(missing).toEqual([]);
  });

  it('notifies alarmTopicArn when it is set, and nobody otherwise', () => {
    for (const a of alarms(operator.template)) expect([a.AlarmName, a.AlarmActions]).toEqual([a.AlarmName, [OPERATOR.alarmTopicArn]]);
    for (const a of alarms(defaults.template)) expect([a.AlarmName, a.AlarmActions]).toEqual([a.AlarmName, undefined]);
  });

  it('draws the drain metrics on a dashboard', () => {
    const [, board] = ofType(defaults.template, 'AWS::CloudWatch::Dashboard')[0]!;
    const [body, vars] = board.Properties.DashboardBody['Fn::Sub'];
    const widgets = JSON.parse(body).widgets as Array<{ properties: { metrics: unknown[][] } }>;
    const metrics = new Set(widgets.flatMap((w) => w.properties.metrics.map((m) => `${m[0]}/${m[1]}`)));
    for (const m of ['drainsCompleted', 'drainsCutByDeadline', 'tasksLeftRunning', 'secondsToSpare'])
      expect(metrics).toContain(`EcsSteady/${m}`);
    for (const v of body.match(/\$\{([A-Za-z0-9]+)\}/g) ?? [])
      expect(['${AWS::Region}', ...Object.keys(vars).map((k) => `\${${k}}`)]).toContain(v);
  });
});

// ---- bundles --------------------------------------------------------------------------------

describe('lean bundles', () => {
  /** The issue's goal for a deployment zip. */
  const ZIP_MAX_BYTES = 400_000;

  it('ships one minified handler per zip, no source map or metafile, under 400 KB', () => {
    for (const [fn, zip] of Object.entries(defaults.zips)) {
      const buffer = readFileSync(zip);
      const names = zipEntries(buffer).map((e) => e.name);
      expect([fn, names]).toEqual([fn, [`${defaults.entries[fn]}.js`]]);
      expect([fn, buffer.length <= ZIP_MAX_BYTES]).toEqual([fn, true]);
    }
  });

  it('keeps each source map as a build artifact next to the bundle', () => {
    for (const entry of Object.values(defaults.entries)) expect(existsSync(join(defaults.buildDir, `${entry}.js.map`))).toBe(true);
  });

  it('each bundle loads in a fresh Node.js process and exports its handler', () => {
    for (const [fn, entry] of Object.entries(defaults.entries)) {
      const out = execFileSync(
        process.execPath,
        ['-e', `process.stdout.write(typeof require(${JSON.stringify(join(defaults.buildDir, `${entry}.js`))}).handler)`],
        {
          encoding: 'utf8',
          env: { ...process.env, AWS_REGION: 'eu-west-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        },
      );
      expect([fn, out]).toEqual([fn, 'function']);
    }
  });
});
