import { TooManyTargetsException } from '@aws-sdk/client-elastic-load-balancing-v2';

/**
 * "Targets per target group per Region (instances or IP addresses): 1,000", adjustable
 * (Quotas for your Network Load Balancers, Target groups;
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-limits.html —
 * Application Load Balancers have the same default). Over it RegisterTargets fails with
 * TooManyTargets: "You've reached the limit on the number of targets." (API reference, Errors).
 *
 * Assumed (not documented): a draining target still counts — it is still in the group and
 * DescribeTargetHealth still lists it — so deregistering frees room only once draining ends.
 */
export const ELBV2_TARGETS_PER_TARGET_GROUP_DEFAULT = 1000;

/** Throw TooManyTargets when registering `wanted` (keys) would take the group's `current` keys over `quota`. */
export function checkTargetQuota(current: readonly string[], wanted: readonly string[], quota: number): void {
  const have = new Set(current);
  const added = new Set(wanted.filter((k) => !have.has(k))).size;
  if (added > 0 && have.size + added > quota) {
    throw new TooManyTargetsException({
      message: "You've reached the limit on the number of targets.",
      $metadata: { httpStatusCode: 400, requestId: 'sim', attempts: 1, totalRetryDelay: 0 },
    });
  }
}
