import { AthenaClient } from '@aws-sdk/client-athena';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GlueClient } from '@aws-sdk/client-glue';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
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
}
export type ServiceName = keyof AwsClients;

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

const FACTORIES: { [K in ServiceName]: new (config: object) => AwsClients[K] } = {
  ecs: ECSClient,
  ec2: EC2Client,
  elbv2: ElasticLoadBalancingV2Client,
  autoscaling: AutoScalingClient,
  sqs: SQSClient,
  sns: SNSClient,
  glue: GlueClient,
  athena: AthenaClient,
};

/**
 * One client per service, built on first use (a cold start only pays for the clients its
 * function touches) and then reused across invocations.
 */
export function makeClients(options: ClientOptions = {}): AwsClients {
  const endpoint = options.endpoint ?? emptyToUndefined(process.env.AWS_ENDPOINT_URL);
  const base = {
    region: options.region ?? emptyToUndefined(process.env.AWS_REGION) ?? emptyToUndefined(process.env.AWS_DEFAULT_REGION),
    ...(endpoint ? { endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.retryStrategy
      ? { retryStrategy: options.retryStrategy }
      : { retryMode: 'adaptive', maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS }),
  };
  const cache: Partial<AwsClients> = {};
  const build = <K extends ServiceName>(service: K): AwsClients[K] => {
    const existing = cache[service];
    if (existing) return existing;
    const client = new FACTORIES[service](base);
    options.configure?.(client, service);
    cache[service] = client;
    return client;
  };
  const clients = {} as AwsClients;
  for (const service of Object.keys(FACTORIES) as ServiceName[]) {
    Object.defineProperty(clients, service, { get: () => build(service), enumerable: true });
  }
  return clients;
}

function emptyToUndefined(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}
