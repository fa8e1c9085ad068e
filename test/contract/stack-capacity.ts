import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BACKOFF_TAG,
  CLUSTER_TAG,
  DEMAND_IN_FLIGHT_TAG,
  FALLBACK_TAG,
  LAST_SCALE_IN_TAG,
  LAST_SCALE_OUT_TAG,
  SCALE_IN_DRAINS_TAG,
  SCALED_FOR_TAG,
  SCALE_IN_TAG,
} from '../../shared/tags';
import type { PackagedStack, Template } from './package-stack';
import { callsOf } from './stack-iam';
import { actionsOf, asList, defaults, functionsOf, ofType, operator, OPERATOR, refersTo, sorted, type Statement } from './stack-template';

// deploy/stack.js is CommonJS; its `derive` holds the same functions osls calls.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { derive } = require('../../deploy/stack.js') as { derive: Record<string, (values: Record<string, string>) => unknown> };

/** What capacityWriter may change, by the resource it acts on (docs/capacity.md, docs/design/capacity-writer.md). */
const MUTATING = [
  'autoscaling:SetDesiredCapacity',
  'autoscaling:TerminateInstanceInAutoScalingGroup',
  'autoscaling:CreateOrUpdateTags',
  'ec2:ModifyFleet',
  'ec2:ModifySpotFleetRequest',
  'ec2:CreateTags',
  'ec2:TerminateInstances',
  'ecs:PutAttributes',
  'ecs:DeleteAttributes',
  'ecs:UntagResource',
  'ecs:UpdateContainerInstancesState',
  'ecs:StopTask',
  'elasticloadbalancing:DeregisterTargets',
];

const sub = (v: unknown) => (v as { 'Fn::Sub'?: string })?.['Fn::Sub'] ?? v;
const EC2 = 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:';
const ASG = 'arn:${AWS::Partition}:autoscaling:${AWS::Region}:${AWS::AccountId}:autoScalingGroup:*:autoScalingGroupName/*';
const ECS = 'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:';

const scaleTick = (stack: PackagedStack) => functionsOf(stack).find((f) => f.key === 'scaleTick')!;
const writer = (stack: PackagedStack) => functionsOf(stack).find((f) => f.key === 'capacityWriter')!;
const statementsFor = (stack: PackagedStack, action: string, fn = 'capacityWriter'): Statement[] =>
  functionsOf(stack)
    .find((f) => f.key === fn)!
    .statements.filter((s) => asList(s.Action).includes(action));
/** The one function that changes backends (the others only send it messages). */
const BACKEND_WRITERS = ['capacityWriter'];
/** Our tag keys on a backend: the last actions, the demand held in flight, and (a cluster's own backend only) the back-off. */
const OWN_KEYS = [LAST_SCALE_OUT_TAG, LAST_SCALE_IN_TAG, BACKOFF_TAG, DEMAND_IN_FLIGHT_TAG, SCALE_IN_DRAINS_TAG, SCALED_FOR_TAG];
const FALLBACK_KEYS = [LAST_SCALE_OUT_TAG, LAST_SCALE_IN_TAG, DEMAND_IN_FLIGHT_TAG, SCALE_IN_DRAINS_TAG];

/** The cluster-tag condition a backend must meet: any value by default; one of the configured clusters' names otherwise. */
const clusterTag = (key: string, stack: PackagedStack) =>
  stack === defaults ? { StringLike: { [key]: '*' } } : { StringEquals: { [key]: ['web', 'batch'] } };

