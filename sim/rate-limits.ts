import type { ServiceName } from './clients';

/** A token bucket: `capacity` is the burst, `refillPerSecond` the sustained rate. */
export interface BucketSpec {
  capacity: number;
  refillPerSecond: number;
}

/** One bucket a call draws from, with how many tokens it takes and its default size (none ⇒ not limited). */
interface Draw {
  bucket: string;
  cost: number;
  spec: BucketSpec | undefined;
}

const spec = (capacity: number, refillPerSecond: number): BucketSpec => ({ capacity, refillPerSecond });

/**
 * ECS: actions grouped into categories, one bucket per category and account.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html
 * (the page lists "UpdateContainerInstancesStates"; it is UpdateContainerInstancesState).
 */
const ECS_CATEGORIES: Array<[string, BucketSpec, string[]]> = [
  ['ecs:cluster-read', spec(50, 20), ['DescribeClusters', 'ListClusters']],
  [
    'ecs:cluster-resource-read',
    spec(100, 20),
    ['DescribeContainerInstances', 'DescribeTasks', 'ListAttributes', 'ListContainerInstances', 'ListTasks'],
  ],
  [
    'ecs:cluster-resource-modify',
    spec(100, 40),
    [
      'DeleteAttributes',
      'DeregisterContainerInstance',
      'ExecuteCommand',
      'PutAttributes',
      'RunTask',
      'StartTask',
      'StopTask',
      'UpdateContainerAgent',
      'UpdateContainerInstancesState',
    ],
  ],
  ['ecs:service-read', spec(100, 20), ['DescribeServices', 'ListServices']],
  ['ecs:service-modify', spec(50, 5), ['CreateService', 'DeleteService', 'UpdateService']],
  ['ecs:task-definition-read', spec(50, 20), ['DescribeTaskDefinition', 'ListTaskDefinitions', 'ListTaskDefinitionFamilies']],
  ['ecs:task-definition-modify', spec(20, 1), ['DeregisterTaskDefinition', 'RegisterTaskDefinition']],
  ['ecs:tag-read', spec(50, 20), ['ListTagsForResource']],
  ['ecs:tag-modify', spec(20, 10), ['TagResource', 'UntagResource']],
];

/**
 * ELBv2: categories, plus "an account-level throttling limit that is shared across all Elastic
 * Load Balancing API actions" (40, 10/s) that every call also draws from.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-api-throttling.html
 */
const ELBV2_REGISTRATION = new Set(['RegisterTargets', 'DeregisterTargets']);
const ELBV2_RESOURCE_INTENSIVE = new Set(['CreateLoadBalancer', 'SetSubnets']);
function elbv2(operation: string): Draw[] {
  const category = ELBV2_REGISTRATION.has(operation)
    ? { bucket: 'elbv2:registration', spec: spec(20, 4) }
    : operation.startsWith('Describe')
      ? { bucket: 'elbv2:non-mutating', spec: spec(40, 10) }
      : ELBV2_RESOURCE_INTENSIVE.has(operation)
        ? { bucket: 'elbv2:resource-intensive', spec: spec(10, 0.2) }
        : { bucket: 'elbv2:mutating', spec: spec(20, 3) };
  return [
    { ...category, cost: 1 },
    { bucket: 'elbv2:account', spec: spec(40, 10), cost: 1 },
  ];
}

/**
 * EC2: one bucket per API ("each API is evaluated individually"); DescribeInstances without
 * a filter or pagination draws from a smaller one; TerminateInstances also draws one token
 * per instance from its resource bucket. Ids alone (InstanceIds) are assumed not to count as
 * a filter. https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html
 */
const EC2_UNCATEGORIZED: Record<string, BucketSpec> = {
  DescribeSpotFleetInstances: spec(100, 5),
  DescribeSpotFleetRequestHistory: spec(100, 5),
  DescribeSpotFleetRequests: spec(50, 3),
  RunInstances: spec(5, 2),
  StartInstances: spec(5, 2),
  TerminateInstances: spec(100, 5),
  CreateTags: spec(100, 10),
  DeleteTags: spec(100, 10),
};
const EC2_UNFILTERED_SMALL = new Set([
  'DescribeInstances',
  'DescribeInstanceStatus',
  'DescribeNetworkInterfaces',
  'DescribeSecurityGroups',
  'DescribeSnapshots',
  'DescribeSpotInstanceRequests',
  'DescribeVolumes',
]);
function ec2(operation: string, input: { Filters?: unknown[]; MaxResults?: number; NextToken?: string; InstanceIds?: string[] }): Draw[] {
  const unfiltered = (input.Filters?.length ?? 0) === 0 && input.MaxResults === undefined && input.NextToken === undefined;
  const draws: Draw[] = [];
  if (EC2_UNFILTERED_SMALL.has(operation) && unfiltered)
    draws.push({ bucket: `ec2:${operation} (unfiltered, unpaginated)`, spec: spec(50, 10), cost: 1 });
  else if (EC2_UNCATEGORIZED[operation]) draws.push({ bucket: `ec2:${operation}`, spec: EC2_UNCATEGORIZED[operation], cost: 1 });
  else if (/^(Describe|List|Search|Get)/.test(operation)) draws.push({ bucket: `ec2:${operation}`, spec: spec(100, 20), cost: 1 });
  else draws.push({ bucket: `ec2:${operation}`, spec: spec(50, 5), cost: 1 });
  if (operation === 'TerminateInstances') {
    draws.push({ bucket: 'ec2:TerminateInstances (resources)', spec: spec(1000, 20), cost: Math.max(1, input.InstanceIds?.length ?? 0) });
  }
  return draws;
}

