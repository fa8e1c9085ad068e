/**
 * The error family. What each means for a retry (decided where the trigger's batch
 * semantics live: processSqsBatch, and the handlers' failure semantics):
 * - ConfigError: a bad deployment; fails every invocation until fixed (not retried per event).
 * - EventValidationError: malformed input; reported, sent to the dead-letter queue, never retried.
 * - TransientError: AWS was busy or partly failed; retried by the trigger, then dead-lettered.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class EventValidationError extends Error {
  override readonly name = 'EventValidationError';
  constructor(
    message: string,
    readonly issues: string[] = [],
    options?: { cause?: unknown },
  ) {
    super(issues.length ? `${message}: ${issues.join('; ')}` : message, options);
  }
}

export class TransientError extends Error {
  override readonly name = 'TransientError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
