import type { PackagedStack } from './package-stack';
import { asList, defaults, functionsOf, ofType, operator, refersTo, type Statement } from './stack-template';

const fn = (stack: PackagedStack, key: string) => functionsOf(stack).find((f) => f.key === key)!;
const statementsFor = (stack: PackagedStack, action: string, key: string): Statement[] =>
  fn(stack, key).statements.filter((s) => asList(s.Action).includes(action));

/** The capacity writer's delivery: its FIFO queue, the event source, the senders (docs/capacity-writer.md). */
export function describeCapacityWriter(): void {
  describe('capacityWriter: one writer per cluster behind a FIFO queue', () => {
    it('lets capacityWriter read Spot request status (a rebalance drain is called off only on it), and no other function but read-only preflight', () => {
      for (const stack of [defaults, operator]) {
        const readers = functionsOf(stack).filter((f) =>
          f.statements.some((s) => asList(s.Action).includes('ec2:DescribeSpotInstanceRequests')),
        );
        expect(readers.map((f) => f.key).sort()).toEqual(['capacityWriter', 'preflight']);
      }
    });

    it('sends one tick per cluster into the capacity writer, whose FIFO queue is sized to keep demand through a 15-minute outage', () => {
      for (const stack of [defaults, operator]) {
        const t = stack.template;
        const w = fn(stack, 'capacityWriter');
        const [, queue] = ofType(t, 'AWS::SQS::Queue').find(([, q]) => String(q.Properties.QueueName).endsWith('-capacity.fifo'))!;
        const q = queue.Properties;
        expect(fn(stack, 'scaleTick').props.Environment.Variables.CAPACITY_QUEUE_NAME).toBe(q.QueueName);
        expect(w.props.Environment.Variables.QUEUE_NAME).toBe(q.QueueName);
        expect(q).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: false });
        // Lambda Developer Guide: the visibility timeout at least 6 × the function's timeout.
        expect(q.VisibilityTimeout).toBeGreaterThanOrEqual(6 * w.props.Timeout);
        const [dlqId] = ofType(t, 'AWS::SQS::Queue').find(([id]) => refersTo(q.RedrivePolicy.deadLetterTargetArn, id))!;
        expect((t.Resources[dlqId] as { Properties: { FifoQueue?: boolean } }).Properties.FifoQueue).toBe(true);
        // A failed group comes back after the visibility timeout, as often as the redrive policy allows: well beyond a 15-minute outage.
        const retried = q.VisibilityTimeout * (q.RedrivePolicy.maxReceiveCount - 1);
        expect(retried).toBeGreaterThan(2 * 15 * 60);
        expect(q.MessageRetentionPeriod).toBeGreaterThan(retried);
        const [, mapping] = ofType(t, 'AWS::Lambda::EventSourceMapping').find(([, m]) => refersTo(m.Properties.FunctionName, w.logicalId))!;
        expect(mapping.Properties).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
        expect(mapping.Properties.MaximumBatchingWindowInSeconds).toBeUndefined(); // not supported for FIFO queues
        const age = ofType(t, 'AWS::CloudWatch::Alarm').find(([, a]) => a.Properties.MetricName === 'ApproximateAgeOfOldestMessage')!;
        expect(age[1].Properties).toMatchObject({ Threshold: 300, Statistic: 'Maximum' });
        for (const f of ['scaleTick', 'runTaskFailure', 'placementFailure'])
          expect([
            f,
            statementsFor(stack, 'sqs:SendMessage', f).some((s) => asList(s.Resource).some((r) => refersTo(r, 'CapacityQueue'))),
          ]).toEqual([f, true]);
      }
    });
  });
}
