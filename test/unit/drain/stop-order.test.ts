import type { Task } from '@aws-sdk/client-ecs';
import { familyOf, isAgentTask } from '../../../shared/drain/agents';
import { planDrain } from '../../../shared/drain/plan';
import { lastGroupAction, stopSchedule } from '../../../shared/drain/stop-order';
import { AGENT_TAG } from '../../../shared/tags';
import { ecsService, ecsTask, kinds, stateWith } from '../../support/drain-state';
import { batch, SERVICES, SETTINGS, T0, TIMES, worker } from '../../support/plan-fixtures';

const DAEMON = { ...ecsService('log-router', { runningCount: 3 }), schedulingStrategy: 'DAEMON' as const };
const router = ecsTask({ arn: 't/router', service: 'log-router' });
const agent: Task = {
  ...ecsTask({ arn: 't/agent', group: 'family:dd-agent' }),
  taskDefinitionArn: 'arn:aws:ecs:eu-west-1:1:task-definition/dd-agent:7',
};
const tagged: Task = { ...ecsTask({ arn: 't/otel', group: 'family:otel' }), tags: [{ key: AGENT_TAG, value: 'true' }] };
const S = { ...SETTINGS, agentFamilies: ['dd-agent'], stopTimeoutMs: 30_000 };

describe('agents', () => {
  it.each([
    ['arn:aws:ecs:eu-west-1:1:task-definition/dd-agent:7', 'dd-agent'],
    ['dd-agent:7', 'dd-agent'],
    ['arn:aws:ecs:eu-west-1:1:task-definition/a:b-c:12', 'a:b-c'],
    [undefined, undefined],
  ])('familyOf(%s) is %s', (arn, family) => expect(familyOf(arn)).toBe(family));

  it.each<[string, Task, boolean]>([
    ['a standalone task of a configured family', agent, true],
    ['a standalone task tagged ecs-steady:agent=true', tagged, true],
    ['a standalone task tagged ecs-steady:agent=false', { ...tagged, tags: [{ key: AGENT_TAG, value: 'false' }] }, false],
    ['a batch task', batch, false],
    [
      'a service task of a configured family (a service is never an agent)',
      { ...router, taskDefinitionArn: agent.taskDefinitionArn },
      false,
    ],
    ['a service task tagged as an agent', { ...router, tags: tagged.tags }, false],
  ])('%s: %s', (_name, task, expected) => expect(isAgentTask(task, ['dd-agent'])).toBe(expected));
});

describe('stopSchedule and lastGroupAction', () => {
  it('changes nothing without a last group, and leaves each group its stop timeout with one', () => {
    expect(stopSchedule(TIMES, 30_000, false)).toEqual({ othersForceAt: TIMES.forceAt, lastStopAt: TIMES.forceAt });
    expect(stopSchedule(TIMES, 30_000, true)).toEqual({ othersForceAt: T0 + 45_000, lastStopAt: T0 + 75_000 });
  });

  const schedule = stopSchedule(TIMES, 30_000, true);
  it.each<[string, Parameters<typeof lastGroupAction>[0], ReturnType<typeof lastGroupAction>]>([
    ['others still to stop: wait', { now: T0, force: false, schedule, othersPending: true, othersStopping: 0 }, 'wait'],
    [
      'others asked to stop, not STOPPED yet: watch them',
      { now: T0, force: false, schedule, othersPending: false, othersStopping: 2 },
      'watch',
    ],
    ['every other task STOPPED: stop', { now: T0, force: false, schedule, othersPending: false, othersStopping: 0 }, 'stop'],
    [
      'others still stopping at the last moment: stop',
      { now: T0 + 75_000, force: false, schedule, othersPending: false, othersStopping: 2 },
      'stop',
    ],
    [
      'others pending at the force time: stop',
      { now: T0 + 105_000, force: true, schedule, othersPending: true, othersStopping: 0 },
      'stop',
    ],
  ])('%s', (_name, a, expected) => expect(lastGroupAction(a)).toBe(expected));
});

describe('planDrain stop order', () => {
  const state = () => stateWith({ tasks: [worker, batch, router, agent, tagged], services: [...SERVICES, DAEMON] });

  it('stops batch and plain service tasks at once and keeps the DAEMON task and agents', () => {
    const plan = planDrain(state(), TIMES, T0, S);
    expect(kinds(plan.steps).sort()).toEqual(['stop:t/batch', 'stop:t/worker']);
    expect(plan.wakeAt).toBeLessThanOrEqual(T0 + 45_000);
  });

  it('reads the stopping tasks, then stops the last group once they are STOPPED', () => {
    const s = state();
    s.stopped.set('t/worker', { at: T0, ours: true });
    s.stopped.set('t/batch', { at: T0, ours: true });
    const watching = planDrain(s, TIMES, T0 + 1_000, S);
    expect(watching.steps).toEqual([]);
    expect(watching.reads).toEqual([{ kind: 'describeTasks', taskArns: ['t/worker', 't/batch'] }]);

    for (const t of [worker, batch]) s.tasks.set(t.taskArn!, { ...t, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' });
    s.tasksReadAt = T0 + 2_000;
    const last = planDrain(s, TIMES, T0 + 2_000, S);
    expect(kinds(last.steps).sort()).toEqual(['stop:t/agent', 'stop:t/otel', 'stop:t/router']);
    expect(last.reasons.every((r) => /stopped last \(every other task is STOPPED\)/.test(r))).toBe(true);
  });

  it('stops the last group one stop timeout before the force time even if the others are still stopping', () => {
    const s = state();
    s.stopped.set('t/worker', { at: T0, ours: true });
    s.stopped.set('t/batch', { at: T0, ours: true });
    s.tasksReadAt = T0 + 74_000;
    expect(kinds(planDrain(s, TIMES, T0 + 75_000, S).steps).sort()).toEqual(['stop:t/agent', 'stop:t/otel', 'stop:t/router']);
  });

  it('without configured families, a family alone is not an agent (the tag still is)', () => {
    const plan = planDrain(state(), TIMES, T0, { ...S, agentFamilies: [] });
    expect(kinds(plan.steps).sort()).toEqual(['stop:t/agent', 'stop:t/batch', 'stop:t/worker']);
  });

  it('publishes no interrupted-task record for a stopped agent', () => {
    const s = state();
    for (const arn of ['t/batch', 't/agent', 't/otel']) s.stopped.set(arn, { at: T0, ours: true });
    const plan = planDrain(s, TIMES, T0 + 1_000, { ...S, notifyInterrupted: true });
    expect(plan.steps.filter((x) => x.kind === 'notifyInterrupted').map((x) => x.kind === 'notifyInterrupted' && x.task.taskArn)).toEqual([
      't/batch',
    ]);
  });
});
