import {
  DescribeSpotFleetInstancesCommand,
  DescribeSpotFleetRequestsCommand,
  ModifySpotFleetRequestCommand,
  paginateDescribeSpotFleetRequests,
  type EC2Client,
  type SpotFleetRequestConfig,
} from '@aws-sdk/client-ec2';
import { collect, sendOptions, type CallOptions } from './call';
import { tagMap, toInstance, weightedTypes, type FleetInfo, type FleetInstance } from './ec2-fleets';
import { SPOT_FLEET_PAGE_MAX } from './limits';

/** The request states in which a maintain Spot Fleet keeps a target we can move. */
const LIVE_STATES = new Set(['active', 'modifying']);

/** Spot Fleet requests of type `maintain` as capacity backends: find, read, move the target without terminating. */
export class SpotFleetsAdapter {
  constructor(private readonly ec2: EC2Client) {}

  /** Every live (`active` / `modifying`) request of type `maintain` (the API has no filters: chosen here). */
  async maintainRequests(o?: CallOptions): Promise<FleetInfo[]> {
    const all = await collect(
      paginateDescribeSpotFleetRequests({ client: this.ec2 }, { MaxResults: SPOT_FLEET_PAGE_MAX }, sendOptions(o)),
      (page) => page.SpotFleetRequestConfigs?.map(toFleet),
    );
    return all.filter((f) => f.type === 'maintain' && LIVE_STATES.has(f.state));
  }

  /** One request; undefined when EC2 answers without it. InvalidSpotFleetRequestId.NotFound passes through. */
  async describe(requestId: string, o?: CallOptions): Promise<FleetInfo | undefined> {
    const out = await this.ec2.send(new DescribeSpotFleetRequestsCommand({ SpotFleetRequestIds: [requestId] }), sendOptions(o));
    return (out.SpotFleetRequestConfigs ?? []).map(toFleet).find((f) => f.id === requestId);
  }

  /** Followed by hand: @aws-sdk/client-ec2 generates no paginator for DescribeSpotFleetInstances (its model declares none). */
  async activeInstances(requestId: string, o?: CallOptions): Promise<FleetInstance[]> {
    const all: FleetInstance[] = [];
    let NextToken: string | undefined;
    do {
      const out = await this.ec2.send(
        new DescribeSpotFleetInstancesCommand({ SpotFleetRequestId: requestId, MaxResults: SPOT_FLEET_PAGE_MAX, NextToken }),
        sendOptions(o),
      );
      all.push(...(out.ActiveInstances ?? []).filter((i) => i.InstanceId).map(toInstance));
      NextToken = out.NextToken || undefined;
    } while (NextToken);
    return all;
  }

  /**
   * Set TargetCapacity with ExcessCapacityTerminationPolicy `noTermination` ("Indicates whether
   * running instances should be terminated if the target capacity of the Spot Fleet request is
   * decreased below the current size", API_ModifySpotFleetRequest.html): lowering never
   * terminates (nor sends interruption notices); the caller terminates the instance it chose.
   */
  async setTarget(requestId: string, units: number, o?: CallOptions): Promise<void> {
    await this.ec2.send(
      new ModifySpotFleetRequestCommand({
        SpotFleetRequestId: requestId,
        TargetCapacity: units,
        ExcessCapacityTerminationPolicy: 'noTermination',
      }),
      sendOptions(o),
    );
  }
}

function toFleet(r: SpotFleetRequestConfig): FleetInfo {
  const c = r.SpotFleetRequestConfig;
  return {
    id: r.SpotFleetRequestId ?? '',
    target: c?.TargetCapacity ?? 0,
    fulfilled: c?.FulfilledCapacity ?? 0,
    state: r.SpotFleetRequestState ?? 'unknown',
    type: c?.Type ?? 'maintain',
    tags: tagMap(r.Tags),
    overrides: weightedTypes([...(c?.LaunchTemplateConfigs ?? []).flatMap((x) => x.Overrides ?? []), ...(c?.LaunchSpecifications ?? [])]),
    ...(r.ActivityStatus ? { activityStatus: r.ActivityStatus } : {}),
  };
}
