import { parseEventScaleConfig, parseScaleTickConfig, resolveHeadroom, settingsFor, shapesFromTags } from '../../../shared/capacity/config';
import { ConfigError } from '../../../shared/lambda/errors';

describe('parseScaleTickConfig', () => {
  it('gives the documented defaults', () => {
    const c = parseScaleTickConfig({});
    expect(c.defaults).toMatchObject({
      scaleOutCpuPercent: 85,
      scaleOutMemoryPercent: 85,
      scaleInCpuPercent: 50,
      scaleInMemoryPercent: 50,
      min: 0,
      max: 1000,
      maxStep: 10,
      scaleInCooldownMs: 600_000,
      maxDraining: 1,
      arrivalTimeoutMs: 600_000,
      headroom: { tasks: 0, cpu: 0, memory: 0 },
    });
    expect(c).toMatchObject({ clusters: [], dryRun: false, scaleInDrainMaxMs: 900_000, concurrency: 4 });
  });

  it('names every bad variable with its value', () => {
    const bad = () => parseScaleTickConfig({ SCALE_OUT_CPU_PERCENT: '120', CAPACITY_MAX_STEP: 'many', HEADROOM: 'lots', DRY_RUN: 'maybe' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/SCALE_OUT_CPU_PERCENT="120".*/);
    for (const name of ['CAPACITY_MAX_STEP="many"', 'HEADROOM="lots"', 'DRY_RUN="maybe"']) expect(bad).toThrow(name);
  });

  it('refuses thresholds that cross and min above max', () => {
    expect(() => parseScaleTickConfig({ SCALE_IN_CPU_PERCENT: '90' })).toThrow(
      /SCALE_IN_CPU_PERCENT=90 must be below SCALE_OUT_CPU_PERCENT=85/,
    );
    expect(() => parseScaleTickConfig({ CAPACITY_MIN: '5', CAPACITY_MAX: '2' })).toThrow(/CAPACITY_MIN=5 must not exceed CAPACITY_MAX=2/);
  });

  it('reads named backends, cluster ARNs as names, and headroom in tasks or instances', () => {
    const c = parseScaleTickConfig({
      CLUSTERS: 'arn:aws:ecs:eu-west-1:123456789012:cluster/web batch',
      CAPACITY_BACKENDS: 'web=asg:ecs-web,batch=spotFleet:sfr-1',
      HEADROOM: 'instances=1',
    });
    expect(c.clusters).toEqual(['web', 'batch']);
    expect([...c.backends]).toEqual([
      ['web', { kind: 'asg', id: 'ecs-web' }],
      ['batch', { kind: 'spotFleet', id: 'sfr-1' }],
    ]);
    expect(c.defaults.headroom).toEqual({ instances: 1 });
    expect(() => parseScaleTickConfig({ CAPACITY_BACKENDS: 'web=lambda:x,web=asg:y' })).toThrow(/"web=lambda:x" \(expected cluster=/);
  });

  it('needs the queue name for the event functions', () => {
    expect(() => parseEventScaleConfig({})).toThrow(/QUEUE_NAME/);
    expect(parseEventScaleConfig({ QUEUE_NAME: 'q' }).queueName).toBe('q');
  });
});

describe('settingsFor (backend tag overrides)', () => {
  const defaults = parseScaleTickConfig({}).defaults;
  it('overrides only what the tags name, and ignores tags that are not settings', () => {
    const s = settingsFor(defaults, {
      'ecs-steady:max-step': '4',
      'ecs-steady:scale-in-cooldown-seconds': '120',
      'ecs-steady:headroom': 'tasks=2,cpu=512,memory=1024',
      'ecs-steady:cluster': 'web',
      team: 'payments',
    });
    expect(s).toMatchObject({ ...defaults, maxStep: 4, scaleInCooldownMs: 120_000, headroom: { tasks: 2, cpu: 512, memory: 1024 } });
  });
  it('names each bad tag and its value', () => {
    expect(() => settingsFor(defaults, { 'ecs-steady:max-step': '0', 'ecs-steady:headroom': 'x' })).toThrow(
      /ecs-steady:max-step="0": expected a whole number from 1.*ecs-steady:headroom="x"/,
    );
    expect(() => settingsFor(defaults, { 'ecs-steady:scale-in-cpu-percent': '90' })).toThrow(
      /ecs-steady:scale-in-cpu-percent=90 must be below ecs-steady:scale-out-cpu-percent=85/,
    );
  });
});

describe('resolveHeadroom and shapesFromTags', () => {
  const defaults = parseScaleTickConfig({}).defaults;
  it('turns instances of headroom into tasks the size of the smallest shape', () => {
    const shapes = [
      { cpu: 4096, memory: 15616, weight: 2 },
      { cpu: 2048, memory: 7680, weight: 1 },
    ];
    expect(resolveHeadroom({ ...defaults, headroom: { instances: 2 } }, shapes).headroom).toEqual({ tasks: 2, cpu: 2048, memory: 7680 });
    expect(resolveHeadroom({ ...defaults, headroom: { instances: 2 } }, []).headroom).toEqual({ tasks: 0, cpu: 0, memory: 0 });
  });
  it('reads instance types and weights from a tag, and refuses a malformed one', () => {
    expect(shapesFromTags({ 'ecs-steady:instance-types': 'c5.large, c5.xlarge:2' })).toEqual([
      { instanceType: 'c5.large', weight: 1 },
      { instanceType: 'c5.xlarge', weight: 2 },
    ]);
    expect(shapesFromTags({})).toBeUndefined();
    expect(() => shapesFromTags({ 'ecs-steady:instance-types': 'big box' })).toThrow(/ecs-steady:instance-types="big box"/);
  });
});
