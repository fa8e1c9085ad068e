import type { DescribeSpotInstanceRequestsCommandInput, SpotInstanceRequest } from '@aws-sdk/client-ec2';
import type { OperationTable } from './account';
import type { InstanceRecord } from './ec2';
import { simError } from './errors';

/**
 * EC2 DescribeSpotInstanceRequests over the simulator's Spot instances: each has the one-time
 * request it was launched by (`sir-…`, the id DescribeFleets and DescribeSpotFleetInstances name),
 * whose state and status code follow "State changes for a Spot request"
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instances-request-status-lifecycle.html):
 * - running: `active` / `fulfilled`;
 * - once the interruption notice is sent (instance-action terminate): `closed` / `marked-for-termination`,
 *   the instance still running until the reclaim;
 * - reclaimed by Spot: `closed` / `instance-terminated-no-capacity` (the simulator has no price);
 * - terminated by its owner (API, its group, its fleet): `closed` / `instance-terminated-by-user`.
 * The status is derived from the instance record, so it never drifts from it. Filters: `instance-id`,
 * `state`, `status-code`; one page (no NextToken).
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSpotInstanceRequests.html
 */
export function spotRequestOperations(instances: () => Iterable<InstanceRecord>): OperationTable {
  return {
    DescribeSpotInstanceRequests: (input: DescribeSpotInstanceRequestsCommandInput) => {
      const unsupported = (input.Filters ?? []).find((f) => !FILTERS.includes(f.Name ?? ''));
      // Not every filter AWS documents is modelled: an unmodelled one fails loudly rather than matching nothing.
      if (unsupported) throw simError('InvalidParameterValue', `The filter '${unsupported.Name}' is invalid`);
      const all = [...instances()].filter((i) => i.lifecycle === 'spot').map(toRequest);
      const ids = input.SpotInstanceRequestIds ?? [];
      const unknown = ids.filter((id) => !all.some((r) => r.SpotInstanceRequestId === id));
      // EC2 error codes: InvalidSpotInstanceRequestID.NotFound ("The specified Spot Instance request ID does not exist"; wording assumed).
      if (unknown.length > 0)
        throw simError('InvalidSpotInstanceRequestID.NotFound', `The spot instance request ID '${unknown[0]}' does not exist`);
      const named = ids.length > 0 ? all.filter((r) => ids.includes(r.SpotInstanceRequestId!)) : all;
      const matching = named.filter((r) => (input.Filters ?? []).every((f) => matches(r, f.Name ?? '', f.Values ?? [])));
      return { SpotInstanceRequests: matching };
    },
  };
}

/** The request's id as the fleets name it (sim/ec2-fleet.ts, sim/ec2-spot-fleet.ts). */
export const spotRequestIdOf = (instanceId: string): string => `sir-${instanceId.slice(2, 10)}`;

function toRequest(i: InstanceRecord): SpotInstanceRequest {
  const [state, code] =
    i.terminatedBy === 'spot'
      ? (['closed', 'instance-terminated-no-capacity'] as const)
      : i.terminatedBy
        ? (['closed', 'instance-terminated-by-user'] as const)
        : i.interruptionNoticeAt !== undefined
          ? (['closed', 'marked-for-termination'] as const)
          : (['active', 'fulfilled'] as const);
  return {
    SpotInstanceRequestId: spotRequestIdOf(i.instanceId),
    InstanceId: i.instanceId,
    State: state,
    Status: { Code: code, UpdateTime: new Date(i.terminatedAt ?? i.interruptionNoticeAt ?? i.launchTime) },
    Type: 'one-time',
    InstanceInterruptionBehavior: 'terminate',
    LaunchedAvailabilityZone: i.az,
    CreateTime: new Date(i.launchTime),
  };
}

const FILTERS = ['instance-id', 'state', 'status-code'];

function matches(r: SpotInstanceRequest, name: string, values: readonly string[]): boolean {
  if (name === 'instance-id') return values.includes(r.InstanceId ?? '');
  if (name === 'state') return values.includes(r.State ?? '');
  return values.includes(r.Status?.Code ?? '');
}
