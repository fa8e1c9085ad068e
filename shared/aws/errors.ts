/** AWS errors sorted by name, so callers never compare strings inline. */

const NOT_FOUND = new Set([
  'ResourceNotFoundException',
  'ClusterNotFoundException',
  'ServiceNotFoundException',
  'TargetGroupNotFoundException',
  'EntityNotFoundException',
  'InvalidInstanceID.NotFound',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'NotFoundException',
  'NotFound',
]);

/**
 * Throttling as AWS names it per service (ECS/Glue/Athena/SNS ThrottlingException, ELBv2 and
 * Auto Scaling `Throttling`, EC2 RequestLimitExceeded, SQS RequestThrottled, S3 SlowDown,
 * API Gateway-fronted APIs TooManyRequestsException, DynamoDB-style
 * ProvisionedThroughputExceededException) — the names the SDK's own throttling list holds
 * (@smithy/service-error-classification THROTTLING_ERROR_CODES).
 */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'EC2ThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
]);

const ALREADY_EXISTS = new Set(['AlreadyExistsException', 'ResourceInUseException', 'EntityAlreadyExists']);

function nameOf(err: unknown): string | undefined {
  if (err && typeof err === 'object') {
    const e = err as { name?: unknown; Code?: unknown; code?: unknown; ErrorCode?: unknown };
    for (const v of [e.name, e.Code, e.code, e.ErrorCode]) if (typeof v === 'string') return v;
  }
  return undefined;
}

export function isNotFound(err: unknown): boolean {
  const n = nameOf(err);
  return n !== undefined && NOT_FOUND.has(n);
}

export function isAlreadyExists(err: unknown): boolean {
  const n = nameOf(err);
  return n !== undefined && ALREADY_EXISTS.has(n);
}

/**
 * AWS refused the call for its rate, not its content: by name, by HTTP 429, or by the SDK's
 * own marking of a modelled error as a throttle (`$retryable: { throttling: true }`).
 */
export function isThrottling(err: unknown): boolean {
  const n = nameOf(err);
  if (n !== undefined && THROTTLING.has(n)) return true;
  if (!err || typeof err !== 'object') return false;
  const e = err as { $retryable?: { throttling?: boolean }; $metadata?: { httpStatusCode?: number } };
  return e.$retryable?.throttling === true || e.$metadata?.httpStatusCode === 429;
}

export { nameOf as awsErrorName };
