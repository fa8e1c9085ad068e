import {
  checkBackendSettings,
  checkBackendTags,
  checkLifecycleHooks,
  checkSpareRoom,
  lostInstanceOf,
} from '../../../shared/fleet/preflight/checks-capacity';
import type { BackendFacts } from '../../../shared/fleet/preflight/types';
import { cluster, instance, service, SETTINGS, tagged } from './preflight-fixtures';

const TERMINATING = 'autoscaling:EC2_INSTANCE_TERMINATING';
/** What an instance has left. */
const free = (cpu: number, memory: number) => ({ cpu, memory });

describe('checkSpareRoom', () => {
  const task = (svc: string | undefined, cpu: number, memory = 512) => ({ cpu, memory, ...(svc ? { service: svc } : {}) });
  it.each([
    {
      name: "the lost instance's tasks fit on the others",
      others: [free(1024, 1024)],
      lost: [task('api', 512), task('api', 512)],
      left: 0,
    },
    { name: 'one task is larger than any free room', others: [free(512, 4096), free(512, 4096)], lost: [task('api', 1024)], left: 1 },
    {
      name: 'room enough in total but split across instances',
      others: [free(600, 4096), free(600, 4096)],
      lost: [task('api', 1000)],
      left: 1,
    },
    { name: 'memory is the limit', others: [free(2048, 256)], lost: [task('api', 256, 1024)], left: 1 },
    { name: 'standalone tasks are not replaced', others: [free(1000, 1000)], lost: [task(undefined, 1024)], left: 0 },
    { name: 'a single-instance cluster', others: [], lost: [task('api', 256)], left: 1 },
  ])('$name', ({ others, lost, left }) => {
    const loaded = instance('i-lost', { remaining: { cpu: 100, memory: 100 }, tasks: lost });
    const rest = others.map((remaining, n) => instance(`i-${n}`, { remaining }));
    const c = cluster('web', { instances: [loaded, ...rest], services: [service('api')] });
    const findings = checkSpareRoom([c], []);
    expect(findings.length).toBe(left > 0 ? 1 : 0);
    if (left) expect(findings[0]).toMatchObject({ severity: 'warning', check: 'spare-room', subject: 'web' });
    if (left) expect(findings[0]!.detail).toContain(`losing i-lost (m5.large, Spot) leaves ${left} of its`);
  });

  it('picks the most loaded Spot instance (on-demand ones are not reclaimed) and skips a cluster whose tasks were not read', () => {
    const busyOnDemand = instance('i-od', { spot: false, remaining: { cpu: 0, memory: 0 } });
    const busySpot = instance('i-spot', { remaining: { cpu: 500, memory: 7000 } });
    expect(lostInstanceOf([busyOnDemand, busySpot, instance('i-idle')])?.ec2InstanceId).toBe('i-spot');
    expect(lostInstanceOf([busyOnDemand])).toBeUndefined();
    expect(checkSpareRoom([cluster('web', { instances: [busySpot] })], [])).toEqual([]);
  });
});

describe('checkBackendTags', () => {
  const viaAsg = (id: string) => instance('i-1', { launchedBy: { kind: 'asg', id } });
  it.each([
    { name: 'exactly one tagged backend', backends: [tagged('web')], instances: [viaAsg('web-asg')], expected: [] },
    {
      name: 'a tagged backend and a fallback',
      backends: [tagged('web'), { kind: 'asg' as const, id: 'od', fallbackFor: 'web' }],
      instances: [viaAsg('od')],
      expected: [],
    },
    { name: 'none tagged', backends: [], instances: [], expected: ['error web'] },
    {
      name: 'tagged twice',
      backends: [tagged('web'), tagged('web', { kind: 'spotFleet', id: 'sfr-2' })],
      instances: [],
      expected: ['error web'],
    },
    {
      name: 'an untagged launcher',
      backends: [tagged('web'), { kind: 'asg' as const, id: 'stray' }],
      instances: [viaAsg('stray')],
      expected: ['warning asg stray'],
    },
    {
      name: 'a launcher tagged for another cluster',
      backends: [tagged('web'), tagged('api', { id: 'api-asg' })],
      instances: [viaAsg('api-asg')],
      expected: ['error asg api-asg'],
    },
  ])('$name', ({ backends, instances, expected }) => {
    const findings = checkBackendTags([cluster('web', { instances })], backends);
    expect(findings.map((f) => `${f.severity} ${f.subject}`)).toEqual(expected);
  });
});

