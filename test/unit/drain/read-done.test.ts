import { applyReadDone } from '../../../shared/drain/state';
import { stateWith } from '../../support/drain-state';
import { T0 } from '../../support/plan-fixtures';

describe('a read that succeeded', () => {
  it('ends its backoff and leaves other keys backing off', () => {
    const state = stateWith();
    state.retries.set('listTasks', { failures: 2, notBefore: T0 + 5_000, lastError: 'throttled' });
    state.retries.set('health:tg', { failures: 1, notBefore: T0 + 1_000, lastError: 'throttled' });
    applyReadDone(state, { kind: 'listTasks' });
    expect([...state.retries.keys()]).toEqual(['health:tg']);
  });

  it.each([
    ['the first lookup keeps the status it found', undefined, 'DRAINING', 'DRAINING'],
    ['a later lookup does not replace it', 'ACTIVE', 'DRAINING', 'ACTIVE'],
  ])('%s', (_name, before, status, after) => {
    const state = stateWith({ status });
    if (before === undefined) delete state.initialStatus;
    else state.initialStatus = before;
    applyReadDone(state, { kind: 'lookup' });
    expect(state.initialStatus).toBe(after);
  });

  it('a lookup that found nothing keeps no status', () => {
    const state = stateWith({ lookup: 'not-found' });
    applyReadDone(state, { kind: 'lookup' });
    expect(state.initialStatus).toBeUndefined();
  });
});
