import { executeCapacitySteps } from '../../../shared/capacity/execute';
import type { ClusterRead } from '../../../shared/capacity/cluster-read';
import { planTick } from '../../../shared/capacity/steps';
import type { CapacityDecision } from '../../../shared/capacity/types';
import { FakeBackend } from '../../support/fake-backend';
import { inst, snapshot, svc, T0, tasksOf } from './fixtures';

const decision = (d: Partial<CapacityDecision>): CapacityDecision => ({
  decision: 'none',
  reasons: [],
  unplaceable: [],
  reservation: { cpu: 0, memory: 0 },
  starved: [],
  ...d,
});

function read(): ClusterRead {
  return {
    snapshot: snapshot({
      instances: [
        inst('i-1', 'az-a', tasksOf('web', 2), { status: 'DRAINING', drainedForScaleIn: true }),
        inst('i-2', 'az-b', tasksOf('web', 4)),
      ],
      services: [svc('web', 6)],
    }),
    containerInstanceArnOf: new Map([
      ['i-1', 'arn:ci/i-1'],
      ['i-2', 'arn:ci/i-2'],
    ]),
    scaleInMarkedAt: new Map([['i-1', T0 - 60_000]]),
    taskDefinitionOf: new Map(),
    unregistered: [],
    taskCountOf: new Map(),
  };
}

describe('planTick', () => {
  it('raises desired before resuming a scale-in drain, so a scale-out never waits behind a drain', () => {
    const { steps } = planTick(read(), decision({ decision: 'scale-out', desired: 4, units: 2 }), T0, 900_000);
    expect(steps.map((s) => s.kind)).toEqual(['setDesired', 'recordAction', 'retire']);
    // The resumed drain is a retire request: scale-in, resumed from our mark's time, removed from its backend once drained.
    expect(steps[2]).toMatchObject({
      request: {
        cluster: expect.any(String),
        ec2InstanceId: 'i-1',
        reason: 'scale-in',
        then: 'remove',
        resumed: true,
        startedAt: T0 - 60_000,
      },
      on: 'primary',
    });
  });

  it('removes a stale scale-in mark from an ACTIVE instance and resumes nothing for it', () => {
    const r = read();
    r.scaleInMarkedAt.set('i-2', T0 - 3_600_000);
    const { steps } = planTick(r, decision({}), T0, 900_000);
    expect(steps).toContainEqual({ kind: 'unmarkScaleIn', ec2InstanceId: 'i-2', containerInstanceArn: 'arn:ci/i-2' });
    expect(steps.filter((s) => s.kind === 'retire').map((s) => (s as { ec2InstanceId: string }).ec2InstanceId)).toEqual(['i-1']);
  });

  it('resumes no drain of an instance our record does not name: a DRAINING and a scale-in mark anyone may have set', () => {
    const r = read();
    r.snapshot.instances[0] = { ...r.snapshot.instances[0]!, drainedForScaleIn: false };
    const { steps, reasons } = planTick(r, decision({}), T0, 900_000);
    expect(steps).toEqual([]);
    expect(reasons).toEqual([
      expect.stringMatching(/i-1 is DRAINING with a scale-in mark, but retire’s mark and our drain record do not both name it/),
    ]);
  });

  it("removes the last release's scale-in tag with a stale mark only when that tag is the mark", () => {
    const r = read();
    r.scaleInMarkedAt.set('i-2', T0 - 3_600_000);
    r.legacyScaleInTag = new Set(['i-2']);
    const { steps } = planTick(r, decision({}), T0, 900_000);
    expect(steps).toContainEqual({ kind: 'unmarkScaleIn', ec2InstanceId: 'i-2', containerInstanceArn: 'arn:ci/i-2', legacy: true });
  });

  it('hands removing a drained instance to retire without draining it again', () => {
    const r = read();
    r.snapshot.instances[0] = { ...r.snapshot.instances[0]!, tasks: [] };
    const { steps } = planTick(r, decision({ decision: 'remove-drained', instancesToRemove: ['i-1'] }), T0, 900_000);
    expect(steps.filter((s) => s.kind === 'retire').map((s) => (s as { request: object }).request)).toEqual([
      expect.objectContaining({ ec2InstanceId: 'i-1', then: 'remove', drained: true, resumed: true, startedAt: T0 - 60_000 }),
    ]);
  });

  it('records the scale-in before marking, and cancels it when a batch job landed before DRAINING, else retires it', () => {
    const r = read();
    const { steps } = planTick(r, decision({ decision: 'scale-in', instanceToDrain: 'i-2', desired: 1 }), T0, 900_000, 'all', {
      active: 'primary',
      ownerOf: () => 'primary',
      tags: { primary: { 'ecs-steady:scale-in-drains': 'i-1 i-0000000000000dead' } },
    });
    const line = (s: (typeof steps)[number]) => [s.kind, s.after ? `${s.after.step}${s.after.outcome ? `=${s.after.outcome}` : ''}` : '-'];
    expect(steps.filter((s) => s.kind !== 'retire' || s.ec2InstanceId === 'i-2').map(line)).toEqual([
      ['recordAction', '-'],
      ['markScaleIn', 'record'],
      ['setDraining', 'mark'],
      ['setActive', 'draining=late-task'],
      ['unmarkScaleIn', 'cancel'],
      ['recordAction', 'cancel'],
      ['retire', 'draining=clear'],
    ]);
    expect(steps.find((s) => s.kind === 'retire' && s.ec2InstanceId === 'i-2')).toMatchObject({
      request: { ec2InstanceId: 'i-2', reason: 'scale-in', then: 'remove', startedAt: T0, deadline: T0 + 900_000 },
      on: 'primary',
    });
    // The record keeps i-1 (still draining for us), drops the id no longer draining, and adds i-2; a cancel takes i-2 out again.
    expect(steps[0]).toMatchObject({ tags: { 'ecs-steady:scale-in-drains': 'i-1 i-2' } });
    expect(steps[5]).toMatchObject({ tags: { 'ecs-steady:scale-in-drains': 'i-1' } });
  });
});

