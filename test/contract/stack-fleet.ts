import { AVAILABLE_SINCE_TAG, OFFER_TAG, SEEN_ATTACHED_TAG } from '../../shared/tags';
import type { PackagedStack } from './package-stack';
import { actionsOf, asList, defaults, functionsOf, ofType, operator, refersTo, sorted, type Statement } from './stack-template';

const fnOf = (stack: PackagedStack, key: string) => functionsOf(stack).find((f) => f.key === key);
const env = (stack: PackagedStack, key: string) => fnOf(stack, key)!.props.Environment.Variables as Record<string, string>;
const statementsFor = (stack: PackagedStack, key: string, action: string): Statement[] =>
  fnOf(stack, key)!.statements.filter((s) => asList(s.Action).includes(action));
const rulesOf = (stack: PackagedStack, key: string) =>
  ofType(stack.template, 'AWS::Events::Rule')
    .filter(([, r]) => r.Properties.Targets.some((x: { Arn: unknown }) => refersTo(x.Arn, fnOf(stack, key)!.logicalId)))
    .map(([, r]) => r.Properties);
const alarmNames = (stack: PackagedStack) =>
  ofType(stack.template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.AlarmName as string);
const EC2 = 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:';
/** What Lambda writes with a function's role for it: its logs, its failure destination, its traces (tracing on). */
const PLATFORM_WRITES = [
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'sqs:SendMessage',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
];

