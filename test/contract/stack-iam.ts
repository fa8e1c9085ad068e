import { join } from 'node:path';
import { callsInBundle, type SentCall } from './bundle-commands';
import type { PackagedStack, Template } from './package-stack';
import { actionsOf, asList, defaults, functionsOf, ofType, operator, OPERATOR, refersTo, sorted, type Fn } from './stack-template';

/**
 * Actions allowed on `Resource: "*"`: the Service Authorization Reference lists no resource
 * type for them ("If there is no value for this column, you must specify all resources").
 */
export const NO_RESOURCE_LEVEL: Record<string, string> = {
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
  // Granted on "*" with the ecs:cluster condition (scaleTick), which keeps it to the configured clusters.
  'ecs:ListServices': 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html',
  'ec2:DescribeFleets': 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html',
  'ec2:DescribeFleetInstances': 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html',
  'ec2:DescribeSpotFleetRequests': 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html',
  'ec2:DescribeSpotFleetInstances': 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html',
  'ec2:DescribeInstanceTypes': 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html',
  // capacityWriter: failed launches since a scale-out (shared/aws/launch-failures.ts).
  'ec2:DescribeFleetHistory': 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html',
  'ec2:DescribeSpotFleetRequestHistory': 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html',
  'autoscaling:DescribeScalingActivities':
    'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html',
  'autoscaling:DescribeLifecycleHooks': 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html',
  'autoscaling:DescribeAutoScalingGroups':
    'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html',
  'autoscaling:DescribeAutoScalingInstances':
    'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html',
  // Fleet hygiene: nlbTargetSync, logVolumes and preflight read these.
  'ec2:DescribeInstances': 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html',
  // capacityWriter: a rebalance call-off reads the instance's Spot request status.
  'ec2:DescribeSpotInstanceRequests': 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html',
  'ec2:DescribeVolumes': 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html',
  'ec2:DescribeNetworkInterfaces': 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html',
  'elasticloadbalancing:DescribeLoadBalancerAttributes':
    'https://docs.aws.amazon.com/service-authorization/latest/reference/list_elasticloadbalancingv2.html',
  'elasticloadbalancing:DescribeListeners':
    'https://docs.aws.amazon.com/service-authorization/latest/reference/list_elasticloadbalancingv2.html',
  'elasticloadbalancing:DescribeListenerAttributes':
    'https://docs.aws.amazon.com/service-authorization/latest/reference/list_elasticloadbalancingv2.html',
  // logVolumes: was a volume attached after its flush (EBS metrics).
  'cloudwatch:GetMetricData': 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html',
  // Active tracing: Lambda sends the traces.
  'xray:PutTraceSegments': 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html',
  'xray:PutTelemetryRecords': 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html',
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

/**
 * A batch call is authorised by its single action: "SendMessageBatch … the permission is
 * sqs:SendMessage" (Amazon SQS Developer Guide, "Amazon SQS API permissions: Actions and resource reference").
 */
const AUTHORISED_AS: Record<string, string> = { 'sqs:SendMessageBatch': 'sqs:SendMessage' };

/** Actions granted only when the param naming their resource is set. */
const NEEDS_PARAM: Record<string, string> = { 'sns:Publish': 'interruptedTasksTopicArn' };

/** The capacity directory's writes, named in preflight's and scaleTick's bundles but sent by neither. */
const CAPACITY_WRITES = [
  'autoscaling:CreateOrUpdateTags',
  'autoscaling:SetDesiredCapacity',
  'autoscaling:TerminateInstanceInAutoScalingGroup',
  'ec2:CreateTags',
  'ec2:ModifyFleet',
  'ec2:ModifySpotFleetRequest',
  'ec2:TerminateInstances',
  'ecs:StopTask',
];

/**
 * A read-only function whose bundle holds code that could change things, which it never calls:
 * preflight finds backends with the capacity directory (`backendDirectory(clients).discover`),
 * whose backend objects carry their whole interface, and the tasks adapter for its reads. The
 * derivation is by name, so it lists their writes; they are not granted (docs/fleet.md
 * "preflight": it reads only; its adapters send no write).
 */
const READ_ONLY: Record<string, string[]> = {
  preflight: CAPACITY_WRITES,
  // scaleTick finds the clusters with the same directory and only sends their ticks (docs/capacity-writer.md).
  scaleTick: CAPACITY_WRITES,
};

/** What runs the function needs, from the template: logs; the SQS poller; the failure destination. */
function platformActions(t: Template, fn: Fn): string[] {
  // Lambda writes the function's logs with its execution role (AWS Lambda Developer Guide, "Lambda execution role", AWSLambdaBasicExecutionRole).
  const actions = ['logs:CreateLogStream', 'logs:PutLogEvents'];
  for (const [, m] of ofType(t, 'AWS::Lambda::EventSourceMapping')) {
    // "Lambda needs the following permissions to manage messages in your Amazon SQS queue" (AWS Lambda Developer Guide, "Using Lambda with Amazon SQS").
    if (refersTo(m.Properties.FunctionName, fn.logicalId) && JSON.stringify(m.Properties.EventSourceArn).includes('Queue'))
      actions.push('sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes');
  }
  // With active tracing Lambda sends the function's traces with its execution role (AWS Lambda Developer Guide, "Visualize Lambda function invocations using AWS X-Ray").
  if (fn.props.TracingConfig?.Mode === 'Active') actions.push('xray:PutTraceSegments', 'xray:PutTelemetryRecords');
  for (const [, c] of ofType(t, 'AWS::Lambda::EventInvokeConfig')) {
    // A destination is sent to with the function's execution role (AWS Lambda Developer Guide, "Capturing records of asynchronous invocations").
    if (refersTo(c.Properties.FunctionName, fn.logicalId) && c.Properties.DestinationConfig?.OnFailure) actions.push('sqs:SendMessage');
  }
  return actions;
}

/**
 * Actions a KMS key of this stack grants the function's role in its key policy. For a principal of
 * the key's own account the key policy alone authorises a call ("no AWS principal … has any
 * permissions to a KMS key unless that permission is explicitly allowed in the key policy"; an
 * identity policy is needed only when the key policy delegates to IAM: KMS Developer Guide, "Key
 * policies in AWS KMS"). logVolumes' stamp key is used this way, so no identity policy can widen it.
 */
function grantedByKeyPolicy(t: Template, fn: Fn): string[] {
  return ofType(t, 'AWS::KMS::Key').flatMap(([, k]) =>
    ((k.Properties.KeyPolicy?.Statement ?? []) as Array<{ Effect: string; Principal: unknown; Action: string | string[] }>)
      .filter((st) => st.Effect === 'Allow' && refersTo(st.Principal, fn.roleId))
      .flatMap((st) => asList(st.Action)),
  );
}

const bundleCalls = new Map<string, SentCall[]>();
export function callsOf(stack: PackagedStack, fn: Fn): SentCall[] {
  const cacheKey = `${stack.dir} ${fn.key}`;
  if (!bundleCalls.has(cacheKey)) {
    const metafile = join(stack.buildDir, `${stack.entries[fn.key]}-meta.json`);
    bundleCalls.set(cacheKey, callsInBundle(metafile, stack.dir));
  }
  return bundleCalls.get(cacheKey)!;
}

function expectedActions(stack: PackagedStack, fn: Fn, params: Record<string, string>): Set<string> {
  const sent = callsOf(stack, fn).map((c) => AUTHORISED_AS[c.action] ?? c.action);
  const all = new Set([...sent, ...sent.flatMap((a) => IMPLIED_BY[a] ?? []), ...platformActions(stack.template, fn)]);
  for (const [action, param] of Object.entries(NEEDS_PARAM)) if (!params[param]) all.delete(action);
  for (const action of READ_ONLY[fn.key] ?? []) all.delete(action);
  for (const action of grantedByKeyPolicy(stack.template, fn)) all.delete(action);
  return all;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** IAM: one role per function, each granting exactly the calls its bundle sends, scoped to what the operator configured. */
export function describeIam(): void {
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
            const star = asList(st.Resource).some(
              (r) => r === '*' || (typeof r === 'string' && /^arn:[^:]*:[^:]*:[^:]*:[^:]*:\*$/.test(r)),
            );
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
      // …and the NLB binding, only in nlbTargetSync's NLB_TARGETS (its IAM resource is rebuilt too).
      expect(sorted(literal)).toEqual(
        sorted([
          OPERATOR.interruptedTasksTopicArn,
          OPERATOR.alarmTopicArn,
          OPERATOR.clusters.split(',')[1]!,
          OPERATOR.nlbTargets.split('=')[1]!,
        ]),
      );
      const inRoles = new Set(
        JSON.stringify(functionsOf(operator).map((f) => f.statements)).match(/arn:aws[a-z-]*:[a-z0-9-]+:[^",]*/g) ?? [],
      );
      expect(sorted(inRoles)).toEqual([OPERATOR.interruptedTasksTopicArn]);
    });

    describe('with clusters, target groups, an ownership tag and a topic configured, what changes things is scoped to them', () => {
      const statementsFor = (action: string) =>
        functionsOf(operator).flatMap((fn) =>
          fn.statements.filter((s) => asList(s.Action).includes(action)).map((s) => ({ fn: fn.key, s })),
        );
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

      it('DeregisterTargets reaches only the configured target groups (nlbTargetSync: its bound groups, and RegisterTargets too)', () => {
        for (const { fn, s } of statementsFor('elasticloadbalancing:RegisterTargets').concat(
          statementsFor('elasticloadbalancing:DeregisterTargets').filter((f) => f.fn === 'nlbTargetSync'),
        )) {
          expect([fn, subs(s.Resource)]).toEqual([
            'nlbTargetSync',
            ['arn:${AWS::Partition}:elasticloadbalancing:${AWS::Region}:${AWS::AccountId}:targetgroup/web-fluentd/0123456789abcdef'],
          ]);
        }
        for (const { s } of statementsFor('elasticloadbalancing:DeregisterTargets').filter((f) => f.fn !== 'nlbTargetSync')) {
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
}