/**
 * Athena: per-API quotas ("calls per second" and "burst capacity").
 * https://docs.aws.amazon.com/athena/latest/ug/service-limits.html (Per account API call quotas)
 */
const ATHENA: Record<string, BucketSpec> = {
  StartQueryExecution: spec(80, 20),
  StopQueryExecution: spec(80, 20),
  GetQueryExecution: spec(200, 100),
  GetQueryResults: spec(200, 100),
  BatchGetQueryExecution: spec(40, 20),
  ListQueryExecutions: spec(10, 5),
};

/**
 * Which buckets a call draws from. Auto Scaling documents one shared bucket but no numbers
 * (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/Welcome.html): ELB's published
 * 40 / 10 per s is assumed. SQS standard queues take "a nearly unlimited number of API calls
 * per second" (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html);
 * SNS's Publish quota is thousands per second per Region
 * (https://docs.aws.amazon.com/general/latest/gr/sns.html) and Glue publishes no per-API rate:
 * these have named buckets with no default size (not limited) that an override can size.
 */
export function drawsFor(service: ServiceName, operation: string, input: unknown): Draw[] {
  switch (service) {
    case 'ecs': {
      const category = ECS_CATEGORIES.find(([, , ops]) => ops.includes(operation));
      return [{ bucket: category?.[0] ?? `ecs:${operation}`, spec: category?.[1], cost: 1 }];
    }
    case 'elbv2':
      return elbv2(operation);
    case 'ec2':
      return ec2(operation, (input ?? {}) as Parameters<typeof ec2>[1]);
    case 'autoscaling':
      return [{ bucket: 'autoscaling:account', spec: spec(40, 10), cost: 1 }];
    case 'athena':
      return [{ bucket: `athena:${operation}`, spec: ATHENA[operation], cost: 1 }];
    default:
      return [{ bucket: `${service}:${operation}`, spec: undefined, cost: 1 }];
  }
}

interface BucketState {
  size: BucketSpec;
  tokens: number;
  at: number;
}

/**
 * Request rates as AWS meters them: token buckets per account and Region, shared by every
 * client of the account, refilled on the virtual clock (continuously, a good approximation of
 * "a set number of tokens is added back every second"). On by default, as on AWS.
 */
export class RateLimits {
  /** Off ⇒ no bucket ever runs dry (the random throttling knob still applies). */
  enabled = true;
  private readonly overrides = new Map<string, BucketSpec | null>();
  private readonly state = new Map<string, BucketState>();

  constructor(private readonly now: () => number) {}

  /** Resize one bucket (e.g. 'ecs:cluster-resource-read'), or `null` to lift its limit; it starts full. */
  set(bucket: string, size: BucketSpec | null): void {
    this.overrides.set(bucket, size);
    this.state.delete(bucket);
  }

  /** Back to the documented sizes, every bucket full. */
  reset(): void {
    this.overrides.clear();
    this.state.clear();
  }

  /**
   * Tokens left in a bucket now (Infinity when it is not limited). A bucket no call has used
   * yet is found by naming a call that draws from it.
   */
  tokens(bucket: string, call?: { service: ServiceName; operation: string; input?: unknown }): number {
    const size = this.overrides.has(bucket)
      ? this.overrides.get(bucket)
      : (this.state.get(bucket)?.size ??
        (call && drawsFor(call.service, call.operation, call.input ?? {}).find((d) => d.bucket === bucket)?.spec));
    if (!size) return Number.POSITIVE_INFINITY;
    return this.refilled(bucket, size).tokens;
  }

  /**
   * Take what one call costs from every bucket it draws from, all or nothing. Answers the
   * name of the first bucket that could not pay (the call is throttled), or undefined.
   */
  take(service: ServiceName, operation: string, input: unknown): string | undefined {
    if (!this.enabled) return undefined;
    const draws = drawsFor(service, operation, input)
      .map((d) => ({ ...d, spec: this.overrides.has(d.bucket) ? (this.overrides.get(d.bucket) ?? undefined) : d.spec }))
      .filter((d): d is Draw & { spec: BucketSpec } => d.spec !== undefined);
    const states = draws.map((d) => this.refilled(d.bucket, d.spec));
    const dry = draws.findIndex((d, i) => states[i]!.tokens < d.cost);
    if (dry >= 0) return draws[dry]!.bucket;
    draws.forEach((d, i) => (states[i]!.tokens -= d.cost));
    return undefined;
  }

  private refilled(bucket: string, size: BucketSpec): BucketState {
    const now = this.now();
    let s = this.state.get(bucket);
    if (!s) {
      s = { size, tokens: size.capacity, at: now };
      this.state.set(bucket, s);
    }
    s.tokens = Math.min(size.capacity, s.tokens + (Math.max(0, now - s.at) / 1000) * size.refillPerSecond);
    s.at = now;
    return s;
  }
}
