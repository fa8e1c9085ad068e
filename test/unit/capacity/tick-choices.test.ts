import fc from 'fast-check';
import type { CapacityStep } from '../../../shared/capacity/steps';
import { onActiveBackend, retryAfterFailure, RETRY_BASE_MS, scopeDecision } from '../../../shared/capacity/tick-choices';
import type { CapacityDecision } from '../../../shared/capacity/types';
import { ConfigError, TransientError } from '../../../shared/lambda/errors';
import { DEMAND_IN_FLIGHT_TAG } from '../../../shared/tags';

const decision = (d: CapacityDecision['decision']): CapacityDecision => ({
  decision: d,
  reasons: ['planned'],
  unplaceable: [],
  reservation: { cpu: 0, memory: 0 },
  starved: [],
});
const EVENT = { scaleOutOnly: true, trigger: 'runTaskFailure' };

describe('scopeDecision', () => {
  it.each([
    ['scale-out', undefined, 'scale-out'],
    ['scale-in', undefined, 'scale-in'],
    ['scale-out', EVENT, 'scale-out'],
    ['none', EVENT, 'none'],
    ['scale-in', EVENT, 'none'],
    ['remove-drained', EVENT, 'none'],
    ['fallback', EVENT, 'none'],
    ['scale-in', { scaleOutOnly: false, trigger: 'tick' }, 'scale-in'],
  ] as const)('%s with %o ⇒ %s', (d, event, expected) => {
    const r = scopeDecision(decision(d), event);
    expect(r.decision).toBe(expected);
    if (expected !== d) expect(r.reasons).toEqual(['planned', `${d} is left to the tick: runTaskFailure only scales out`]);
  });
});

describe('onActiveBackend', () => {
  const steps: CapacityStep[] = [
    { kind: 'setDesired', id: 'raise', desired: 9, from: 7 },
    { kind: 'recordAction', action: 'scale-out', after: { step: 'raise' } },
    { kind: 'recordAction', action: 'scale-in' },
  ];
  it('raises the active backend by the units the planner adds, and writes the held demand with the scale-out record only', () => {
    expect(onActiveBackend(steps, 2, 3, 'web=2')).toEqual([
      { kind: 'setDesired', id: 'raise', desired: 5, from: 3 },
      { kind: 'recordAction', action: 'scale-out', after: { step: 'raise' }, tags: { [DEMAND_IN_FLIGHT_TAG]: 'web=2' } },
      { kind: 'recordAction', action: 'scale-in' },
    ]);
  });
  it('leaves desired as planned when the planner names no units', () => {
    expect(onActiveBackend(steps, undefined, 3, '')[0]).toEqual(steps[0]);
  });
  it('property: a raise written to the active backend starts from its desired and never lowers it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 100 }), (units, active) => {
        const raise = onActiveBackend(steps, units, active, '').find((s) => s.kind === 'setDesired')!;
        expect(raise).toMatchObject({ from: active, desired: active + units });
      }),
    );
  });
});

describe('retryAfterFailure', () => {
  it.each([
    ['a bad configuration is never retried', new ConfigError('invalid backend tags: x'), 1, 0, 60_000, { retry: false }],
    [
      'a transient failure is retried after the base wait',
      new TransientError('busy'),
      1,
      0,
      60_000,
      { retry: true, waitMs: RETRY_BASE_MS },
    ],
    ['the wait doubles', new Error('ThrottlingException'), 3, 0, 60_000, { retry: true, waitMs: 4 * RETRY_BASE_MS }],
    ['the wait is capped', new Error('x'), 10, 0, 60_000, { retry: true, waitMs: 8 * RETRY_BASE_MS }],
    ['no retry past the invocation’s time', new Error('x'), 1, 59_500, 60_000, { retry: false }],
    [
      'an error that only mentions ConfigError in its text is retried: the type decides',
      new Error('ConfigError: lookalike'),
      1,
      0,
      60_000,
      { retry: true, waitMs: RETRY_BASE_MS },
    ],
  ])('%s', (_, err, failures, now, until, expected) => {
    expect(retryAfterFailure(err, failures, now, until)).toEqual(expected);
  });
});
