import type { CloudWatchClient, GetMetricDataCommandOutput } from '@aws-sdk/client-cloudwatch';
import { wasAttachedBetween } from '../../shared/aws/ebs-metrics';

const FROM = Date.parse('2026-12-02T10:00:00Z');
const TO = FROM + 3_600_000;

/** A CloudWatch client answering one fixed GetMetricData output (the request shape is checked too). */
function answering(out: Partial<GetMetricDataCommandOutput>) {
  const inputs: unknown[] = [];
  const cw = {
    send: async (command: { input: unknown }) => {
      inputs.push(command.input);
      return out;
    },
  } as unknown as CloudWatchClient;
  return { cw, inputs };
}

describe('wasAttachedBetween: whether EBS reported a volume attached in a window', () => {
  it('asks for VolumeIdleTime and VolumeWriteOps over one period covering the window', async () => {
    const { cw, inputs } = answering({
      MetricDataResults: [
        { Id: 'm0', StatusCode: 'Complete', Values: [] },
        { Id: 'm1', StatusCode: 'Complete', Values: [] },
      ],
    });
    expect(await wasAttachedBetween(cw, 'vol-1', FROM, TO)).toBe(false);
    expect(inputs).toEqual([
      expect.objectContaining({
        StartTime: new Date(FROM),
        EndTime: new Date(TO),
        MetricDataQueries: ['VolumeIdleTime', 'VolumeWriteOps'].map((MetricName, i) =>
          expect.objectContaining({
            Id: `m${i}`,
            MetricStat: {
              Metric: { Namespace: 'AWS/EBS', MetricName, Dimensions: [{ Name: 'VolumeId', Value: 'vol-1' }] },
              Period: 3_600,
              Stat: 'SampleCount',
            },
          }),
        ),
      }),
    ]);
  });

  it('reads a data point in either metric as attached', async () => {
    const { cw } = answering({
      MetricDataResults: [
        { Id: 'm0', StatusCode: 'Complete', Values: [] },
        { Id: 'm1', StatusCode: 'Complete', Values: [12] },
      ],
    });
    expect(await wasAttachedBetween(cw, 'vol-1', FROM, TO)).toBe(true);
  });

  it.each<[string, Partial<GetMetricDataCommandOutput>]>([
    ['no result at all', { MetricDataResults: [] }],
    ['one result for two queries', { MetricDataResults: [{ Id: 'm0', StatusCode: 'Complete', Values: [] }] }],
    [
      'a result for a query it did not ask',
      {
        MetricDataResults: [
          { Id: 'm0', StatusCode: 'Complete', Values: [] },
          { Id: 'other', StatusCode: 'Complete', Values: [] },
        ],
      },
    ],
  ])('throws on an answer with %s: a missing result is not "no data points"', async (_name, out) => {
    const { cw } = answering(out);
    await expect(wasAttachedBetween(cw, 'vol-1', FROM, TO)).rejects.toThrow(/vol-1 answered no result for .*m1/);
  });

  it('throws on a partial answer', async () => {
    const { cw } = answering({
      MetricDataResults: [
        { Id: 'm0', StatusCode: 'PartialData', Values: [] },
        { Id: 'm1', StatusCode: 'Complete', Values: [] },
      ],
    });
    await expect(wasAttachedBetween(cw, 'vol-1', FROM, TO)).rejects.toThrow('not complete');
  });
});
