import { parsePreflightConfig } from '../../../shared/fleet/preflight/config';
import { parsePreflightEvent } from '../../../shared/fleet/preflight/messages';
import { formatTable } from '../../../shared/fleet/preflight/table';
import type { Finding } from '../../../shared/fleet/preflight/types';
import { ConfigError, EventValidationError } from '../../../shared/lambda/errors';

const finding = (over: Partial<Finding> = {}): Finding => ({
  severity: 'error',
  check: 'stop-timeout',
  subject: 'web/api/api-tg',
  detail: 'deregistration delay 300 s + container stop timeout 30 s = 330 s',
  fix: 'lower it',
  ...over,
});

describe('formatTable', () => {
  it('keeps severity, check and subject in fixed columns and wraps detail and fix within the width', () => {
    const long = 'word '.repeat(80).trim();
    const table = formatTable([finding({ detail: long }), finding({ severity: 'warning', check: 'alarm', subject: 'x'.repeat(90) })], 140);
    const rows = table.split('\n');
    expect(rows[0]).toMatch(/^SEVERITY CHECK {13}SUBJECT {37}DETAIL \/ FIX$/);
    const body = rows.slice(2, -2);
    expect(body.every((r) => r.length <= 140)).toBe(true);
    expect(body.filter((r) => r.startsWith('ERROR    stop-timeout      web/api/api-tg'))).toHaveLength(1);
    const detailColumn = rows[0]!.indexOf('DETAIL');
    expect(body.filter((r) => r.includes('word')).every((r) => r.indexOf('word') === detailColumn)).toBe(true);
    expect(table).toContain('x'.repeat(43));
    expect(rows.at(-1)).toBe('1 error(s), 1 warning(s), 0 info');
  });

  it('says so when there is nothing to report', () => {
    expect(formatTable([]).split('\n').at(-1)).toBe('0 error(s), 0 warning(s), 0 info');
  });
});

describe('parsePreflightConfig', () => {
  it('defaults: every cluster, the dev stack, our hook name, the drain margin and the agent stop timeout', () => {
    const c = parsePreflightConfig({});
    expect(c).toMatchObject({
      clusters: [],
      stackPrefix: 'ecs-steady-dev',
      hookNames: ['ecs-steady-drain'],
      spotNoticeSeconds: 120,
      safetyMarginSeconds: 15,
      agentStopTimeoutSeconds: 30,
    });
    expect(c.functions).toContain('spotInterruption');
    expect(c.deadLetterQueues).toEqual([
      'dead-letter',
      'asg-drain-dead-letter',
      'run-task-failure-dead-letter',
      'placement-failure-dead-letter',
    ]);
    expect(c.appKeepAliveSeconds).toBeUndefined();
  });

  it("reads the drain's and its own variables", () => {
    const c = parsePreflightConfig({
      CLUSTERS: 'web, api',
      PREFLIGHT_STACK_PREFIX: 'ecs-steady-prod',
      LIFECYCLE_HOOK_NAMES: 'a,b',
      DRAIN_SAFETY_MARGIN_SECONDS: '20',
      PREFLIGHT_AGENT_STOP_TIMEOUT_SECONDS: '10',
      PREFLIGHT_FUNCTIONS: 'scaleTick',
      PREFLIGHT_DEAD_LETTER_QUEUES: 'dead-letter',
      APP_KEEP_ALIVE_SECONDS: '75',
    });
    expect(c).toMatchObject({
      clusters: ['web', 'api'],
      stackPrefix: 'ecs-steady-prod',
      hookNames: ['a', 'b'],
      safetyMarginSeconds: 20,
      agentStopTimeoutSeconds: 10,
      functions: ['scaleTick'],
      deadLetterQueues: ['dead-letter'],
      appKeepAliveSeconds: 75,
    });
  });

  it.each([
    ['PREFLIGHT_STACK_PREFIX', 'ecs steady'],
    ['PREFLIGHT_AGENT_STOP_TIMEOUT_SECONDS', '-1'],
    ['APP_KEEP_ALIVE_SECONDS', 'soon'],
    ['DRAIN_SAFETY_MARGIN_SECONDS', '999'],
  ])('names %s=%s when it is bad', (key, value) => {
    expect(() => parsePreflightConfig({ [key]: value })).toThrow(ConfigError);
    expect(() => parsePreflightConfig({ [key]: value })).toThrow(new RegExp(`${key}="${value}"`));
  });
});

describe('parsePreflightEvent', () => {
  it.each([
    [undefined, {}],
    [null, {}],
    [{}, {}],
    [{ clusters: ['web'] }, { clusters: ['web'] }],
    [{ appKeepAliveSeconds: 65 }, { appKeepAliveSeconds: 65 }],
  ])('accepts %j', (event, expected) => {
    expect(parsePreflightEvent(event)).toEqual(expected);
  });

  it.each([
    [{ clusters: 'web' }, /clusters/],
    [{ clusters: [''] }, /clusters\.0/],
    [{ appKeepAliveSeconds: 0 }, /appKeepAliveSeconds/],
    [{ cluster: ['web'] }, /cluster/],
    ['web', /\(event\)/],
  ])('rejects %j naming the field', (event, field) => {
    expect(() => parsePreflightEvent(event)).toThrow(EventValidationError);
    expect(() => parsePreflightEvent(event)).toThrow(field);
  });
});
