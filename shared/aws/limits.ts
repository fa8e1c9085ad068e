/**
 * API maxima, each with the text AWS answers when it is exceeded. Adapters chunk to these;
 * the simulator enforces them with the same text.
 */

/** ECS DescribeContainerInstances: "containerInstances can have at most 100 items." */
export const DESCRIBE_CONTAINER_INSTANCES_MAX = 100;
/** ECS DescribeTasks: "tasks can have at most 100 items." */
export const DESCRIBE_TASKS_MAX = 100;
/** ECS DescribeServices: "services can have at most 10 items." */
export const DESCRIBE_SERVICES_MAX = 10;
/** ECS UpdateContainerInstancesState: "containerInstances can have at most 10 items." */
export const UPDATE_CONTAINER_INSTANCES_STATE_MAX = 10;
/** ECS ListContainerInstances / ListTasks / ListClusters: maxResults "must be between 1 and 100". */
export const ECS_LIST_PAGE_MAX = 100;
/**
 * EC2 CreateTags: Resources "Constraints: Up to 1000 resource IDs. We recommend breaking up this
 * request into smaller batches." We send at most this many per call.
 */
export const CREATE_TAGS_RESOURCES_CHUNK = 100;
/** ECS GetTaskProtection / UpdateTaskProtection: tasks is "A list of up to 10 task IDs or full ARN entries." */
export const TASK_PROTECTION_MAX = 10;
/** ELBv2 DescribeTargetGroups: "TargetGroupArns can have at most 20 items" (we never need more per call). */
export const DESCRIBE_TARGET_GROUPS_MAX = 20;
/**
 * ELBv2 DeregisterTargets: no documented item cap. A target group holds at most 1,000 targets
 * by default ("Targets per target group per Region (instances or IP addresses): 1,000"), so
 * one call of this size carries every target a wave takes out of a group.
 */
export const DEREGISTER_TARGETS_CHUNK = 1000;
/** Glue GetTables: MaxResults "Valid Range: Minimum value of 1. Maximum value of 100." */
export const GET_TABLES_MAX = 100;
/** Glue BatchCreatePartition: "PartitionInputList can have at most 100 items." */
export const BATCH_CREATE_PARTITION_MAX = 100;
/** Athena GetQueryResults: "MaxResults must be at most 1000." */
export const GET_QUERY_RESULTS_MAX = 1000;
/** SQS SendMessage DelaySeconds: "Value must be between 0 and 900 seconds." */
export const SQS_MAX_DELAY_SECONDS = 900;
/** SQS SendMessageBatch: "Maximum number of entries per request are 10." */
export const SQS_SEND_BATCH_MAX = 10;
/** Auto Scaling lifecycle hook heartbeat timeout: 30 to 7200 seconds. */
export const LIFECYCLE_HEARTBEAT_MAX_SECONDS = 7200;

/**
 * Auto Scaling DescribeAutoScalingGroups: "By default, you can only specify up to 50 names"
 * (AutoScalingGroupNames); MaxRecords "The default value is 50 and the maximum value is 100."
 */
export const DESCRIBE_AUTO_SCALING_GROUPS_NAMES_MAX = 50;
export const DESCRIBE_AUTO_SCALING_GROUPS_PAGE_MAX = 100;
/**
 * Auto Scaling DescribeAutoScalingInstances: InstanceIds "Array Members: Maximum number of 50 items."
 * (MaxRecords "The default value is 50 and the maximum value is 50": 50 ids fit one page.)
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeAutoScalingInstances.html
 */
export const DESCRIBE_AUTO_SCALING_INSTANCES_MAX = 50;
/**
 * Auto Scaling DetachInstances: InstanceIds "The IDs of the instances. You can specify up to 20 instances."
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DetachInstances.html
 */
export const DETACH_INSTANCES_MAX = 20;
/** EC2 DescribeSpotFleetRequests / DescribeSpotFleetInstances MaxResults: "Valid Range: Minimum value of 1. Maximum value of 1000." */
export const SPOT_FLEET_PAGE_MAX = 1000;
/** EC2 DescribeInstanceTypes InstanceTypes: "Array Members: Maximum number of 100 items."; MaxResults "Maximum value of 100." */
export const DESCRIBE_INSTANCE_TYPES_MAX = 100;
/**
 * Not an API maximum but a quota: "Target capacity per EC2 Fleet: 10,000" and "The target
 * capacity per Spot Fleet: 10,000" (EC2 Fleet and Spot Fleet quotas in the EC2 User Guide). A fleet
 * has no MaxSize of its own; the caller's settings bound it below this.
 */
export const FLEET_TARGET_CAPACITY_MAX = 10_000;

/** Split a list into consecutive chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (size < 1) throw new RangeError(`chunk size must be at least 1, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
