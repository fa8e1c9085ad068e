import type { PackagedStack, Template } from './package-stack';
import { asList, defaults, functionsOf, ofType, operator, OPERATOR, refersTo, type Statement } from './stack-template';

/** Delivery: EventBridge targets, failure destinations and SQS sources all end in a dead-letter queue; the params reach the functions. */
export function describeDelivery(): void {
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
      for (const stack of [defaults, operator]) {
        const t = stack.template;
        const targets = ofType(t, 'AWS::Events::Rule').flatMap(([, r]) => r.Properties.Targets.map((x: { Arn: unknown }) => x.Arn));
        for (const fn of functionsOf(stack)) {
          const eventTarget = targets.some((a) => refersTo(a, fn.logicalId));
          const config = ofType(t, 'AWS::Lambda::EventInvokeConfig').find(([, c]) =>
            refersTo(c.Properties.FunctionName, fn.logicalId),
          )?.[1];
          if (eventTarget || config)
            expect([fn.key, queueOf(t, config?.Properties.DestinationConfig?.OnFailure?.Destination)]).toEqual([
              fn.key,
              expect.any(String),
            ]);
        }
        for (const [, m] of ofType(t, 'AWS::Lambda::EventSourceMapping')) {
          const queue = queueOf(t, m.Properties.EventSourceArn)!;
          expect(t.Resources[queue]!.Properties.RedrivePolicy?.maxReceiveCount).toBeGreaterThanOrEqual(5);
          expect(queueOf(t, t.Resources[queue]!.Properties.RedrivePolicy?.deadLetterTargetArn)).toEqual(expect.any(String));
        }
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
        if (dlq)
          expect(t.Resources[dlq]!.Properties.MessageRetentionPeriod).toBeGreaterThan(q.Properties.MessageRetentionPeriod ?? 345_600);
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
}