/** scaleTick's deploy surface: schedule, concurrency, IAM scoped to tagged backends and fleet instances, alarms on every cluster. */
export function describeCapacity(): void {
  describe('scaleTick: capacity every minute', () => {
    it('runs every minute, one tick at a time, without retries, with the memory of the other functions', () => {
      for (const stack of [defaults, operator]) {
        const t = stack.template;
        const fn = scaleTick(stack);
        const rules = ofType(t, 'AWS::Events::Rule').filter(([, r]) =>
          r.Properties.Targets.some((x: { Arn: unknown }) => refersTo(x.Arn, fn.logicalId)),
        );
        expect(rules.map(([, r]) => r.Properties.ScheduleExpression)).toEqual(['rate(1 minute)']);
        expect(fn.props.ReservedConcurrentExecutions).toBe(1);
        expect(fn.props.Timeout).toBe(60);
        const others = functionsOf(stack).filter((f) => f.key !== 'scaleTick');
        expect(new Set(others.map((f) => f.props.MemorySize))).toEqual(new Set([fn.props.MemorySize]));
        const [, invoke] = ofType(t, 'AWS::Lambda::EventInvokeConfig').find(([, c]) => refersTo(c.Properties.FunctionName, fn.logicalId))!;
        expect(invoke.Properties).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
      }
    });

    it('passes its settings as plain strings: cluster names (not ARNs), dry run from capacityWriterDryRun or dryRun', () => {
      const env = (stack: PackagedStack) => writer(stack).props.Environment.Variables as Record<string, string>;
      expect(env(defaults)).toMatchObject({
        CLUSTERS: '',
        DRY_RUN: 'false',
        CAPACITY_BACKENDS: '',
        SCALE_OUT_CPU_PERCENT: '85',
        SCALE_IN_CPU_PERCENT: '50',
        CAPACITY_MAX: '1000',
        SCALE_IN_COOLDOWN_SECONDS: '600',
        MAX_DRAINING: '1',
        HEADROOM: 'tasks=0,cpu=0,memory=0',
        SCALE_IN_DRAIN_MAX_SECONDS: '900',
      });
      expect(env(operator)).toMatchObject({ CLUSTERS: 'web,batch', DRY_RUN: 'true', CAPACITY_BACKENDS: OPERATOR.capacityBackends });
      for (const value of Object.values(env(operator))) expect(typeof value).toBe('string');
      expect(derive.capacityWriterDryRun!({ dryRun: 'true', capacityWriterDryRun: 'false' })).toBe('true');
      expect(derive.capacityWriterDryRun!({ dryRun: '', capacityWriterDryRun: '' })).toBe('false');
      expect(() => derive.capacityWriterDryRun!({ dryRun: 'false', capacityWriterDryRun: 'maybe' })).toThrow(
        /capacityWriterDryRun="maybe"/,
      );
    });

    it('is granted every mutating action its bundle sends, and no other', () => {
      for (const stack of [defaults, operator]) {
        const sent = new Set(callsOf(stack, writer(stack)).map((c) => c.action));
        const granted = actionsOf(writer(stack).statements);
        expect(sorted(MUTATING.filter((a) => sent.has(a)))).toEqual(sorted(MUTATING));
        expect(sorted([...granted].filter((a) => MUTATING.includes(a)))).toEqual(sorted(MUTATING));
      }
    });

    it("scales and removes through an Auto Scaling group only when it carries ecs-steady:cluster or ecs-steady:fallback-for, and tags it only with the last-action tags (the back-off on a cluster's own backend)", () => {
      expect([CLUSTER_TAG, FALLBACK_TAG, BACKOFF_TAG]).toEqual([
        'ecs-steady:cluster',
        'ecs-steady:fallback-for',
        'ecs-steady:backoff-until',
      ]);
      for (const stack of [defaults, operator]) {
        for (const fn of BACKEND_WRITERS) {
          const [own, fallback] = [CLUSTER_TAG, FALLBACK_TAG].map((t) => `autoscaling:ResourceTag/${t}`);
          for (const action of ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup']) {
            const found = statementsFor(stack, action, fn);
            for (const s of found) expect([fn, asList(s.Resource).map(sub)]).toEqual([fn, [ASG]]);
            // IAM ANDs the keys of one Condition: "either tag" is one statement per tag key.
            expect([fn, found.map((s) => s.Condition)]).toEqual([fn, [clusterTag(own!, stack), clusterTag(fallback!, stack)]]);
          }
          expect([fn, statementsFor(stack, 'autoscaling:CreateOrUpdateTags', fn).map((s) => s.Condition)]).toEqual([
            fn,
            [
              {
                ...clusterTag(own!, stack),
                'ForAllValues:StringEquals': { 'aws:TagKeys': OWN_KEYS },
              },
              { ...clusterTag(fallback!, stack), 'ForAllValues:StringEquals': { 'aws:TagKeys': FALLBACK_KEYS } },
            ],
          ]);
        }
      }
    });

    it('moves and tags only EC2 Fleets and Spot Fleet requests carrying ecs-steady:cluster or ecs-steady:fallback-for, never an instance tag', () => {
      for (const stack of [defaults, operator]) {
        for (const fn of BACKEND_WRITERS) {
          const keys = [CLUSTER_TAG, FALLBACK_TAG].map((t) => `aws:ResourceTag/${t}`);
          for (const action of ['ec2:ModifyFleet', 'ec2:ModifySpotFleetRequest', 'ec2:CreateTags']) {
            const found = statementsFor(stack, action, fn);
            expect([fn, action, found.length]).toEqual([fn, action, 2]);
            found.forEach((s, i) => {
              expect(asList(s.Resource).map(sub)).toEqual([`${EC2}fleet/*`, `${EC2}spot-fleet-request/*`]);
              expect(s.Condition).toMatchObject(clusterTag(keys[i]!, stack));
            });
          }
          expect(statementsFor(stack, 'ec2:CreateTags', fn).map((s) => s.Condition?.['ForAllValues:StringEquals'])).toEqual([
            { 'aws:TagKeys': OWN_KEYS },
            { 'aws:TagKeys': FALLBACK_KEYS },
          ]);
        }
      }
    });

    it('lets only capacityWriter attach an instance back (a rebalance detach no notice followed), only to Auto Scaling groups tagged ecs-steady:cluster', () => {
      for (const stack of [defaults, operator]) {
        const found = statementsFor(stack, 'autoscaling:AttachInstances', 'capacityWriter');
        expect(found.length).toBe(1);
        expect(asList(found[0]!.Resource).map(sub)).toEqual([ASG]);
        expect(found[0]!.Condition).toEqual(clusterTag(`autoscaling:ResourceTag/${CLUSTER_TAG}`, stack));
        for (const fn of functionsOf(stack).filter((f) => f.key !== 'capacityWriter'))
          expect([fn.key, actionsOf(fn.statements).has('autoscaling:AttachInstances')]).toEqual([fn.key, false]);
      }
    });

    it('lets spotInterruption detach an instance (keeping desired) only from an Auto Scaling group tagged ecs-steady:cluster, and passes it cluster names and replaceOnNotice', () => {
      for (const stack of [defaults, operator]) {
        const found = statementsFor(stack, 'autoscaling:DetachInstances', 'spotInterruption');
        expect(found.length).toBe(1);
        expect(asList(found[0]!.Resource).map(sub)).toEqual([ASG]);
        expect(found[0]!.Condition).toEqual(clusterTag(`autoscaling:ResourceTag/${CLUSTER_TAG}`, stack));
        for (const fn of functionsOf(stack).filter((f) => f.key !== 'spotInterruption'))
          expect([fn.key, actionsOf(fn.statements).has('autoscaling:DetachInstances')]).toEqual([fn.key, false]);
      }
      const env = (stack: PackagedStack) =>
        functionsOf(stack).find((f) => f.key === 'spotInterruption')!.props.Environment.Variables as Record<string, string>;
      expect(env(defaults)).toMatchObject({ REPLACE_ON_NOTICE: 'true', CLUSTERS: '' });
      // The replacement compares CLUSTERS with the group's ecs-steady:cluster tag, which holds a name.
      expect(env(operator)).toMatchObject({ REPLACE_ON_NOTICE: 'false', CLUSTERS: 'web,batch' });
    });

    it('grants scaleTick, runTaskFailure and placementFailure no capacity write, and the event functions no ECS, Auto Scaling or EC2 at all', () => {
      for (const stack of [defaults, operator]) {
        for (const fn of functionsOf(stack).filter((f) => ['scaleTick', 'runTaskFailure', 'placementFailure'].includes(f.key))) {
          const granted = [...actionsOf(fn.statements)];
          expect([fn.key, granted.filter((a) => MUTATING.includes(a))]).toEqual([fn.key, []]);
          if (fn.key !== 'scaleTick')
            expect([fn.key, granted.filter((a) => /^(ecs|autoscaling|ec2|elasticloadbalancing|sns):/.test(a))]).toEqual([fn.key, []]);
        }
      }
    });

    it('terminates only instances an EC2 Fleet or a Spot Fleet launched (the aws: tags EC2 writes on them), of the fleets capacityBackends names when it names any', () => {
      for (const stack of [defaults, operator]) {
        const found = statementsFor(stack, 'ec2:TerminateInstances');
        expect(found.map((s) => asList(s.Action))).toEqual([['ec2:TerminateInstances'], ['ec2:TerminateInstances']]);
        for (const s of found) expect(asList(s.Resource).map(sub)).toEqual([`${EC2}instance/*`]);
        const spot = 'aws:ResourceTag/aws:ec2spot:fleet-request-id';
        expect(found.map((s) => s.Condition)).toEqual([
          { Null: { 'aws:ResourceTag/aws:ec2:fleet-id': 'false' } },
          stack === defaults ? { Null: { [spot]: 'false' } } : { StringEquals: { [spot]: ['sfr-5d2ad1d8-6f7a-4c3e-9a7b-0123456789ab'] } },
        ]);
      }
      expect(derive.ec2FleetInstanceCondition!({ capacityBackends: 'a=ec2Fleet:fleet-1,b=asg:g,c=ec2Fleet:fleet-2' })).toEqual({
        StringEquals: { 'aws:ResourceTag/aws:ec2:fleet-id': ['fleet-1', 'fleet-2'] },
      });
      expect(() => derive.spotFleetInstanceCondition!({ capacityBackends: 'a=spot:sfr-1' })).toThrow(/capacityBackends: "a=spot:sfr-1"/);
    });

    it('marks only container instances of the configured clusters with an attribute, tags none, removes only the old scale-in tag; lists services of those clusters only', () => {
      for (const action of ['ecs:PutAttributes', 'ecs:DeleteAttributes']) {
        const found = statementsFor(operator, action);
        expect(found.length).toBe(1);
        expect(asList(found[0]!.Resource).map(sub)).toEqual([`${ECS}container-instance/web/*`, `${ECS}container-instance/batch/*`]);
      }
      expect(statementsFor(operator, 'ecs:TagResource')).toEqual([]);
      const untag = statementsFor(operator, 'ecs:UntagResource');
      expect(untag.length).toBe(1);
      expect(asList(untag[0]!.Resource).map(sub)).toEqual([`${ECS}container-instance/web/*`, `${ECS}container-instance/batch/*`]);
      expect(untag[0]!.Condition).toEqual({ 'ForAllValues:StringEquals': { 'aws:TagKeys': [SCALE_IN_TAG] } });
      const list = statementsFor(operator, 'ecs:ListServices');
      expect(list.map((s) => asList(s.Condition?.ArnLike?.['ecs:cluster'] as unknown[]).map(sub))).toEqual([
        [`${ECS}cluster/web`, `${ECS}cluster/batch`],
      ]);
    });

    it('alarms over every cluster on tick errors, failed steps, capacity that did not arrive, unplaceable tasks and tasks left running', () => {
      const queries = (t: Template) =>
        ofType(t, 'AWS::CloudWatch::Alarm')
          .map(([, a]) => a.Properties)
          .filter((a) => a.Metrics)
          .map((a) => ({ a, q: a.Metrics[0] as { Expression: string; Period: number } }));
      const code = readdirRecursive(defaults.dir, ['functions', 'shared'])
        .map((f) => readFileSync(f, 'utf8'))
        .join('\n');
      const byMetric = new Map<string, { a: any; q: { Expression: string; Period: number } }>();
      const events = new Map<string, { a: any; q: { Expression: string; Period: number } }>();
      for (const x of queries(defaults.template)) {
        const m = /^SELECT (SUM|MAX)\((\w+)\) FROM SCHEMA\(EcsSteady, cluster, service\) WHERE service = '(\w+)'$/.exec(x.q.Expression);
        expect([x.a.AlarmName, !!m]).toEqual([x.a.AlarmName, true]);
        expect([m![2], code.includes(`'${m![2]}'`)]).toEqual([m![2], true]);
        // capacityWriter's latency alarm is checked below; agentHealth's in stack-fleet.ts.
        if (m![3] !== 'capacityWriter' || m![2] === 'secondsToCapacityRequest') {
          events.set(`${m![3]} ${m![2]}`, x);
          continue;
        }
        expect(x.a).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
        expect(x.a.Period).toBeUndefined();
        byMetric.set(m![2]!, x);
      }
      expect(sorted(byMetric.keys())).toEqual(
        sorted([
          'capacityTickErrors',
          'capacityStepFailures',
          'capacityNotArrived',
          'unplaceableTasks',
          'starvedServices',
          'stuckDeployments',
          'tasksLeftRunning',
        ]),
      );
      const notArrived = byMetric.get('capacityNotArrived')!;
      expect([notArrived.q.Period, notArrived.a.EvaluationPeriods, notArrived.a.DatapointsToAlarm]).toEqual([60, 5, 5]);
      // Demand unplaceable too long: a starved service every minute for unplaceableAlarmMinutes (default 15).
      const starved = byMetric.get('starvedServices')!;
      expect([
        starved.q.Expression.startsWith('SELECT MAX('),
        starved.q.Period,
        starved.a.EvaluationPeriods,
        starved.a.DatapointsToAlarm,
      ]).toEqual([true, 60, 15, 15]);
      const starvedOperator = queries(operator.template).find(({ a }) => a.AlarmName.endsWith('-capacityWriter-starvedServices'))!.a;
      expect(starvedOperator.EvaluationPeriods).toBe(Number(OPERATOR.unplaceableAlarmMinutes));
      expect(byMetric.get('capacityTickErrors')!.q.Period).toBe(300);
      for (const { a } of queries(operator.template)) expect(a.AlarmActions).toEqual([OPERATOR.alarmTopicArn]);
      const minutes = queries(operator.template).find(({ a }) => a.AlarmName.endsWith('-capacityNotArrived'))!.a.EvaluationPeriods;
      expect(minutes).toBe(Number(OPERATOR.capacityNotArrivedAlarmMinutes));
      // A capacity request more than 5 s after its trigger in 3 of 5 minutes (MAX stands in for p99).
      for (const svc of ['capacityWriter']) {
        const slow = events.get(`${svc} secondsToCapacityRequest`)!;
        expect([svc, slow.q.Expression.startsWith('SELECT MAX('), slow.q.Period]).toEqual([svc, true, 60]);
        expect(slow.a).toMatchObject({
          Threshold: 5,
          EvaluationPeriods: 5,
          DatapointsToAlarm: 3,
          ComparisonOperator: 'GreaterThanThreshold',
        });
      }
    });

    it('draws the capacity metrics per cluster on the dashboard', () => {
      const [, board] = ofType(defaults.template, 'AWS::CloudWatch::Dashboard')[0]!;
      const widgets = JSON.parse(board.Properties.DashboardBody['Fn::Sub'][0]).widgets as Array<{ properties: { metrics: unknown[] } }>;
      const searched = widgets.flatMap((w) =>
        w.properties.metrics.flatMap((m) => {
          const e = (m as { expression?: string }).expression;
          const found = e ? /service="(\w+)" MetricName="(\w+)"/.exec(e)! : undefined;
          return found?.[1] === 'capacityWriter' ? [found[2]!] : [];
        }),
      );
      for (const m of [
        'cpuReservation',
        'memoryReservation',
        'desiredCapacity',
        'inServiceCapacity',
        'decisionsScaleOut',
        'decisionsFallback',
        'capacityNotArrived',
      ])
        expect(searched).toContain(m);
    });
  });
}

const readdirRecursive = (root: string, dirs: string[]): string[] =>
  dirs.flatMap((d) =>
    readdirSync(join(root, d), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? readdirRecursive(join(root, d), [e.name]) : e.name.endsWith('.ts') ? [join(root, d, e.name)] : [],
    ),
  );
