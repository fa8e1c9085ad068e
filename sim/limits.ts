/**
 * The simulator's own copy of every API limit it enforces, with the words AWS answers.
 *
 * Deliberately not shared with production's limits (shared/aws/limits.ts): a fake that reads
 * our constants would agree with a wrong constant. Each value cites the AWS page it comes
 * from; where the API reference is silent and the value (or the wording) comes from what AWS
 * has been seen to answer, the comment says so, and where it is a guess, "assumed".
 */

// ---- ECS ------------------------------------------------------------------------------

/**
 * DescribeContainerInstances `containerInstances`: "A list of up to 100 container instance IDs
 * or full Amazon Resource Name (ARN) entries."
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeContainerInstances.html
 * Over it: InvalidParameterException "instanceIds can have at most 100 items." (the field is
 * named instanceIds in the answer; observed, e.g. mapbox/ecs-watchbot#81, traefik/traefik#3625).
 */
export const ECS_DESCRIBE_CONTAINER_INSTANCES = { max: 100, field: 'instanceIds' } as const;

/**
 * DescribeTasks `tasks`: "A list of up to 100 task IDs or full ARN entries."
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html
 * Over it: InvalidParameterException "taskIds can have at most 100 items." (observed, e.g.
 * sil-org/ecs-deploy#266, gchq/sleeper#555).
 */
export const ECS_DESCRIBE_TASKS = { max: 100, field: 'taskIds' } as const;

/**
 * DescribeServices `services`: "You may specify up to 10 services to describe in a single operation."
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html
 * Over it: InvalidParameterException "service names can have at most 10 items." (observed,
 * structurely/ecs-autoscale#32).
 */
export const ECS_DESCRIBE_SERVICES = { max: 10, field: 'service names' } as const;

/**
 * UpdateContainerInstancesState `containerInstances`: at most 10. NOT in the API reference
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateContainerInstancesState.html
 * gives no maximum); AWS answers InvalidParameterException "instanceIds can have at most 10
 * items." (observed, minamijoyo/myaws#25).
 */
export const ECS_UPDATE_CONTAINER_INSTANCES_STATE = { max: 10, field: 'instanceIds' } as const;

/**
 * UpdateTaskProtection / GetTaskProtection: "tasks: A list of up to 10 task IDs or full ARN
 * entries." (ECS API reference). The exact error wording is not documented; the sim uses the
 * observed form of the other ECS list limits.
 */
export const ECS_TASK_PROTECTION_TASKS = { max: 10, field: 'tasks' } as const;
/** "You can specify a custom expiration period for task protection from 1 minute to up to 2,880 minutes (48 hours)"; default 2 hours. */
export const ECS_TASK_PROTECTION_MINUTES = { min: 1, max: 2880, default: 120 } as const;
/** "Maximum number of tags per resource – 50" (Tagging your Amazon ECS resources, tag restrictions). */
export const ECS_TAGS_PER_RESOURCE = 50;

/** The wording ECS uses for a list over its maximum (see the observations above). */
export const ecsTooManyText = (limit: { max: number; field: string }) => `${limit.field} can have at most ${limit.max} items.`;

/**
 * ListClusters / ListContainerInstances / ListTasks / ListServices / ListTaskDefinitions /
 * ListTaskDefinitionFamilies `maxResults`: "This value can be between 1 and 100."
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListContainerInstances.html
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListClusters.html
 * The wording of the InvalidParameterException is assumed (not in the API reference).
 */
export const ECS_LIST_MAX_RESULTS = 100;
export const ecsMaxResultsText = () => `maxResults must be between 1 and ${ECS_LIST_MAX_RESULTS}.`;

/**
 * Without maxResults, ListServices answers "up to 10 results" (the other List* calls up to 100).
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServices.html
 */
export const ECS_LIST_SERVICES_DEFAULT_PAGE = 10;

// ---- Elastic Load Balancing v2 ---------------------------------------------------------

/**
 * DescribeTargetGroups `TargetGroupArns`: the API reference gives no maximum
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetGroups.html);
 * AWS answers ValidationError "You cannot describe more than '20' target groups at a time"
 * (observed, ansible-collections/amazon.aws#1593).
 */
