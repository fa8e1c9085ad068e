import { parseLogVolumesConfig } from '../../../shared/fleet/log-volumes/config';
import { parseLogVolumesEvent } from '../../../shared/fleet/log-volumes/messages';
import { ConfigError, EventValidationError } from '../../../shared/lambda/errors';

/** The stack always sets the stamp key (its own KMS HMAC key). */
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const withKey = (env: Record<string, string>) => ({ STAMP_KEY_ID: KEY, ...env });

describe('logVolumes config', () => {
  it('defaults to a dry run over every volume tagged ecs-steady:log-volume, 60 min grace, alert at 30 min, 20 deletions a run', () => {
    expect(parseLogVolumesConfig(withKey({}))).toEqual({
      ownerTag: 'ecs-steady:log-volume',
      owners: [],
      flushedTag: 'ecs-steady:flushed-at',
      graceMinutes: 60,
      orphanAlertMinutes: 30,
      orphanAction: 'alert',
      maxDeletionsPerRun: 20,
      deleteAttempts: 4,
      dryRun: true,
      stampKeyId: KEY,
    });
  });

  it('reads every variable, an empty string counting as unset', () => {
    const c = parseLogVolumesConfig({
      STAMP_KEY_ID: KEY,
      LOG_VOLUME_TAG: 'acme:logs',
      CLUSTERS: 'web, api',
      FLUSHED_TAG: 'acme:flushed',
      GRACE_MINUTES: '25',
      ORPHAN_ALERT_MINUTES: '120',
      ORPHAN_ACTION: 'alert-and-offer',
      MAX_DELETIONS_PER_RUN: '200',
      DELETE_ATTEMPTS: ' ',
      DRY_RUN: 'false',
    });
    expect(c).toMatchObject({ ownerTag: 'acme:logs', owners: ['web', 'api'], flushedTag: 'acme:flushed', graceMinutes: 25 });
    expect(c).toMatchObject({
      orphanAlertMinutes: 120,
      orphanAction: 'alert-and-offer',
      maxDeletionsPerRun: 200,
      deleteAttempts: 4,
      dryRun: false,
    });
  });

  it.each([
    ['MAX_DELETIONS_PER_RUN', '0'],
    ['MAX_DELETIONS_PER_RUN', '201'],
    ['GRACE_MINUTES', '-1'],
    ['GRACE_MINUTES', '24'],
    ['ORPHAN_ACTION', 'delete'],
    ['DRY_RUN', 'maybe'],
    ['LOG_VOLUME_TAG', 'aws:reserved'],
    ['STAMP_KEY_ID', 'ecs-steady-stamps'],
    ['STAMP_KEY_ID', 'arn:aws:s3:::bucket'],
    ['STAMP_KEY_ID', 'alias/has space'],
  ])('refuses %s=%s, naming the variable and the value', (name, value) => {
    expect(() => parseLogVolumesConfig(withKey({ [name]: value }))).toThrow(ConfigError);
    expect(() => parseLogVolumesConfig(withKey({ [name]: value }))).toThrow(`${name}=${JSON.stringify(value)}`);
  });

  it("refuses a grace shorter than the flush's detach plus the delay of EBS's metrics: such a run could not read them", () => {
    expect(() => parseLogVolumesConfig(withKey({ GRACE_MINUTES: '0' }))).toThrow(
      'GRACE_MINUTES="0": expected a whole number from 25 to 43200',
    );
    expect(parseLogVolumesConfig(withKey({ GRACE_MINUTES: '25' })).graceMinutes).toBe(25);
  });

  it('takes the stamp key by alias (as the stack sets it), key ARN or alias ARN', () => {
    for (const id of [
      'alias/ecs-steady-dev-log-volume-stamps',
      KEY,
      'arn:aws:kms:eu-west-1:123456789012:alias/ecs-steady-dev-log-volume-stamps',
    ])
      expect(parseLogVolumesConfig({ STAMP_KEY_ID: id }).stampKeyId).toBe(id);
  });

  it('refuses to start without the stamp key: without it no stamp can be written or believed', () => {
    expect(() => parseLogVolumesConfig({})).toThrow('STAMP_KEY_ID=null: expected a KMS key');
    expect(() => parseLogVolumesConfig({ STAMP_KEY_ID: ' ' })).toThrow('STAMP_KEY_ID=null');
  });

  it.each([
    [{ FLUSHED_TAG: 'ecs-steady:log-volume' }, 'LOG_VOLUME_TAG and FLUSHED_TAG'],
    [{ LOG_VOLUME_TAG: 'acme:logs', FLUSHED_TAG: 'acme:logs' }, 'LOG_VOLUME_TAG and FLUSHED_TAG'],
    [{ FLUSHED_TAG: 'ecs-steady:available-since' }, 'FLUSHED_TAG="ecs-steady:available-since"'],
    [{ FLUSHED_TAG: 'ecs-steady:remount' }, 'FLUSHED_TAG="ecs-steady:remount"'],
    [{ LOG_VOLUME_TAG: 'ecs-steady:available-since' }, 'LOG_VOLUME_TAG="ecs-steady:available-since"'],
    [{ LOG_VOLUME_TAG: 'ecs-steady:remount' }, 'LOG_VOLUME_TAG="ecs-steady:remount"'],
  ])('refuses tag keys that collide (%j): a volume holding logs could read as flushed', (env, named) => {
    expect(() => parseLogVolumesConfig(withKey(env))).toThrow(ConfigError);
    expect(() => parseLogVolumesConfig(withKey(env))).toThrow(named);
  });
});

describe('logVolumes event', () => {
  it('takes the scheduled event, {} and nothing', () => {
    const scheduled = {
      version: '0',
      id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: '2026-12-02T12:00:00Z',
      region: 'eu-west-1',
      resources: ['arn:aws:events:eu-west-1:123456789012:rule/log-volumes'],
      detail: {},
    };
    expect(parseLogVolumesEvent(scheduled)).toEqual({ kind: 'scheduled', id: scheduled.id });
    expect(parseLogVolumesEvent({})).toEqual({ kind: 'manual' });
    expect(parseLogVolumesEvent(undefined)).toEqual({ kind: 'manual' });
  });

  it('refuses another event, naming each bad field', () => {
    const bad = () =>
      parseLogVolumesEvent({ id: 'x', source: 'aws.ec2', 'detail-type': 'EC2 Spot Instance Interruption Warning', time: 'now' });
    expect(bad).toThrow(EventValidationError);
    expect(bad).toThrow(/source.*detail-type.*time/s);
  });
});
