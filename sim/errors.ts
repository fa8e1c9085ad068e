/**
 * Errors shaped like the SDK's: a `name` the retry layer and our `isThrottling`/`isNotFound`
 * read, `$fault`, and `$metadata.httpStatusCode`. Where the SDK has a modelled exception
 * class, models should throw that class instead (`new ClusterNotFoundException({...})`).
 */
export interface SimErrorInit {
  name: string;
  message: string;
  status?: number;
}

export class SimulatedAwsError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode: number; requestId: string; attempts: number; totalRetryDelay: number };
  constructor(init: SimErrorInit) {
    super(init.message);
    this.name = init.name;
    const status = init.status ?? 400;
    this.$fault = status >= 500 ? 'server' : 'client';
    this.$metadata = { httpStatusCode: status, requestId: 'sim', attempts: 1, totalRetryDelay: 0 };
  }
}

export const simError = (name: string, message: string, status = 400) => new SimulatedAwsError({ name, message, status });

/** The throttling error every service answers when the throttling knob fires. */
export const throttled = (operation: string) =>
  simError('ThrottlingException', `Rate exceeded (simulated throttling of ${operation})`, 400);

/** A validation error with AWS's wording for list maxima. */
export const tooMany = (operation: string, field: string, max: number) =>
  simError('InvalidParameterException', `${operation}: ${field} can have at most ${max} items.`, 400);
