import { ServerException } from '@aws-sdk/client-ecs';
import type { ServiceName } from './clients';

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

/**
 * What each service answers when a request is over its rate (a token bucket ran dry, or the
 * random throttling knob fired). Every service words it its own way:
 * - ECS: ThrottlingException "Rate exceeded", HTTP 400
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html
 * - ELBv2: the page says ThrottlingException / "Rate exceeded"
 *   (https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-api-throttling.html); the
 *   query API's error code on the wire is `Throttling` (observed: "An error occurred (Throttling) when
 *   calling the DescribeTargetGroups operation … Rate exceeded", HTTP 400, ansible-collections/community.aws#1001).
 * - Auto Scaling: the API reference says "returns a RateExceeded error"
 *   (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/Welcome.html); the code on the wire is
 *   `Throttling` "Rate exceeded", HTTP 400 (commonly observed; assumed the same as ELBv2's query API).
 * - EC2: RequestLimitExceeded "Request limit exceeded."
 *   (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html); HTTP 503 as observed (assumed).
 * - Athena: ThrottlingException "Rate exceeded." (https://docs.aws.amazon.com/athena/latest/ug/service-limits.html)
 * - SNS: ThrottlingException "Rate exceeded" (https://repost.aws/knowledge-center/sns-throttling-exception-errors)
 * - Glue, SQS: not documented for API rates; ThrottlingException "Rate exceeded" (Glue) and
 *   RequestThrottled (SQS, the SDK's modelled name) are assumed.
 */
const THROTTLING: Record<ServiceName, SimErrorInit> = {
  ecs: { name: 'ThrottlingException', message: 'Rate exceeded', status: 400 },
  elbv2: { name: 'Throttling', message: 'Rate exceeded', status: 400 },
  autoscaling: { name: 'Throttling', message: 'Rate exceeded', status: 400 },
  ec2: { name: 'RequestLimitExceeded', message: 'Request limit exceeded.', status: 503 },
  athena: { name: 'ThrottlingException', message: 'Rate exceeded.', status: 400 },
  sns: { name: 'ThrottlingException', message: 'Rate exceeded', status: 400 },
  glue: { name: 'ThrottlingException', message: 'Rate exceeded', status: 400 },
  sqs: { name: 'RequestThrottled', message: 'Request is throttled.', status: 400 },
  cloudwatch: { name: 'Throttling', message: 'Rate exceeded', status: 400 }, // query API, as ELBv2 (assumed)
  // KMS: ThrottlingException (https://docs.aws.amazon.com/kms/latest/developerguide/throttling.html); "Rate exceeded" as observed
  kms: { name: 'ThrottlingException', message: 'Rate exceeded', status: 400 },
};

/** The service's own throttling error (a fresh one per call: the SDK writes into errors it sees). */
export const throttled = (service: ServiceName): SimulatedAwsError => new SimulatedAwsError(THROTTLING[service]);

/**
 * A 5xx: the service is down or failing. Names and texts from each service's "Common Errors"
 * page (e.g. https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/CommonErrors.html:
 * ServiceUnavailable 503 "The request has failed due to a temporary failure of the server.",
 * InternalFailure 500 "The request processing has failed because of an unknown error, exception
 * or failure."); ECS answers its modelled ServerException ("These errors are usually caused by a
 * server issue.", https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html).
 */
export function serverError(service: ServiceName, kind: 'unavailable' | 'internal' = 'unavailable'): Error {
  if (service === 'ecs') {
    return new ServerException({
      message: 'These errors are usually caused by a server issue.',
      $metadata: { httpStatusCode: 500, requestId: 'sim', attempts: 1, totalRetryDelay: 0 },
    });
  }
  if (service === 'ec2') {
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
    return kind === 'internal'
      ? simError('InternalError', 'An internal error has occurred.', 500)
      : simError('Unavailable', "The server is overloaded and can't handle the request.", 503);
  }
  if (kind === 'internal') {
    const name = service === 'glue' ? 'InternalServiceException' : service === 'athena' ? 'InternalServerException' : 'InternalFailure';
    return simError(name, 'The request processing has failed because of an unknown error, exception or failure.', 500);
  }
  return simError('ServiceUnavailable', 'The request has failed due to a temporary failure of the server.', 503);
}
