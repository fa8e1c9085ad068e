import {
  checkAlarms,
  checkDeadLetterQueues,
  checkIdleTimeouts,
  expectedAlarmNames,
  expectedQueueNames,
} from '../../../shared/fleet/preflight/checks-operations';
import { sortFindings } from '../../../shared/fleet/preflight/plan';
import type { Finding } from '../../../shared/fleet/preflight/types';
import { SETTINGS } from './preflight-fixtures';

describe('dead-letter queues and alarms, by the names serverless.yml and deploy/operations.js give them', () => {
  it('expects <prefix>-<suffix> queues and the errors, throttles and not-empty alarms', () => {
    expect(expectedQueueNames(SETTINGS)).toEqual(['ecs-steady-test-dead-letter', 'ecs-steady-test-asg-drain-dead-letter']);
    expect(expectedAlarmNames(SETTINGS)).toEqual([
      'ecs-steady-test-spotInterruption-errors',
      'ecs-steady-test-spotInterruption-throttles',
      'ecs-steady-test-DeadLetterQueue-not-empty',
      'ecs-steady-test-AsgDrainDeadLetterQueue-not-empty',
    ]);
  });

  it.each([
    { queues: [true, true], expected: [] },
    { queues: [false, true], expected: ['error ecs-steady-test-dead-letter'] },
  ])('a missing queue is an error: $queues', ({ queues, expected }) => {
    const found = checkDeadLetterQueues(expectedQueueNames(SETTINGS).map((name, i) => ({ name, exists: queues[i]! })));
    expect(found.map((f) => `${f.severity} ${f.subject}`)).toEqual(expected);
  });

  it.each([
    { have: expectedAlarmNames(SETTINGS), missing: [] },
    { have: expectedAlarmNames(SETTINGS).slice(1), missing: ['ecs-steady-test-spotInterruption-errors'] },
    { have: ['ecs-steady-other-spotInterruption-errors'], missing: expectedAlarmNames(SETTINGS) },
  ])('a missing alarm is a warning ($missing.length missing)', ({ have, missing }) => {
    const found = checkAlarms(have, SETTINGS);
    expect(found.map((f) => f.subject)).toEqual(missing);
    expect(found.every((f) => f.severity === 'warning')).toBe(true);
  });
});

describe('checkIdleTimeouts', () => {
  const alb = { arn: 'arn:alb', name: 'web-alb', type: 'application' as const, idleTimeouts: [{ seconds: 60 }], usedBy: ['web/api'] };
  const nlb = {
    arn: 'arn:nlb',
    name: 'web-nlb',
    type: 'network' as const,
    idleTimeouts: [{ listener: 'TCP 443', seconds: 350 }],
    usedBy: ['web/api'],
  };
  it.each([
    { keepAlive: undefined, expected: ['info web-alb', 'info web-nlb (TCP 443)'] },
    { keepAlive: 65, expected: ['info web-alb', 'info web-nlb (TCP 443)'] },
    { keepAlive: 60, expected: ['error web-alb', 'info web-nlb (TCP 443)'] },
    { keepAlive: 400, expected: ['info web-alb', 'info web-nlb (TCP 443)'] },
  ])(
    'keep-alive $keepAlive s: an error only for an ALB; an NLB TCP listener is listed as info whatever the keep-alive',
    ({ keepAlive, expected }) => {
      const found = checkIdleTimeouts([alb, nlb], { ...SETTINGS, ...(keepAlive ? { appKeepAliveSeconds: keepAlive } : {}) });
      expect(found.map((f) => `${f.severity} ${f.subject}`)).toEqual(expected);
      expect(found[0]!.fix).toContain('reuses connections the server already closed: 502/504s');
    },
  );
});

describe('sortFindings', () => {
  it('puts errors first, then warnings, then info; by check and subject within', () => {
    const f = (severity: Finding['severity'], check: Finding['check'], subject: string): Finding => ({
      severity,
      check,
      subject,
      detail: '',
      fix: '',
    });
    const sorted = sortFindings([
      f('info', 'idle-timeout', 'a'),
      f('warning', 'alarm', 'b'),
      f('error', 'stop-timeout', 'a'),
      f('error', 'backend-tag', 'z'),
      f('error', 'backend-tag', 'c'),
    ]);
    expect(sorted.map((x) => `${x.severity} ${x.check} ${x.subject}`)).toEqual([
      'error backend-tag c',
      'error backend-tag z',
      'error stop-timeout a',
      'warning alarm b',
      'info idle-timeout a',
    ]);
  });
});
