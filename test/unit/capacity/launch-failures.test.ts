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
    ['nothing in flight', undefined, [{ at: 200, message: dry }], undefined],
    ['a failure before the request (an earlier ask)', { units: 2, requestedAt: 100 }, [{ at: 99, message: dry }], undefined],
    ['a failure at the request', { units: 2, requestedAt: 100 }, [{ at: 100, message: dry }], 100],
    [
      'the earliest of several',
      { units: 2, requestedAt: 100 },
      [
        { at: 180, message: dry },
        { at: 130, message: dry },
      ],
      130,
    ],
    ['a failure of another kind', { units: 2, requestedAt: 100 }, [{ at: 150, message: 'Invalid IAM Instance Profile name' }], undefined],
  ])('%s', (_name, inFlight, failures, at) => {
    expect(firstCapacityFailure(inFlight, failures)?.at).toBe(at);
  });
});

describe('readCapacityFailure: one read only when it can change the decision, never a throw', () => {
  const ref = { kind: 'spotFleet' as const, id: 'sfr-1', tags: {} };
  const inFlight = { units: 2, requestedAt: 1_000 };
  it('does not read when nothing is in flight, or the units are already late by the arrival time', async () => {
    const read = jest.fn();
    expect(await readCapacityFailure(read, ref, undefined, false, log)).toBeUndefined();
    expect(await readCapacityFailure(read, ref, inFlight, true, log)).toBeUndefined();
    expect(read).not.toHaveBeenCalled();
  });
  it('reads from the request on, and answers the first capacity failure', async () => {
    const read = jest.fn().mockResolvedValue([{ at: 1_500, message: 'InsufficientInstanceCapacity' }]);
    expect(await readCapacityFailure(read, ref, inFlight, false, log)).toEqual({ at: 1_500, message: 'InsufficientInstanceCapacity' });
    expect(read).toHaveBeenCalledWith(ref, 1_000, undefined);
  });
  it('a failed read counts as no failure known', async () => {
    const read = jest.fn().mockRejectedValue(new Error('ThrottlingException: Rate exceeded'));
    expect(await readCapacityFailure(read, ref, inFlight, false, log)).toBeUndefined();
  });
});
