/**
 * The knob that makes EC2 short of an instance type: while it is on, every launch of that
 * type (by an Auto Scaling group, an EC2 Fleet or a Spot Fleet) fails with
 * InsufficientInstanceCapacity, as when AWS has no capacity left in a pool.
 *
 * The error and its wording are RunInstances' ("InsufficientInstanceCapacity: We currently do
 * not have sufficient m5.large capacity in the Availability Zone you requested (us-west-2a). Our
 * system will be working on provisioning additional capacity. You can currently get m5.large
 * capacity by not specifying an Availability Zone in your request or choosing us-west-2b, …"),
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/troubleshooting-launch.html#troubleshooting-launch-capacity
 * (the full sentence as observed, e.g. ray-project/ray#48845, infochimps-labs/ironfan#324).
 */
export class InstanceCapacity {
  private readonly short = new Set<string>();

  constructor(private readonly region: string) {}

  /** From now on (until `restore`), launches of `instanceType` fail for lack of capacity. */
  exhaust(instanceType: string): void {
    this.short.add(instanceType);
  }

  /** Capacity for `instanceType` is back: launches succeed again. */
  restore(instanceType: string): void {
    this.short.delete(instanceType);
  }

  available(instanceType: string): boolean {
    return !this.short.has(instanceType);
  }

  /**
   * The error code and message EC2 gives a launch of `instanceType` in `az` when it has none. A
   * Spot launch gets the same code with Spot's own sentence, "There is no Spot capacity available
   * that matches your request." (the Spot request status `capacity-not-available` carries the same
   * text: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-request-status.html; as RunInstances
   * answers it, e.g. gruntwork-io/terratest's retryable errors).
   */
  insufficient(
    instanceType: string,
    az: string,
    lifecycle: 'spot' | 'on-demand' = 'on-demand',
  ): { code: 'InsufficientInstanceCapacity'; message: string } {
    if (lifecycle === 'spot')
      return { code: 'InsufficientInstanceCapacity', message: 'There is no Spot capacity available that matches your request.' };
    const others = ['a', 'b', 'c'].map((s) => `${this.region}${s}`).filter((x) => x !== az);
    return {
      code: 'InsufficientInstanceCapacity',
      message:
        `We currently do not have sufficient ${instanceType} capacity in the Availability Zone you requested (${az}). ` +
        'Our system will be working on provisioning additional capacity. ' +
        `You can currently get ${instanceType} capacity by not specifying an Availability Zone in your request or choosing ${others.join(', ')}.`,
    };
  }
}