describe('checkLifecycleHooks', () => {
  it.each([
    { name: 'our hook', hooks: [{ name: 'ecs-steady-drain', transition: TERMINATING }], expected: [] },
    { name: 'no hook at all', hooks: [], expected: ['error'] },
    {
      name: 'only a launching hook',
      hooks: [{ name: 'ecs-steady-drain', transition: 'autoscaling:EC2_INSTANCE_LAUNCHING' }],
      expected: ['error'],
    },
    { name: 'a terminating hook with another name', hooks: [{ name: 'drain', transition: TERMINATING }], expected: ['warning'] },
    { name: 'hooks not read', hooks: undefined, expected: [] },
  ])('$name', ({ hooks, expected }) => {
    const findings = checkLifecycleHooks([cluster('web')], [tagged('web', hooks ? { hooks } : {})], SETTINGS);
    expect(findings.map((f) => f.severity)).toEqual(expected);
  });

  it("accepts any configured hook name, and leaves fleets and other clusters' groups alone", () => {
    const hooks = [{ name: 'legacy', transition: TERMINATING }];
    expect(
      checkLifecycleHooks([cluster('web')], [tagged('web', { hooks })], { ...SETTINGS, hookNames: ['ecs-steady-drain', 'legacy'] }),
    ).toEqual([]);
    expect(
      checkLifecycleHooks(
        [cluster('web')],
        [tagged('web', { kind: 'spotFleet', id: 'sfr-1', hooks: [] }), tagged('other', { hooks: [] })],
        SETTINGS,
      ),
    ).toEqual([]);
  });
});

/** Setting tags scaleTick accepts, and one of ours it has no setting for. */
const GOOD = {
  'ecs-steady:cluster': 'web',
  'ecs-steady:max-step': '4',
  'ecs-steady:headroom': 'instances=1',
  'ecs-steady:consolidation': 'false',
  'ecs-steady:instance-types': 'c5.large,c5.xlarge:2',
  'ecs-steady:headroom-windows': 'morning: Mon-Fri 07:30-09:30 Asia/Tokyo 20 x web',
  'ecs-steady:scaled-for': 'web',
};

describe('checkBackendSettings', () => {
  const web = cluster('web');
  const withTags = (settingTags: Record<string, string>, over: Partial<BackendFacts> = {}) => tagged('web', { settingTags, ...over });
  it.each([
    { name: 'no setting tags', tags: {}, bad: [] },
    { name: 'good tags, and one of ours it does not know (someone else may use it)', tags: GOOD, bad: [] },
    { name: 'a number out of range', tags: { 'ecs-steady:max-step': '0' }, bad: ['ecs-steady:max-step="0": expected a whole number from'] },
    { name: 'a malformed headroom', tags: { 'ecs-steady:headroom': 'tasks=2' }, bad: ['ecs-steady:headroom="tasks=2": expected'] },
    { name: 'consolidation not a boolean', tags: { 'ecs-steady:consolidation': 'yes' }, bad: ['ecs-steady:consolidation="yes"'] },
    { name: 'a bad shape list', tags: { 'ecs-steady:instance-types': 'c5.large:0' }, bad: ['ecs-steady:instance-types="c5.large:0"'] },
    {
      name: 'a window with no end, and a bad number: both named in one finding',
      tags: { 'ecs-steady:headroom-windows': 'w: Mon 07:00 UTC 2 x web', 'ecs-steady:max-step': 'x' },
      bad: ['ecs-steady:max-step="x"', `ecs-steady:headroom-windows="w: Mon 07:00 UTC 2 x web": window 'w'`],
    },
  ] as Array<{ name: string; tags: Record<string, string>; bad: string[] }>)('$name', ({ tags, bad }) => {
    const findings = checkBackendSettings([web], [withTags(tags)]);
    expect(findings.length).toBe(bad.length ? 1 : 0);
    if (!bad.length) return;
    expect(findings[0]).toMatchObject({ severity: 'error', check: 'backend-settings', subject: 'asg web-asg' });
    for (const b of bad) expect(findings[0]!.detail).toContain(b);
  });

  it('looks only at the backend of a checked cluster (a fallback or another cluster’s backend is not planned from its tags)', () => {
    const bad = { 'ecs-steady:max-step': '0' };
    expect(
      checkBackendSettings([web], [withTags(bad, { clusterTag: 'other' }), withTags(bad, { clusterTag: undefined, fallbackFor: 'web' })]),
    ).toEqual([]);
  });
});
