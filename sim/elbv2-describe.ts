import type { DescribeTargetGroupsCommandInput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { tgNotFound, toTargetGroup, type TargetGroupRecord } from './elbv2-shapes';
import { simError } from './errors';
import { ELBV2_DESCRIBE_TARGET_GROUPS_ARNS_MAX, ELBV2_DESCRIBE_TARGET_GROUPS_PAGE_MAX, elbv2TooManyTargetGroupsText } from './limits';
import { page } from './util';

/** DescribeTargetGroups over the account's target groups: by ARNs, names or load balancer (one of them), paged. */
export function describeTargetGroups(groups: readonly TargetGroupRecord[], input: DescribeTargetGroupsCommandInput) {
  const arns = input.TargetGroupArns ?? [];
  if (arns.length > ELBV2_DESCRIBE_TARGET_GROUPS_ARNS_MAX) throw simError('ValidationError', elbv2TooManyTargetGroupsText());
  const names = input.Names ?? [];
  if ([arns.length > 0, names.length > 0, input.LoadBalancerArn !== undefined].filter(Boolean).length > 1) {
    throw simError('ValidationError', 'Only one of LoadBalancerArn, TargetGroupArns or Names can be specified');
  }
  let selected: TargetGroupRecord[];
  if (arns.length > 0)
    selected = arns.map((a) => {
      const g = groups.find((x) => x.arn === a);
      if (!g) throw tgNotFound();
      return g;
    });
  else if (names.length > 0) {
    selected = names.map((n) => {
      const g = groups.find((x) => x.name === n);
      if (!g) throw tgNotFound();
      return g;
    });
  } else {
    selected = groups.filter((g) => !input.LoadBalancerArn || g.loadBalancerArns.includes(input.LoadBalancerArn));
  }
  const size = input.PageSize ?? ELBV2_DESCRIBE_TARGET_GROUPS_PAGE_MAX;
  if (size < 1 || size > ELBV2_DESCRIBE_TARGET_GROUPS_PAGE_MAX) {
    throw simError('ValidationError', `Page size must be between 1 and ${ELBV2_DESCRIBE_TARGET_GROUPS_PAGE_MAX}`);
  }
  const { items, nextToken } = page(selected, input.Marker, size, () => simError('ValidationError', 'Invalid marker'));
  return { TargetGroups: items.map(toTargetGroup), NextMarker: nextToken };
}
