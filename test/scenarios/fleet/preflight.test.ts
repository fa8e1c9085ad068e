import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import { ModifyTargetGroupAttributesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { makeHandler } from '../../../functions/preflight/handler';
import { expectedAlarmNames, expectedQueueNames } from '../../../shared/fleet/preflight/checks-operations';
import { parsePreflightConfig } from '../../../shared/fleet/preflight/config';
import type { Finding } from '../../../shared/fleet/preflight/types';
import { EventValidationError } from '../../../shared/lambda/errors';
import { SimulatedAccount } from '../../../sim/account';
import { buildPreflightDemo } from '../../../sim/builders-preflight';
import { recordingLogger, recordingMetrics } from '../../support/recorders';

const PREFIX = 'ecs-steady-demo';
const MISSING_QUEUE = `${PREFIX}-placement-failure-dead-letter`;
const MISSING_ALARM = `${PREFIX}-scaleTick-errors`;

function world(env: Record<string, string> = {}) {
  const account = new SimulatedAccount({ start: '2026-12-01T10:00:00Z' });
  const config = parsePreflightConfig({ PREFLIGHT_STACK_PREFIX: PREFIX, ...env });
  const built = buildPreflightDemo(account, {
    queues: expectedQueueNames(config).filter((q) => q !== MISSING_QUEUE),
    alarms: expectedAlarmNames(config).filter((a) => a !== MISSING_ALARM),
  });
  const metrics = recordingMetrics();
  const handler = makeHandler(() => ({ clients: account.clients(), config, clock: account.clock, logger: recordingLogger(), metrics }));
  return { account, built, handler, metrics };
}

/** Findings as `severity check subject` lines, the order runChecks gives. */
const lines = (findings: Finding[]) => findings.map((f) => `${f.severity} ${f.check} ${f.subject}`);

describe('preflight against the simulated account', () => {
  it('finds each planted problem exactly once, where it is, and nothing but idle timeouts on the clean cluster', async () => {
    const { built, handler, metrics } = world();
    const result = await handler({});
    const [nlbListener] = result.findings.filter((f) => f.subject.startsWith('risky-nlb'));

    expect(lines(result.findings)).toEqual([
      'error backend-tag risky',
      `error dead-letter-queue ${MISSING_QUEUE}`,
      'error deployment risky/singleton',
      'error lifecycle-hook asg risky-extra',
      'error stop-timeout risky/api/api',
      `warning alarm ${MISSING_ALARM}`,
      `warning backend-tag spotFleet ${built.risky.strayFleet}`,
      'warning deployment risky/worker',
      'warning lifecycle-hook asg risky-asg',
      'warning spare-room risky',
      'info idle-timeout clean-alb',
      'info idle-timeout risky-alb',
      'info idle-timeout risky-nlb (TCP 9000)',
    ]);
    expect(result.clusters.sort()).toEqual(['clean', 'risky']);
    expect(result.findings.some((f) => f.subject.startsWith('clean') && f.severity !== 'info')).toBe(false);
    expect(result.findings.find((f) => f.check === 'backend-tag' && f.subject === 'risky')!.detail).toContain(
      'asg risky-asg, asg risky-extra',
    );
    expect(result.findings.find((f) => f.check === 'stop-timeout')!.detail).toContain('60 s + container stop timeout 60 s = 120 s');
    expect(result.findings.find((f) => f.check === 'spare-room')!.detail).toMatch(/leaves 1 of its 3 service tasks \(api\)/);
    expect(result.findings.find((f) => f.subject === 'clean-alb')!.detail).toContain('idle timeout 60 s');
    expect(nlbListener!.detail).toContain('TCP idle timeout 350 s');
    expect(result.table.split('\n')[0]).toMatch(/^SEVERITY\s+CHECK\s+SUBJECT\s+DETAIL \/ FIX$/);
    expect(result.table).toContain('5 error(s), 5 warning(s), 3 info');
    expect(Object.fromEntries(metrics.values)).toEqual({
      preflightErrors: 5,
      preflightWarnings: 5,
      preflightInfos: 3,
      preflightReadFailures: 0,
    });
  });

  it('sees a fix at once: a shorter deregistration delay and the missing queue clear their findings, nothing else changes', async () => {
    const { account, built, handler } = world();
    const before = lines((await handler({})).findings);
    await account.clients().elbv2.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: built.risky.targetGroups.api,
        Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '45' }],
      }),
    );
    account.sqs.createQueue(MISSING_QUEUE);
    const after = lines((await handler({})).findings);
    expect(before.filter((l) => !after.includes(l))).toEqual([
      `error dead-letter-queue ${MISSING_QUEUE}`,
      'error stop-timeout risky/api/api',
    ]);
    expect(after.filter((l) => !before.includes(l))).toEqual([]);
  });

  it('reports a backend setting tag scaleTick would refuse, naming the tag and why, and nothing once it is fixed', async () => {
    const { account, built, handler } = world();
    const before = lines((await handler({})).findings);
    const tag = (Value: string) =>
      account
        .clients()
        .ec2.send(
          new CreateTagsCommand({ Resources: [built.clean.spotFleetRequestId], Tags: [{ Key: 'ecs-steady:headroom-windows', Value }] }),
        );
    await tag('morning: Mon-Fri 07:00 Asia/Tokyo 2 x web'); // no end time
    const bad = await handler({});
    expect(lines(bad.findings).filter((l) => !before.includes(l))).toEqual([
      `error backend-settings spotFleet ${built.clean.spotFleetRequestId}`,
    ]);
    expect(bad.findings.find((f) => f.check === 'backend-settings')!.detail).toMatch(
      /^scaleTick will not plan clean while its backend's tags are invalid: ecs-steady:headroom-windows="morning: Mon-Fri 07:00 .*": window 'morning'/,
    );
    await tag('morning: Mon-Fri 07:00-09:00 Asia/Tokyo 2 x web');
    expect(lines((await handler({})).findings)).toEqual(before);
  });

  it('checks only the clusters asked for; an idle timeout not below the keep-alive timeout asked for is an error', async () => {
    const { handler } = world();
    const result = await handler({ clusters: ['clean'], appKeepAliveSeconds: 60 });
    expect(result.clusters).toEqual(['clean']);
    expect(lines(result.findings).filter((l) => !/ (alarm|dead-letter-queue) /.test(l))).toEqual(['error idle-timeout clean-alb']);
  });

  it('reports a read AWS refuses as a finding and still checks everything else', async () => {
    const { account, handler } = world();
    account.failNext(
      'cloudwatch',
      'DescribeAlarms',
      () => Object.assign(new Error('User is not authorized to perform: cloudwatch:DescribeAlarms'), { name: 'AccessDenied' }),
      { times: 20 },
    );
    const result = await handler({});
    const read = result.findings.filter((f) => f.check === 'read');
    expect(read.map((f) => f.subject)).toEqual([`alarms ${PREFIX}-*`]);
    expect(read[0]!.detail).toContain('AccessDenied');
    expect(result.findings.filter((f) => f.check === 'alarm')).toEqual([]);
    expect(lines(result.findings)).toContain('error stop-timeout risky/api/api');
  });

  it('when the backends cannot be read, reports the read and no backend-tag or lifecycle-hook finding', async () => {
    const { account, handler } = world();
    const denied = () =>
      Object.assign(new Error('User is not authorized to perform: autoscaling:DescribeAutoScalingGroups'), { name: 'AccessDenied' });
    account.failNext('autoscaling', 'DescribeAutoScalingGroups', denied, { times: 50 });
    const result = await handler({});
    expect(result.findings.filter((f) => f.check === 'read').map((f) => f.subject)).toEqual(['capacity backends']);
    expect(result.findings.filter((f) => f.check === 'backend-tag' || f.check === 'lifecycle-hook')).toEqual([]);
    expect(lines(result.findings)).toContain('error stop-timeout risky/api/api');
  });

  it('rejects a malformed request naming the field', async () => {
    const { handler, metrics } = world();
    await expect(handler({ clusters: 'web' })).rejects.toThrow(EventValidationError);
    expect(metrics.values.get('preflightRejected')).toBe(1);
    await expect(handler({ clusters: 'web' })).rejects.toThrow(/clusters/);
  });
});

describe('preflight and a cluster that does not exist', () => {
  it('says "not found" and to check the name, not to grant a read', async () => {
    const { handler } = world({ CLUSTERS: 'no-such-cluster' });
    const result = await handler({});
    const finding = result.findings.find((f) => f.subject === 'no-such-cluster');
    expect(finding).toMatchObject({ severity: 'error', check: 'read' });
    expect(finding!.detail).toMatch(/^not found: /);
    expect(finding!.fix).toMatch(/does not exist in this account and region/);
    expect(finding!.fix).not.toMatch(/grant/);
  });
});