export const ELBV2_DESCRIBE_TARGET_GROUPS_ARNS_MAX = 20;
export const elbv2TooManyTargetGroupsText = () =>
  `You cannot describe more than '${ELBV2_DESCRIBE_TARGET_GROUPS_ARNS_MAX}' target groups at a time`;

/**
 * DescribeTargetGroups `PageSize`: "Valid Range: Minimum value of 1. Maximum value of 400."
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetGroups.html
 * (wording of the error assumed)
 */
export const ELBV2_DESCRIBE_TARGET_GROUPS_PAGE_MAX = 400;

/**
 * `deregistration_delay.timeout_seconds`: "The range is 0-3600 seconds. The default value is 300 seconds."
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupAttribute.html
 */
export const ELBV2_DEREGISTRATION_DELAY = { min: 0, max: 3600, default: 300 } as const;

/*
 * Register/DeregisterTargets `Targets`: the API reference documents no item maximum, so the
 * simulator enforces none. (Our own DEREGISTER_TARGETS_CHUNK is our choice, not AWS's.)
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DeregisterTargets.html
 */

// ---- Glue ------------------------------------------------------------------------------

/**
 * GetTables `MaxResults`: "Valid Range: Minimum value of 1. Maximum value of 100."
 * https://docs.aws.amazon.com/glue/latest/webapi/API_GetTables.html
 */
export const GLUE_GET_TABLES_MAX_RESULTS = 100;
/**
 * GetPartitions `MaxResults`: "Valid Range: Minimum value of 1. Maximum value of 1000."
 * https://docs.aws.amazon.com/glue/latest/webapi/API_GetPartitions.html
 */
export const GLUE_GET_PARTITIONS_MAX_RESULTS = 1000;
/**
 * BatchCreatePartition `PartitionInputList`: "Array Members: Minimum number of 0 items. Maximum number of 100 items."
 * https://docs.aws.amazon.com/glue/latest/webapi/API_BatchCreatePartition.html
 */
export const GLUE_BATCH_CREATE_PARTITION_MAX = 100;

/**
 * The wording AWS JSON services use when a request breaks a model constraint ("1 validation
 * error detected: … failed to satisfy constraint: …"); the exact text per field is assumed.
 */
