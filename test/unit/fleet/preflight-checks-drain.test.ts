import { checkDeployments, checkStopTimeouts, drainRoom, isSpotCluster } from '../../../shared/fleet/preflight/checks-drain';
import { cluster, instance, service, SETTINGS, tagged } from './preflight-fixtures';

const tg = (delay: number) => ({ arn: `arn:tg/${delay}`, name: `tg-${delay}`, deregistrationDelaySeconds: delay });

describe('checkStopTimeouts', () => {
  it.each([
    { name: 'fits: 30 s delay + 30 s agent default', delay: 30, stop: undefined, found: false },
    { name: 'fits exactly: 75 s + 30 s = 105 s', delay: 75, stop: undefined, found: false },
    { name: 'one second over: 76 s + 30 s', delay: 76, stop: undefined, found: true },
    { name: 'ELBv2 default delay 300 s', delay: 300, stop: undefined, found: true },
    { name: 'a container stopTimeout of 100 s with 10 s delay', delay: 10, stop: 100, found: true },
    { name: 'stopTimeout 5 s lets a 100 s delay fit', delay: 100, stop: 5, found: false },
  ])('$name', ({ delay, stop, found }) => {
    const c = cluster('web', {
      services: [service('api', { targetGroups: [tg(delay)], ...(stop !== undefined ? { stopTimeoutSeconds: stop } : {}) })],
    });
    const findings = checkStopTimeouts([c], [], SETTINGS);
    expect(findings.map((f) => `${f.severity} ${f.subject}`)).toEqual(found ? [`error web/api/tg-${delay}`] : []);
  });

  it('names the largest delay that fits with the stop timeout in the fix, and the agent default when the container sets none', () => {
    const [f] = checkStopTimeouts([cluster('web', { services: [service('api', { targetGroups: [tg(300)] })] })], [], SETTINGS);
    expect(f!.detail).toContain('300 s + container stop timeout agent default 30 s (ECS_CONTAINER_STOP_TIMEOUT) = 330 s');
    expect(f!.fix).toContain('at most 75 s');
  });

  it('follows the safety margin and the agent stop timeout of the settings', () => {
    const c = cluster('web', { services: [service('api', { targetGroups: [tg(60)] })] });
    expect(checkStopTimeouts([c], [], { ...SETTINGS, safetyMarginSeconds: 40 })).toHaveLength(1);
    expect(checkStopTimeouts([c], [], { ...SETTINGS, agentStopTimeoutSeconds: 50 })).toHaveLength(1);
    expect(checkStopTimeouts([c], [], SETTINGS)).toHaveLength(0);
  });

  it('keeps the last group’s stop timeout out of the budget where a DAEMON service or configured agents are stopped last', () => {
    const api = service('api', { targetGroups: [tg(60)] }); // 60 s + 30 s fits 105 s, not 105 − 30 = 75 s
    const plain = cluster('web', { services: [api] });
    const withDaemon = cluster('web', { services: [api, service('log-router', { schedulingStrategy: 'DAEMON', targetGroups: [] })] });
    expect(checkStopTimeouts([plain], [], SETTINGS)).toEqual([]);
    const [f] = checkStopTimeouts([withDaemon], [], SETTINGS);
    expect([f!.subject, f!.detail]).toEqual(['web/api/tg-60', expect.stringContaining('more than the 75 s a Spot drain has')]);
    expect(f!.detail).toContain('30 s kept for the DAEMON and agent tasks stopped last');
    expect(f!.fix).toContain('at most 45 s');
    expect(checkStopTimeouts([plain], [], { ...SETTINGS, agentFamilies: ['dd-agent'] })).toHaveLength(1);
    expect(checkStopTimeouts([withDaemon], [], { ...SETTINGS, lastGroupStopSeconds: 10 })).toEqual([]);
  });

  it('leaves on-demand clusters alone (their drain has lifecycle heartbeats), but a Spot Fleet backend makes a cluster Spot', () => {
    const od = cluster('batch', { instances: [instance('i-1', { spot: false })], services: [service('api', { targetGroups: [tg(300)] })] });
    expect(checkStopTimeouts([od], [tagged('batch')], SETTINGS)).toEqual([]);
    expect(isSpotCluster(od, [tagged('batch', { kind: 'spotFleet', id: 'sfr-1' })])).toBe(true);
    expect(checkStopTimeouts([od], [tagged('batch', { kind: 'spotFleet', id: 'sfr-1' })], SETTINGS)).toHaveLength(1);
  });
});

describe('checkDeployments', () => {
  it.each([
    { desired: 2, min: 100, max: 200, expected: [] },
    { desired: 2, min: 50, max: 200, expected: [] },
    { desired: 2, min: 100, max: 100, expected: ['error'] },
    { desired: 2, min: 50, max: 100, expected: ['warning'] },
    { desired: 1, min: 100, max: 150, expected: ['error'] }, // 1.5 rounds down to 1: no room to start first
    { desired: 3, min: 100, max: 150, expected: [] }, // 4.5 → 4 tasks: one can start first
    { desired: 1, min: 0, max: 100, expected: ['warning'] },
    { desired: 0, min: 100, max: 100, expected: [] },
  ])('desired $desired, min $min %, max $max % → $expected', ({ desired, min, max, expected }) => {
    const c = cluster('web', { services: [service('svc', { desired, minimumHealthyPercent: min, maximumPercent: max })] });
    expect(checkDeployments([c], []).map((f) => f.severity)).toEqual(expected);
  });

  it('skips daemons, services not deployed by ECS and on-demand clusters', () => {
    const blocked = { minimumHealthyPercent: 100, maximumPercent: 100 };
    const spot = cluster('web', {
      services: [
        service('daemon', { ...blocked, schedulingStrategy: 'DAEMON' }),
        service('blue-green', { ...blocked, deploymentController: 'CODE_DEPLOY' }),
      ],
    });
    const od = cluster('od', { instances: [instance('i-2', { spot: false })], services: [service('svc', blocked)] });
    expect(checkDeployments([spot, od], [])).toEqual([]);
  });

  it('rounds as ECS does: maximumPercent down, minimumHealthyPercent up', () => {
    expect(drainRoom({ desired: 3, minimumHealthyPercent: 50, maximumPercent: 150 })).toMatchObject({
      maxTasks: 4,
      minHealthy: 2,
      canStartFirst: true,
      canStopFirst: true,
    });
    expect(drainRoom({ desired: 1, minimumHealthyPercent: 1, maximumPercent: 199 })).toMatchObject({
      maxTasks: 1,
      minHealthy: 1,
      canStartFirst: false,
      canStopFirst: false,
    });
  });
});