/** Fleet hygiene: agentHealth, nlbTargetSync (optional), logVolumes, preflight. */
export function describeFleet(): void {
  describe('fleet hygiene: agentHealth, nlbTargetSync, logVolumes, preflight', () => {
    it('deploys nlbTargetSync (function, zip, role, rules, alarms) only when nlbTargets names a binding', () => {
      expect(fnOf(defaults, 'nlbTargetSync')).toBeUndefined();
      expect(defaults.zips.nlbTargetSync).toBeUndefined();
      expect(ofType(defaults.template, 'AWS::IAM::Role').map(([id]) => id)).not.toContain('NlbTargetSyncRole');
      expect(alarmNames(defaults).filter((n) => n.includes('nlbTargetSync') || n.includes('nlb-target-sync'))).toEqual([]);
      expect(fnOf(operator, 'nlbTargetSync')).toBeDefined();
      expect(env(operator, 'nlbTargetSync')).toMatchObject({ NLB_TARGETS: expect.stringMatching(/^web=arn:/), NLB_TARGETS_PRUNE: 'false' });
      const rules = rulesOf(operator, 'nlbTargetSync');
      expect(sorted(rules.map((r) => r.ScheduleExpression ?? r.EventPattern['detail-type'][0]))).toEqual([
        'EC2 Spot Instance Interruption Warning',
        'ECS Container Instance State Change',
        'rate(5 minutes)',
      ]);
      const ecs = rules.find((r) => r.EventPattern?.source?.[0] === 'aws.ecs')!;
      expect(ecs.EventPattern.detail.clusterArn).toEqual([
        { 'Fn::Sub': 'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/web' },
      ]);
      expect(alarmNames(operator)).toEqual(expect.arrayContaining(['ecs-steady-prod-nlbTargetSync-targetSyncFailures']));
      for (const s of statementsFor(operator, 'nlbTargetSync', 'ec2:CreateTags')) {
        expect(s.Resource).toEqual([{ 'Fn::Sub': `${EC2}instance/*` }]);
        expect(s.Condition).toEqual({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['ecs-steady:interrupted-at'] } });
      }
    });

    it('runs agentHealth every 5 minutes and on agent disconnects only, one run at a time', () => {
      for (const stack of [defaults, operator]) {
        const fn = fnOf(stack, 'agentHealth')!;
        expect(fn.props.ReservedConcurrentExecutions).toBe(1);
        expect(fn.props.Timeout).toBe(300);
        const rules = rulesOf(stack, 'agentHealth');
        expect(rules.map((r) => r.ScheduleExpression).filter(Boolean)).toEqual(['rate(5 minutes)']);
        const change = rules.find((r) => r.EventPattern)!.EventPattern;
        expect(change).toMatchObject({ source: ['aws.ecs'], 'detail-type': ['ECS Container Instance State Change'] });
        expect(change.detail.agentConnected).toEqual([false]);
        expect(change.detail.clusterArn?.length).toBe(stack === defaults ? undefined : 2);
      }
      expect(env(operator, 'agentHealth')).toMatchObject({
        CLUSTERS: 'web,batch',
        DRY_RUN: 'false',
        AGENT_DISCONNECTED_SECONDS: '600',
      });
    });

    it('lets agentHealth keep its records as attributes on container instances of the clusters, tag nothing, and alarms on its breaker and failed steps per cluster', () => {
      for (const action of ['ecs:PutAttributes', 'ecs:DeleteAttributes']) {
        const found = statementsFor(operator, 'agentHealth', action);
        expect(found.length).toBeGreaterThan(0);
        for (const s of found)
          expect(s.Resource).toEqual(
            ['web', 'batch'].map((c) => ({
              'Fn::Sub': `arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:container-instance/${c}/*`,
            })),
          );
      }
      for (const action of ['ecs:TagResource', 'ecs:UntagResource']) expect(statementsFor(operator, 'agentHealth', action)).toEqual([]);
      for (const metric of ['agentBreakerOpen', 'agentStepFailures']) {
        const alarm = ofType(defaults.template, 'AWS::CloudWatch::Alarm').find(
          ([, a]) => a.Properties.AlarmName === `ecs-steady-dev-agentHealth-${metric}`,
        );
        expect(alarm?.[1].Properties.Metrics[0].Expression).toContain(`(${metric}) FROM SCHEMA(EcsSteady, cluster, service)`);
      }
    });

    it('runs logVolumes in dry run by default, tagging only volumes carrying the ownership tag and deleting only those that also carry our seen-attached stamp', () => {
      expect(env(defaults, 'logVolumes')).toMatchObject({ DRY_RUN: 'true', LOG_VOLUME_TAG: 'ecs-steady:log-volume', CLUSTERS: '' });
      expect(fnOf(defaults, 'logVolumes')!.props.Timeout).toBeGreaterThanOrEqual(60);
      expect(rulesOf(defaults, 'logVolumes').map((r) => r.ScheduleExpression)).toEqual(['rate(30 minutes)']);
      const owned = (stack: PackagedStack) =>
        stack === defaults
          ? { Null: { 'aws:ResourceTag/ecs-steady:log-volume': 'false' } }
          : { StringEquals: { 'aws:ResourceTag/ecs-steady:log-volume': ['web', 'batch'] } };
      for (const stack of [defaults, operator]) {
        const seen = { [`aws:ResourceTag/${SEEN_ATTACHED_TAG}`]: 'false' };
        const deletes = statementsFor(stack, 'logVolumes', 'ec2:DeleteVolume');
        expect(deletes).toHaveLength(1);
        for (const s of deletes) {
          expect(s.Resource).toEqual([{ 'Fn::Sub': `${EC2}volume/*` }]);
          // The ownership tag and our stamp of an attachment we saw: the tag alone no longer suffices.
          const o = owned(stack);
          expect(s.Condition).toEqual({ ...o, Null: { ...('Null' in o ? o.Null : {}), ...seen } });
        }
        for (const s of statementsFor(stack, 'logVolumes', 'ec2:CreateTags'))
          expect(s.Condition).toEqual({
            ...owned(stack),
            'ForAllValues:StringEquals': {
              'aws:TagKeys': [AVAILABLE_SINCE_TAG, SEEN_ATTACHED_TAG, OFFER_TAG],
            },
          });
      }
      for (const metric of ['orphanVolumes', 'volumeDeleteFailures'])
        expect(alarmNames(defaults)).toContain(`ecs-steady-dev-logVolumes-${metric}`);
    });

    it('seals logVolumes stamps with an HMAC_256 key of the stack that only its role may use: by key policy, never by an identity policy', () => {
      for (const stack of [defaults, operator]) {
        const logVolumes = fnOf(stack, 'logVolumes')!;
        const keys = ofType(stack.template, 'AWS::KMS::Key');
        expect(keys).toHaveLength(1);
        const [keyId, key] = keys[0]!;
        expect(key.Properties).toMatchObject({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
        // Named by its alias: the environment holds a name, no CloudFormation reference.
        const alias = `alias/ecs-steady-${stack === defaults ? 'dev' : 'prod'}-log-volume-stamps`;
        const aliases = ofType(stack.template, 'AWS::KMS::Alias').map(([, a]) => a.Properties);
        expect(aliases).toEqual([{ AliasName: alias, TargetKeyId: { Ref: keyId } }]);
        expect(logVolumes.props.Environment.Variables.STAMP_KEY_ID).toBe(alias);
        const statements = key.Properties.KeyPolicy.Statement as Array<Statement & { Principal: unknown; Effect: string }>;
        const allows = statements.filter((st) => st.Effect === 'Allow');
        const uses = allows.filter((st) => asList(st.Action).some((a) => /^kms:(\*|Generate|Verify)/.test(a)));
        expect(uses).toHaveLength(1);
        expect(uses[0]!.Principal).toEqual({ AWS: { 'Fn::GetAtt': [logVolumes.roleId, 'Arn'] } });
        expect(sorted(asList(uses[0]!.Action))).toEqual(['kms:GenerateMac', 'kms:VerifyMac']);
        // The account administers the key but is not delegated its use: no identity policy can grant GenerateMac.
        // Administration is listed action by action: no wildcard, no grant (a grantee could grant itself
        // GenerateMac), no alias update (the alias could be pointed at another key).
        for (const st of allows)
          for (const a of asList(st.Action)) {
            expect(a).not.toContain('*');
            expect(['kms:CreateGrant', 'kms:UpdateAlias']).not.toContain(a);
          }
        // Explicit denies: grants for everyone, MACs for everyone but logVolumes' role.
        const denies = statements.filter((st) => st.Effect === 'Deny');
        expect(denies).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ Principal: { AWS: '*' }, Action: 'kms:CreateGrant', Resource: '*' }),
            expect.objectContaining({
              Principal: { AWS: '*' },
              Action: ['kms:GenerateMac', 'kms:VerifyMac'],
              Resource: '*',
              Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [logVolumes.roleId, 'Arn'] } } },
            }),
          ]),
        );
        for (const st of denies) expect(st.Condition === undefined || asList(st.Action).every((a) => /Mac$/.test(a))).toBe(true);
        // And the role uses no key but this one, wherever its alias points.
        const pins = ofType(stack.template, 'AWS::IAM::RolePolicy').map(([, p]) => p.Properties);
        expect(pins).toEqual([
          {
            RoleName: { Ref: logVolumes.roleId },
            PolicyName: 'stamp-key-only',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [{ Sid: 'NoOtherKmsKey', Effect: 'Deny', Action: 'kms:*', NotResource: { 'Fn::GetAtt': [keyId, 'Arn'] } }],
            },
          },
        ]);
        for (const fn of functionsOf(stack))
          expect([fn.key, [...actionsOf(fn.statements)].filter((a) => a.startsWith('kms:'))]).toEqual([fn.key, []]);
        expect(statementsFor(stack, 'logVolumes', 'cloudwatch:GetMetricData').map((st) => st.Resource)).toEqual(['*']);
      }
    });

    it('gives preflight no trigger, reads only, and the functions and queues this stack deploys', () => {
      for (const stack of [defaults, operator]) {
        expect(rulesOf(stack, 'preflight')).toEqual([]);
        const writes = [...actionsOf(fnOf(stack, 'preflight')!.statements)].filter(
          (a) => !/^[a-z0-9-]+:(Describe|List|Get)/.test(a) && !PLATFORM_WRITES.includes(a),
        );
        expect(writes).toEqual([]);
        const e = env(stack, 'preflight');
        expect(sorted(e.PREFLIGHT_FUNCTIONS!.split(','))).toEqual(sorted(Object.keys(stack.entries)));
        const queues = ofType(stack.template, 'AWS::SQS::Queue')
          .map(([, q]) => q.Properties.QueueName as string)
          .filter((n) => n.endsWith('dead-letter'));
        expect(sorted(e.PREFLIGHT_DEAD_LETTER_QUEUES!.split(',').map((q) => `${e.PREFLIGHT_STACK_PREFIX}-${q}`))).toEqual(sorted(queues));
      }
    });
  });
}
