import type { AthenaClient } from '@aws-sdk/client-athena';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { GlueClient } from '@aws-sdk/client-glue';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsCredentialIdentity, RetryStrategyV2 } from '@smithy/types';

/** The services we speak to; the key is also the simulator's service name. */
export interface AwsClients {
  ecs: ECSClient;
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
  autoscaling: AutoScalingClient;
  sqs: SQSClient;
  sns: SNSClient;
  glue: GlueClient;
  athena: AthenaClient;
  cloudwatch: CloudWatchClient;
  kms: KMSClient;
}
export type ServiceName = keyof AwsClients;

/**
 * The client classes a function uses. Handlers pass only their own (type-checked against
 * what their workflow needs), so each Lambda zip bundles only those SDK clients.
 */
export type ClientConstructors<K extends ServiceName> = { [S in K]: new (config: object) => AwsClients[S] };

export interface ClientOptions {
  region?: string;
  /** Defaults to AWS_ENDPOINT_URL (LocalStack, moto, an emulator); unset means the real AWS endpoints. */
  endpoint?: string;
  /** Adaptive retry (client-side rate limiting on throttling) with this many attempts. */
  maxAttempts?: number;
  /** Replaces the adaptive strategy (tests use short, fixed backoff). */
  retryStrategy?: RetryStrategyV2;
  credentials?: AwsCredentialIdentity;
  /** Called once per client after construction (the simulator adds its middleware here). */
  configure?: (client: AwsClients[ServiceName], service: ServiceName) => void;
}

const DEFAULT_MAX_ATTEMPTS = 8;
/**
 * No request waits forever: a connection gets 3 s and an answer 10 s before the SDK counts
 * the attempt failed (and retries it). The drain also aborts whatever is in flight at its
 * deadline (CallOptions.signal), so these bound one attempt, not the whole call.
 */
export const HTTP_TIMEOUTS = { connectionTimeout: 3_000, requestTimeout: 10_000 } as const;

/**
 * One client per service, built on first use (a cold start only pays for the clients its
 * invocation touches) and then reused across invocations.
 */
export function makeClients<K extends ServiceName>(constructors: ClientConstructors<K>, options: ClientOptions = {}): Pick<AwsClients, K> {
  const endpoint = options.endpoint ?? emptyToUndefined(process.env.AWS_ENDPOINT_URL);
  const base = {
    region: options.region ?? emptyToUndefined(process.env.AWS_REGION) ?? emptyToUndefined(process.env.AWS_DEFAULT_REGION),
    ...(endpoint ? { endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    requestHandler: HTTP_TIMEOUTS,
    ...(options.retryStrategy
      ? { retryStrategy: options.retryStrategy }
      : { retryMode: 'adaptive', maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS }),
  };
  const cache = new Map<K, AwsClients[K]>();
  const clients = {} as Pick<AwsClients, K>;
  for (const service of Object.keys(constructors) as K[]) {
    Object.defineProperty(clients, service, {
      enumerable: true,
      get: () => {
        let client = cache.get(service);
        if (!client) {
          const Ctor = constructors[service] as unknown as new (config: object) => AwsClients[K];
          client = new Ctor(base);
          options.configure?.(client, service);
          cache.set(service, client);
        }
        return client;
      },
    });
  }
  return clients;
}

function emptyToUndefined(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}
