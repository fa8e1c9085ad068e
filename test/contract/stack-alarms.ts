import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from './package-stack';
import { defaults, functionsOf, ofType, operator, OPERATOR, refersTo } from './stack-template';

const readdirRecursive = (root: string, dirs: string[]): string[] =>
  dirs.flatMap((d) =>
    readdirSync(join(root, d), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? readdirRecursive(join(root, d), [e.name]) : e.name.endsWith('.ts') ? [join(root, d, e.name)] : [],
    ),
  );

/** Alarms on every function, rule, dead-letter queue and drain metric, and a dashboard of metrics the code emits. */
export function describeAlarms(): void {
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
      for (const stack of [defaults, operator]) {
        for (const fn of functionsOf(stack)) {
          for (const metric of ['Errors', 'Throttles'])
            expect([fn.key, metric, hasAlarm(stack.template, 'AWS/Lambda', metric, (d) => refersTo(d.FunctionName, fn.logicalId))]).toEqual(
              [fn.key, metric, true],
            );
        }
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
      // logPartitions is deployed only with logsBucket (the operator's config).
      expect(hasAlarm(operator.template, 'EcsSteady', 'partitionsFailed', (d) => d.service === 'logPartitions')).toBe(true);
      // Powertools' `service` dimension is the name each handler gives lambdaRuntime: the function's key.
      for (const [key, entry] of Object.entries(operator.entries)) {
        expect([key, new RegExp(`lambdaRuntime\\(\\s*'${key}'`).test(readFileSync(join(operator.dir, `${entry}.ts`), 'utf8'))]).toEqual([
          key,
          true,
        ]);
      }
    });

    it('alarms on and draws only EMF metrics the code emits (a renamed metric fails here, not silently in CloudWatch)', () => {
      const alarmed = [defaults, operator].flatMap(({ template }) =>
        alarms(template)
          .filter((a) => a.Namespace === 'EcsSteady')
          .map((a) => a.MetricName as string),
      );
      const drawn = [defaults, operator].flatMap(({ template }) => {
        const [, board] = ofType(template, 'AWS::CloudWatch::Dashboard')[0]!;
        return (JSON.parse(board.Properties.DashboardBody['Fn::Sub'][0]).widgets as Array<{ properties: { metrics: string[][] } }>).flatMap(
          (w) => w.properties.metrics.filter((m) => m[0] === 'EcsSteady').map((m) => m[1]!),
        );
      });
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
}