export const validationText = {
  tooLong: (field: string, max: number, size: number) =>
    `1 validation error detected: Value '[…${size} items]' at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
  tooLarge: (field: string, value: number, max: number) =>
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have value less than or equal to ${max}`,
  tooSmall: (field: string, value: number, min: number) =>
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`,
};

// ---- Athena ----------------------------------------------------------------------------

/**
 * GetQueryResults `MaxResults`: "Valid Range: Minimum value of 1. Maximum value of 1000."
 * https://docs.aws.amazon.com/athena/latest/APIReference/API_GetQueryResults.html
 */
export const ATHENA_GET_QUERY_RESULTS_MAX = 1000;

// ---- SQS -------------------------------------------------------------------------------

/**
 * SendMessage `DelaySeconds`: "Valid values: 0 to 900. Maximum: 15 minutes."
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 * Answered as InvalidParameterValue "Value N for parameter DelaySeconds is invalid. Reason:
 * DelaySeconds must be >= 0 and <= 900." (reason wording as observed; assumed exact).
 */
export const SQS_DELAY_SECONDS_MAX = 900;
/**
 * SendMessageBatch / DeleteMessageBatch entries and ReceiveMessage MaxNumberOfMessages: 10.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
 * TooManyEntriesInBatchRequest "Maximum number of entries per request are 10. You have sent N."
 */
export const SQS_BATCH_MAX = 10;
/** ReceiveMessage `VisibilityTimeout` / ChangeMessageVisibility: 0 to 43,200 seconds (12 hours). */
export const SQS_VISIBILITY_TIMEOUT_MAX = 43_200;
/** ReceiveMessage `WaitTimeSeconds`: 0 to 20. */
export const SQS_WAIT_TIME_SECONDS_MAX = 20;
/**
 * A queue's default MaximumMessageSize: 262,144 bytes (256 KiB). Since August 2025 AWS
 * documents a maximum of 1 MiB (1,048,576 bytes) for SendMessage
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html);
 * what a new queue defaults to after that change is assumed here to be still 256 KiB.
 */
export const SQS_DEFAULT_MAX_MESSAGE_BYTES = 262_144;

// ---- SNS -------------------------------------------------------------------------------

/**
 * Publish `Message`: "the maximum size is 256 KB (262,144 bytes, not 262,144 characters)";
 * over it, InvalidParameter "Invalid parameter: Message too long".
 * https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export const SNS_MAX_MESSAGE_BYTES = 262_144;

// ---- Auto Scaling ----------------------------------------------------------------------

/**
 * PutLifecycleHook `HeartbeatTimeout`: "from 30 to 7200 seconds. The default value is 3600 seconds."
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutLifecycleHook.html
 */
export const ASG_HEARTBEAT_TIMEOUT = { min: 30, max: 7200, default: 3600 } as const;
/**
 * GlobalTimeout: "The maximum time, in seconds, that an instance can remain in a Pending:Wait
 * or Terminating:Wait state. The maximum is 172800 seconds (48 hours) or 100 times
 * HeartbeatTimeout, whichever is smaller."
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_LifecycleHook.html
 */
export const ASG_MAX_GLOBAL_TIMEOUT_SECONDS = 172_800;
/**
 * DescribeAutoScalingGroups `MaxRecords`: default 50, maximum 100.
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeAutoScalingGroups.html
 */
export const ASG_DESCRIBE_MAX_RECORDS = 100;
/**
 * SetInstanceProtection `InstanceIds`: "One or more instance IDs. You can specify up to 50 instances."
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_SetInstanceProtection.html
 */
export const ASG_SET_INSTANCE_PROTECTION_MAX = 50;

// ---- EC2 -------------------------------------------------------------------------------

/**
 * DescribeInstances `MaxResults`: "You cannot specify this parameter and the instance IDs
 * parameter in the same request. Valid range: 5 - 1000."
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html
 */
export const EC2_DESCRIBE_INSTANCES_MAX_RESULTS = { min: 5, max: 1000 } as const;
/**
 * DescribeNetworkInterfaces `MaxResults`: "You cannot specify this parameter and the network
 * interface IDs parameter in the same request. … Valid range: 5-1000."
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNetworkInterfaces.html
 */
export const EC2_DESCRIBE_NETWORK_INTERFACES_MAX_RESULTS = { min: 5, max: 1000 } as const;
/**
 * Tags per Auto Scaling group: "You can have a maximum of 50 tags assigned to each Auto Scaling group."
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-tagging.html (Tag restrictions)
 */
export const ASG_TAGS_PER_GROUP_MAX = 50;
/** DetachInstances: "InstanceIds … The IDs of the instances. You can specify up to 20 instances." */
export const ASG_DETACH_INSTANCES_MAX = 20;
/** AttachInstances: "InstanceIds … The IDs of the instances. You can specify up to 20 instances." */
export const ASG_ATTACH_INSTANCES_MAX = 20;
/** DescribeAutoScalingInstances: "InstanceIds … Array Members: Maximum number of 50 items." */
export const ASG_DESCRIBE_INSTANCES_MAX = 50;

/**
 * CreateTags `Resources`: "Constraints: Up to 1000 resource IDs. We recommend breaking up this
 * request into smaller batches." https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateTags.html
 * (the wording of the error over it is assumed).
 */
export const EC2_CREATE_TAGS_RESOURCES_MAX = 1000;
/**
 * DescribeInstanceTypes `MaxResults`: "Valid Range: Minimum value of 5. Maximum value of 100."
 * `InstanceTypes`: "Array Members: Maximum number of 100 items."
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceTypes.html
 */
export const EC2_DESCRIBE_INSTANCE_TYPES_MAX_RESULTS = { min: 5, max: 100 } as const;
export const EC2_DESCRIBE_INSTANCE_TYPES_NAMES_MAX = 100;

/**
 * ECS custom attributes (PutAttributes / DeleteAttributes, ECS API Reference): "You can specify
 * up to 10 custom attributes for each resource. You can specify up to 10 attributes in a single
 * call." Over the first: AttributeLimitExceededException "You can apply up to 10 custom attributes
 * for each resource."
 */
export const ECS_CUSTOM_ATTRIBUTES_PER_RESOURCE = 10;
export const ECS_ATTRIBUTES_PER_CALL = { max: 10, field: 'attributes' } as const;
