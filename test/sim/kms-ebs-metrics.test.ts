import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GenerateMacCommand, VerifyMacCommand } from '@aws-sdk/client-kms';
import { wasAttachedBetween } from '../../shared/aws/ebs-metrics';
import { KmsMacAdapter } from '../../shared/aws/kms-mac';
import { SimulatedAccount } from '../../sim/account';
import { EBS_METRICS_DELIVERY_DELAY_MINUTES } from '../../sim/cloudwatch-ebs';

const MIN = 60_000;
const bytes = (s: string) => new TextEncoder().encode(s);

describe('simulated KMS: HMAC keys', () => {
  it('makes MACs that verify for the same key, message and algorithm only, and names the key by id, ARN or alias', async () => {
    const account = new SimulatedAccount();
    const arn = account.kms.createKey({ alias: 'alias/stamps' });
    const other = account.kms.createKey();
    const kms = account.clients().kms;
    const { Mac } = await kms.send(new GenerateMacCommand({ KeyId: 'alias/stamps', Message: bytes('m'), MacAlgorithm: 'HMAC_SHA_256' }));
    expect(Mac).toHaveLength(32);
    const verify = (KeyId: string, message: string) =>
      kms.send(new VerifyMacCommand({ KeyId, Message: bytes(message), Mac: Mac!, MacAlgorithm: 'HMAC_SHA_256' }));
    await expect(verify(arn, 'm')).resolves.toMatchObject({ MacValid: true, KeyId: arn });
    await expect(verify(arn.split('/')[1]!, 'm')).resolves.toMatchObject({ MacValid: true });
    await expect(verify(arn, 'n')).rejects.toMatchObject({ name: 'KMSInvalidMacException' });
    await expect(verify(other, 'm')).rejects.toMatchObject({ name: 'KMSInvalidMacException' });
  });

  it("answers KMS's exceptions: unknown key, disabled key, wrong usage or algorithm, message too long", async () => {
    const account = new SimulatedAccount();
    const kms = account.clients({ maxAttempts: 1 }).kms;
    const hmac = account.kms.createKey();
    const encrypt = account.kms.createKey({ keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' });
    const mac = (KeyId: string, Message = bytes('m'), MacAlgorithm = 'HMAC_SHA_256') =>
      kms.send(new GenerateMacCommand({ KeyId, Message, MacAlgorithm: MacAlgorithm as 'HMAC_SHA_256' }));
    await expect(mac('arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    await expect(mac(hmac.replace('123456789012', '210987654321'))).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(mac(encrypt)).rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
    await expect(mac(hmac, bytes('m'), 'HMAC_SHA_512')).rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
    await expect(mac(hmac, new Uint8Array(4_097))).rejects.toMatchObject({ name: 'ValidationException' });
    account.kms.setEnabled(hmac, false);
    await expect(mac(hmac)).rejects.toMatchObject({ name: 'DisabledException' });
  });

  it('the adapter reads a rejected MAC as false and throws for a key it cannot use (no proof either way)', async () => {
    const account = new SimulatedAccount();
    const key = account.kms.createKey();
    const adapter = new KmsMacAdapter(account.clients({ maxAttempts: 1 }).kms, key);
    const mac = await adapter.generate(bytes('m'));
    expect(await adapter.verify(bytes('m'), mac)).toBe(true);
    expect(await adapter.verify(bytes('x'), mac)).toBe(false);
    account.kms.setEnabled(key, false);
    await expect(adapter.verify(bytes('m'), mac)).rejects.toMatchObject({ name: 'DisabledException' });
  });
});

describe('the KMS MAC adapter: one key for its life', () => {
  it('refuses an answer from another key once the alias it names was moved (a MAC of that key proves nothing)', async () => {
    const account = new SimulatedAccount();
    const ours = account.kms.createKey({ alias: 'alias/stamps' });
    const theirs = account.kms.createKey();
    const adapter = new KmsMacAdapter(account.clients({ maxAttempts: 1 }).kms, 'alias/stamps');
    const mac = await adapter.generate(bytes('m'));
    expect(await adapter.verify(bytes('m'), mac)).toBe(true);
    account.kms.pointAlias('alias/stamps', theirs);
    const forged = account.kms.macFor(theirs, bytes('m'));
    await expect(adapter.verify(bytes('m'), forged)).rejects.toThrow(`alias/stamps now names ${theirs}, not ${ours}: refused`);
    await expect(adapter.generate(bytes('m'))).rejects.toThrow('refused');
  });
});

describe('simulated CloudWatch: EBS metrics while a volume is attached', () => {
  it('reports a volume only for the minutes it was attached, whatever EC2 shows now', async () => {
    const account = new SimulatedAccount({ start: '2026-12-02T10:00:00Z' });
    const t0 = account.clock.now();
    const { instanceId } = account.ec2.launchInstance();
    const v = account.ec2.volumes.create({ attachTo: { instanceId } });
    const never = account.ec2.volumes.create();
    account.advance(20 * MIN);
    account.ec2.terminate(instanceId, 'api'); // detached at 10:20: EC2 forgets the attachment
    account.advance(100 * MIN);
    const cw = account.clients().cloudwatch;
    expect(account.ec2.volumes.volume(v)!.attachment).toBeUndefined();
    expect(await wasAttachedBetween(cw, v, t0 + 5 * MIN, account.clock.now())).toBe(true);
    expect(await wasAttachedBetween(cw, v, t0 + 21 * MIN, account.clock.now())).toBe(false);
    expect(await wasAttachedBetween(cw, never, t0, account.clock.now())).toBe(false);

    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(t0),
        EndTime: new Date(account.clock.now()),
        MetricDataQueries: [
          {
            Id: 'idle',
            MetricStat: {
              Metric: { Namespace: 'AWS/EBS', MetricName: 'VolumeIdleTime', Dimensions: [{ Name: 'VolumeId', Value: v }] },
              Period: 600,
              Stat: 'SampleCount',
            },
          },
        ],
      }),
    );
    // Two 10-minute buckets of 10 one-minute points each, newest first.
    expect(out.MetricDataResults![0]).toMatchObject({ StatusCode: 'Complete', Values: [10, 10] });
    expect(out.MetricDataResults![0]!.Timestamps!.map((d) => d.toISOString())).toEqual([
      '2026-12-02T10:10:00.000Z',
      '2026-12-02T10:00:00.000Z',
    ]);
  });

  it('returns a minute of metrics only once the delivery delay after it has passed', async () => {
    const account = new SimulatedAccount({ start: '2026-12-02T10:00:00Z' });
    const t0 = account.clock.now();
    const { instanceId } = account.ec2.launchInstance();
    const v = account.ec2.volumes.create({ attachTo: { instanceId } });
    account.advance(3 * MIN);
    account.ec2.terminate(instanceId, 'api'); // attached 10:00–10:03
    const cw = account.clients().cloudwatch;
    const seen = () => wasAttachedBetween(cw, v, t0, account.clock.now());
    expect(await seen()).toBe(false); // 10:03: nothing delivered yet
    // The 10:00 minute ends at 10:01 and is delivered the delay after that.
    account.advance(t0 + (1 + EBS_METRICS_DELIVERY_DELAY_MINUTES) * MIN - 1 - account.clock.now());
    expect(await seen()).toBe(false);
    account.advance(1);
    expect(await seen()).toBe(true);
  });
});