const no = async (): Promise<never> => {
  throw new Error('no retire here');
};
const noRetire = { mark: no, unmark: no, carryOut: no };
/** Everything executeCapacitySteps needs beside the backend, doing nothing. */
const depsOn = (backend: FakeBackend) => ({
  backend,
  setInstanceStatus: async () => undefined,
  standaloneTasksOn: async () => [],
  retire: noRetire,
  now: () => T0,
  dryRun: false,
});

describe('executeCapacitySteps', () => {
  it('never lowers desired in a raise: another invocation raised it meanwhile', async () => {
    const backend = new FakeBackend({ desired: 6, max: 10, shapes: [{ instanceType: 'm5.large', weight: 1 }], instances: [] });
    const results = await executeCapacitySteps([{ kind: 'setDesired', desired: 4, from: 2 }], depsOn(backend));
    expect(results[0]).toMatchObject({ ok: true, skipped: 'desired is already 6' });
    expect(backend.desired).toBe(6);
  });

  it('skips what depends on a failed step and reports it skipped, down the chain', async () => {
    const backend = new FakeBackend({ desired: 2, max: 3, shapes: [{ instanceType: 'm5.large', weight: 1 }], instances: [] });
    const results = await executeCapacitySteps(
      [
        { kind: 'setDesired', id: 'raise', desired: 5, from: 2 }, // above max 3: refused
        { kind: 'recordAction', action: 'backoff', at: T0, after: { step: 'raise' } },
        { kind: 'recordAction', id: 'out', action: 'scale-out', after: { step: 'raise' } },
        { kind: 'recordAction', action: 'scale-in', after: { step: 'out' } },
      ],
      depsOn(backend),
    );
    expect(results.map((r) => [r.ok, r.skipped ?? r.error])).toEqual([
      [false, expect.stringMatching(/above max/)],
      [false, 'depends on raise, which failed'],
      [false, 'depends on raise, which failed'],
      [false, 'depends on out, which was held back'],
    ]);
    expect(backend.calls.filter((c) => c.startsWith('recordAction'))).toEqual([]);
  });
});
