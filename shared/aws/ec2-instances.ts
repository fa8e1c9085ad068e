import {
  CreateTagsCommand,
  DescribeInstancesCommand,
  DescribeSpotInstanceRequestsCommand,
  TerminateInstancesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { sendOptions, type CallOptions } from './call';
import { awsErrorName } from './errors';

/** What EC2 says of one instance now (a rebalance call-off stands on it). */
export interface InstanceFacts {
  state: string;
  lifecycle: 'spot' | 'on-demand';
  /** The Spot request's status code (`fulfilled`, `marked-for-termination`, …); absent when EC2 answered no request. */
  spotRequestStatus?: string;
}

/** EC2 instances and resource tags, as the fleet capacity backends use them. */
export class Ec2InstancesAdapter {
  constructor(private readonly ec2: EC2Client) {}

  /**
   * Terminate one instance. Answers false when EC2 no longer knows it (InvalidInstanceID.NotFound);
   * an instance already terminated answers true again (EC2 reports it `terminated`, no error).
   */
  async terminate(instanceId: string, o?: CallOptions): Promise<boolean> {
    try {
      await this.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }), sendOptions(o));
      return true;
    } catch (err) {
      if (awsErrorName(err) === 'InvalidInstanceID.NotFound') return false;
      throw err;
    }
  }

  /** Create or overwrite tags on one resource (an EC2 Fleet `fleet-…`, a Spot Fleet request `sfr-…`, an instance). */
  async tag(resourceId: string, tags: Record<string, string>, o?: CallOptions): Promise<void> {
    const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    await this.ec2.send(new CreateTagsCommand({ Resources: [resourceId], Tags }), sendOptions(o));
  }

  /**
   * One instance's state, whether it is Spot (DescribeInstances `InstanceLifecycle` is `spot` for
   * Spot, absent for on-demand) and, for Spot, its request's status code (DescribeSpotInstanceRequests
   * filtered by `instance-id`; undefined when EC2 answers no request). Answers undefined when EC2 no
   * longer knows the instance (InvalidInstanceID.NotFound).
   */
  async facts(instanceId: string, o?: CallOptions): Promise<InstanceFacts | undefined> {
    try {
      const out = await this.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }), sendOptions(o));
      const i = out.Reservations?.flatMap((r) => r.Instances ?? []).find((x) => x.InstanceId === instanceId);
      if (!i) return undefined;
      const state = i.State?.Name ?? 'unknown';
      if (i.InstanceLifecycle !== 'spot') return { state, lifecycle: 'on-demand' };
      const requests = await this.ec2.send(
        new DescribeSpotInstanceRequestsCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] }),
        sendOptions(o),
      );
      const code = requests.SpotInstanceRequests?.find((r) => r.InstanceId === instanceId)?.Status?.Code;
      return { state, lifecycle: 'spot', ...(code ? { spotRequestStatus: code } : {}) };
    } catch (err) {
      if (awsErrorName(err) === 'InvalidInstanceID.NotFound') return undefined;
      throw err;
    }
  }
}
