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

export { nameOf as awsErrorName };
