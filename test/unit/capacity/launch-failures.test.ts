import { firstCapacityFailure, isCapacityFailure, readCapacityFailure } from '../../../shared/capacity/launch-failures';

const log = { debug() {}, info() {}, warn: jest.fn(), error() {} } as never;

describe('isCapacityFailure: a launch failure that another pool could cure', () => {
  it.each([
    [
      'ASG on-demand',
      'We currently do not have sufficient m5.large capacity in the Availability Zone you requested (us-east-1a). Our system will be working on provisioning additional capacity. Launching EC2 instance failed.',
      true,
    ],
    ['ASG Spot', 'There is no Spot capacity available that matches your request. Launching EC2 instance failed.', true],
    [
      'fleet, dry pools',
      'allLaunchSpecsTemporarilyBlacklisted: m5.large, us-east-1a: InsufficientInstanceCapacity: There is no Spot capacity…',
      true,
    ],
    ['Spot limit', 'spotInstanceCountLimitExceeded: You have reached the limit', true],
    ['EC2 error code', 'UnfulfillableCapacity: At this time there isn’t enough spare capacity', true],
    [
      'bad launch template',
      'The specified launch template, with template ID lt-0123, does not exist. Launching EC2 instance failed.',
      false,
    ],
    ['fleet role', 'iamFleetRoleInvalid: The fleet does not have the required permissions', false],
    ['subnet gone', "The subnet ID 'subnet-1' does not exist. Launching EC2 instance failed.", false],
  ])('%s → %s', (_name, message, expected) => {
    expect(isCapacityFailure(message)).toBe(expected);
  });
});

describe('firstCapacityFailure: only failures since the capacity in flight was asked for count', () => {
  const dry = 'There is no Spot capacity available that matches your request.';
  it.each([
    ['nothing in flight', undefined, [{ at: 200_000, message: dry }], undefined],
    ['a failure well before the request (an earlier ask)', { units: 2, requestedAt: 100_000 }, [{ at: 84_999, message: dry }], undefined],
    ['a failure inside the write the request records', { units: 2, requestedAt: 100_000 }, [{ at: 99_950, message: dry }], 99_950],
    ['a failure at the request', { units: 2, requestedAt: 100_000 }, [{ at: 100_000, message: dry }], 100_000],
    [
      'the earliest of several',
      { units: 2, requestedAt: 100_000 },
      [
        { at: 180_000, message: dry },
        { at: 130_000, message: dry },
      ],
      130_000,
    ],
    [
      'a failure of another kind',
      { units: 2, requestedAt: 100_000 },
      [{ at: 150_000, message: 'Invalid IAM Instance Profile name' }],
      undefined,
    ],
  ])('%s', (_name, inFlight, failures, at) => {
    expect(firstCapacityFailure(inFlight, failures)?.at).toBe(at);
  });
});

describe('readCapacityFailure: one read only when it can change the decision, never a throw', () => {
  const ref = { kind: 'spotFleet' as const, id: 'sfr-1', tags: {} };
  const view = { ref };
  const inFlight = { units: 2, requestedAt: 100_000 };
  const now = 160_000;
  it('does not read when nothing is in flight, or the units are already late by the arrival time', async () => {
    const read = jest.fn();
    expect(await readCapacityFailure(read, view, undefined, false, now, log)).toBeUndefined();
    expect(await readCapacityFailure(read, view, inFlight, true, now, log)).toBeUndefined();
    expect(read).not.toHaveBeenCalled();
  });
  it('reads from just before the request on, and answers the first capacity failure', async () => {
    const read = jest.fn().mockResolvedValue([{ at: 101_500, message: 'InsufficientInstanceCapacity' }]);
    expect(await readCapacityFailure(read, view, inFlight, false, now, log)).toEqual({
      at: 101_500,
      message: 'InsufficientInstanceCapacity',
    });
    expect(read).toHaveBeenCalledWith(ref, 100_000 - 15_000, undefined);
  });
  it.each([
    ['a fleet in `error` whose history shows nothing yet: failing since now', true, [], now],
    [
      'a fleet in `error` whose history shows another kind of failure: not a capacity failure',
      true,
      [{ at: 101_000, message: 'iamFleetRoleInvalid' }],
      undefined,
    ],
    ['a fleet not in `error`, history empty: nothing', false, [], undefined],
  ])('%s', async (_name, launchError, failures, at) => {
    const read = jest.fn().mockResolvedValue(failures);
    expect((await readCapacityFailure(read, { ref, launchError }, inFlight, false, now, log))?.at).toBe(at);
  });
  it('a failed read counts as no failure known', async () => {
    const read = jest.fn().mockRejectedValue(new Error('ThrottlingException: Rate exceeded'));
    expect(await readCapacityFailure(read, { ref, launchError: true }, inFlight, false, now, log)).toBeUndefined();
  });
});
